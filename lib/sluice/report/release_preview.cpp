#include <sluice/report/release_preview.hpp>

#include <sluice/plan/values.hpp>
#include <sluice/util/strings.hpp>

namespace sluice::report {

using plan::Release;
using plan::ReleaseTarget;
using plan::Wave;

namespace {

using nlohmann::ordered_json;

void describe_header(const Release& release, std::vector<PreviewLine>& out) {
  out.push_back({"release " + release.name + " from " + release.source_path + " (sha256 " +
                     release.source_hash.substr(0, 12) + ")",
                 {{"kind", "release"},
                  {"name", release.name},
                  {"file", release.source_path},
                  {"sha256", release.source_hash}}});
  std::string image = "image: " + release.image + ", resolved once to a digest that every target deploys";
  if (!release.platforms.empty()) image += ", checked once for " + util::join(release.platforms, ", ");
  out.push_back({image, {{"kind", "image"}, {"image", release.image}, {"platforms", release.platforms}}});
  out.push_back(
      {"record and lock: context " + release.record.context + ", namespace " + release.record.ns,
       {{"kind", "record"}, {"context", release.record.context}, {"namespace", release.record.ns}}});
  bool hold = release.on_failure == plan::OnFailure::hold;
  out.push_back({std::string("on failure: stop starting targets, roll back those in flight, then ") +
                     (hold ? "hold the targets already done (exit 4, a human decides)"
                           : "roll back the targets already done (exit 3)"),
                 {{"kind", "onFailure"}, {"onFailure", plan::to_string(release.on_failure)}}});
  for (const auto& [name, check] : release.checks) {
    out.push_back({"release check " + describe_check(check) + ", between waves",
                   {{"kind", "releaseCheck"}, {"name", name}}});
  }
}

std::string wave_text(std::size_t index, const Wave& wave) {
  std::string text = "wave " + std::to_string(index + 1) + " " + wave.name + ": " +
                     std::to_string(wave.targets.size()) + " target" + (wave.targets.size() == 1 ? "" : "s") +
                     ", at most " + std::to_string(wave.max_parallel) + " at once";
  if (wave.failure_budget > 0) text += ", " + std::to_string(wave.failure_budget) + " may fail";
  if (wave.bake.count() > 0)
    text += ", then the release checks stay green for " + plan::format_duration(wave.bake);
  return text;
}

void describe_target(const std::string& wave, const ReleaseTarget& target, std::vector<PreviewLine>& out) {
  const auto& plan = target.plan;
  out.push_back({"  target " + target.context + "/" + target.ns + ": Deployment " + plan.target.deployment +
                     ", strategy " + plan::to_string(plan::kind_of(plan.strategy)) + ", plan " +
                     target.plan_path,
                 {{"kind", "releaseTarget"},
                  {"wave", wave},
                  {"context", target.context},
                  {"namespace", target.ns},
                  {"deployment", plan.target.deployment},
                  {"strategy", plan::to_string(plan::kind_of(plan.strategy))},
                  {"plan", target.plan_path}}});
  for (auto& line : describe_plan(plan)) {
    line.text = "    " + line.text;
    line.json["wave"] = wave;
    line.json["target"] = target.context + "/" + target.ns + "/" + plan.target.deployment;
    out.push_back(std::move(line));
  }
}

}  // namespace

std::vector<PreviewLine> describe_release(const Release& release) {
  std::vector<PreviewLine> out;
  describe_header(release, out);
  for (std::size_t i = 0; i < release.waves.size(); ++i) {
    const Wave& wave = release.waves[i];
    out.push_back({wave_text(i, wave),
                   {{"kind", "wave"},
                    {"wave", wave.name},
                    {"index", i + 1},
                    {"maxParallel", wave.max_parallel},
                    {"bake", plan::format_duration(wave.bake)},
                    {"failureBudget", wave.failure_budget}}});
    for (const auto& target : wave.targets) describe_target(wave.name, target, out);
  }
  return out;
}

}  // namespace sluice::report
