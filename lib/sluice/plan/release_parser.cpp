#include <sluice/plan/release_parser.hpp>

#include <sluice/plan/parse_parts.hpp>
#include <sluice/plan/parser.hpp>
#include <sluice/plan/source.hpp>
#include <sluice/registry/reference.hpp>
#include <sluice/util/sha256.hpp>

#include <filesystem>
#include <map>
#include <set>
#include <tuple>

namespace sluice::plan {

namespace {

using detail::Field;
using detail::MapReader;
using detail::Sink;

namespace fs = std::filesystem;

const std::vector<std::string> k_top_fields = {"apiVersion", "kind",      "metadata", "image", "platforms",
                                               "record",     "onFailure", "checks",   "waves"};
const std::vector<std::string> k_wave_fields = {"name", "maxParallel", "bake", "failureBudget", "targets"};
const std::vector<std::string> k_target_fields = {"context", "namespace", "plan"};

// An image the plans are read with when the release's own is invalid (that
// error is already reported): the plans' other problems are still found.
constexpr const char* k_placeholder_image = "registry.invalid/release-image:invalid";

SourcePos pos_of(const YAML::Mark& mark) {
  return {mark.line < 0 ? 0 : mark.line + 1, mark.column < 0 ? 0 : mark.column + 1};
}

std::optional<std::string> read_label(const MapReader& reader, const std::string& key, std::size_t max_length,
                                      const char* what) {
  auto value = reader.string(key, true);
  if (value && !detail::is_dns_label(*value, max_length)) {
    reader.error(key, plan::quoted(*value) + " is not a valid " + what + ": use at most " +
                          std::to_string(max_length) +
                          " lowercase letters, digits and '-', starting and ending with a letter or digit");
    return std::nullopt;
  }
  return value;
}

void read_header(const MapReader& top, Release& release) {
  if (auto version = top.string("apiVersion", true); version && *version != "sluice/v1")
    top.error("apiVersion", "must be sluice/v1, not " + plan::quoted(*version));
  if (auto kind = top.string("kind", true); kind && *kind != "Release")
    top.error("kind", "must be Release, not " + plan::quoted(*kind));
  const Field* metadata = top.find("metadata");
  if (!metadata) return top.missing("metadata");
  MapReader meta(metadata->value, "metadata", top.value_mark(*metadata), {"name"}, top.sink());
  // As a plan's name: it becomes part of object names (record, lock).
  if (meta.ok()) release.name = read_label(meta, "name", 53, "release name").value_or("");
}

void read_image(const MapReader& top, Release& release) {
  detail::read_image_fields(top, release.image, release.platforms);
}

void read_record_and_policy(const MapReader& top, Release& release) {
  if (const Field* field = top.find("record")) {
    MapReader record(field->value, "record", top.value_mark(*field), {"context", "namespace"}, top.sink());
    if (record.ok()) {
      release.record.context = record.string("context", true).value_or("");
      release.record.ns = read_label(record, "namespace", 63, "namespace").value_or("");
      release.record.pos = pos_of(record.mark());
    }
  } else {
    top.missing("record");
  }
  auto on_failure = top.string("onFailure");
  if (!on_failure || *on_failure == "rollbackAll") return;
  if (*on_failure == "hold") {
    release.on_failure = OnFailure::hold;
  } else {
    top.error("onFailure", "must be rollbackAll or hold, not " + plan::quoted(*on_failure));
  }
}

struct Context {
  std::string release_file;
  std::string image;  // what the plans are read with
  Sink& sink;
  std::vector<Diagnostic>& plan_diagnostics;       // problems inside the plans, in their own files
  std::map<std::string, std::string>& wave_names;  // name -> the first wave's path
  std::set<std::string>& reported_plans;           // plans whose problems are reported already
};

// Whether `path` can be read as a plan; reports in the release why not.
bool plan_file_usable(const MapReader& target, const std::string& path, const Context& ctx) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    target.error("plan", "plan file " + plan::quoted(path) + " does not exist");
    return false;
  }
  if (declared_kind(path) != "Release") return true;
  if (fs::equivalent(path, ctx.release_file, ec)) {
    target.error("plan", "names this release itself; a release's targets are plans");
  } else {
    target.error("plan", plan::quoted(path) + " is a Release, not a Plan; releases cannot contain releases");
  }
  return false;
}

std::string resolve(const std::string& release_file, const std::string& plan_file) {
  fs::path plan(plan_file);
  if (plan.is_absolute()) return plan.lexically_normal().string();
  return (fs::path(release_file).parent_path() / plan).lexically_normal().string();
}

std::optional<ReleaseTarget> read_target(const YAML::Node& node, const std::string& path,
                                         const YAML::Mark& where, const Context& ctx) {
  MapReader reader(node, path, where, k_target_fields, ctx.sink);
  if (!reader.ok()) return std::nullopt;
  ReleaseTarget target;
  target.pos = pos_of(reader.mark());
  auto context = reader.string("context", true);
  auto ns = read_label(reader, "namespace", 63, "namespace");
  auto plan_file = reader.string("plan", true);
  if (!context || !ns || !plan_file) return std::nullopt;
  target.context = *context;
  target.ns = *ns;
  target.plan_file = *plan_file;
  target.plan_path = resolve(ctx.release_file, *plan_file);
  if (!plan_file_usable(reader, target.plan_path, ctx)) return std::nullopt;
  PlanParse parse = load_plan(
      target.plan_path, {{"image", ctx.image}, {"target.context", *context}, {"target.namespace", *ns}});
  if (!parse.ok()) {
    // A plan several targets use: its problems once.
    if (!ctx.reported_plans.insert(target.plan_path).second) return std::nullopt;
    ctx.plan_diagnostics.insert(ctx.plan_diagnostics.end(), parse.diagnostics.begin(),
                                parse.diagnostics.end());
    return std::nullopt;
  }
  target.plan = std::move(*parse.plan);
  target.plan_text = std::move(parse.text);
  return target;
}

void read_targets(const MapReader& reader, Wave& wave, const Context& ctx) {
  const Field* field = reader.find("targets");
  if (!field) return reader.missing("targets");
  if (!field->value.IsSequence() || field->value.size() == 0) {
    return reader.error("targets",
                        "must be a list of at least one target, not " + detail::kind_of(field->value));
  }
  for (std::size_t i = 0; i < field->value.size(); ++i) {
    std::string path = reader.child_path("targets") + "[" + std::to_string(i) + "]";
    if (auto target = read_target(field->value[i], path, reader.value_mark(*field), ctx))
      wave.targets.push_back(std::move(*target));
  }
  if (wave.failure_budget > 0 && static_cast<std::size_t>(wave.failure_budget) >= field->value.size()) {
    reader.error("failureBudget", "must be less than the wave's " + std::to_string(field->value.size()) +
                                      " targets, or every target could fail and the release go on");
  }
}

std::optional<Wave> read_wave(const YAML::Node& node, const std::string& path, const YAML::Mark& where,
                              const Context& ctx) {
  MapReader reader(node, path, where, k_wave_fields, ctx.sink);
  if (!reader.ok()) return std::nullopt;
  Wave wave;
  wave.pos = pos_of(reader.mark());
  wave.name = read_label(reader, "name", 63, "wave name").value_or("");
  if (!wave.name.empty() && !ctx.wave_names.emplace(wave.name, path).second)
    reader.error("name", plan::quoted(wave.name) + " is already the name of " + ctx.wave_names[wave.name]);
  wave.max_parallel = static_cast<int>(reader.integer("maxParallel", 1, 100).value_or(1));
  wave.bake = reader.duration("bake", Duration(0), Duration(24 * 3'600'000)).value_or(Duration(0));
  wave.failure_budget = static_cast<int>(reader.integer("failureBudget", 0, 1000).value_or(0));
  read_targets(reader, wave, ctx);
  return wave;
}

void read_waves(const MapReader& top, Release& release, const Context& ctx) {
  const Field* field = top.find("waves");
  if (!field) return top.missing("waves");
  if (!field->value.IsSequence() || field->value.size() == 0)
    return top.error("waves", "must be a list of at least one wave, not " + detail::kind_of(field->value));
  for (std::size_t i = 0; i < field->value.size(); ++i) {
    std::string path = "waves[" + std::to_string(i) + "]";
    if (auto wave = read_wave(field->value[i], path, top.value_mark(*field), ctx))
      release.waves.push_back(std::move(*wave));
  }
}

YAML::Mark mark_at(const SourcePos& pos) {
  YAML::Mark mark;
  mark.line = pos.line - 1;
  mark.column = pos.column - 1;
  return mark;
}

// One Deployment in one namespace of one cluster is one target: deploying it
// twice in a release would make two rollouts fight over it.
void check_duplicates(const Release& release, Sink& sink) {
  std::map<std::tuple<std::string, std::string, std::string>, std::string> seen;  // -> where
  for (std::size_t w = 0; w < release.waves.size(); ++w) {
    for (const auto& target : release.waves[w].targets) {
      std::string where = "waves[" + std::to_string(w) + "] (" + release.waves[w].name + ") line " +
                          std::to_string(target.pos.line);
      auto key = std::make_tuple(target.context, target.ns, target.plan.target.deployment);
      auto [at, added] = seen.emplace(key, where);
      if (added) continue;
      sink.error(mark_at(target.pos), "waves[" + std::to_string(w) + "]",
                 "duplicate target: Deployment " + target.ns + "/" + target.plan.target.deployment +
                     " in context " + plan::quoted(target.context) + " is already a target in " + at->second);
    }
  }
}

// The image is resolved once, so its platforms are checked once: the
// release's and every plan's, together.
void gather_platforms(Release& release) {
  std::set<std::string> seen(release.platforms.begin(), release.platforms.end());
  for (auto& wave : release.waves) {
    for (auto& target : wave.targets) {
      for (auto& platform : target.plan.platforms)
        if (seen.insert(platform).second) release.platforms.push_back(platform);
      target.plan.platforms.clear();
    }
  }
}

void read_release(const YAML::Node& root, std::string_view bytes, const Context& ctx, Release& release) {
  MapReader top(root, "", YAML::Mark(), k_top_fields, ctx.sink);
  read_header(top, release);
  read_image(top, release);
  read_record_and_policy(top, release);
  release.checks = detail::parse_checks(top, bytes);
  Context plans = ctx;
  if (!release.image.empty()) plans.image = release.image;
  read_waves(top, release, plans);
  check_duplicates(release, ctx.sink);
  gather_platforms(release);
}

ReleaseParse refused(std::vector<Diagnostic> diagnostics) {
  ReleaseParse parse;
  parse.diagnostics = std::move(diagnostics);
  return parse;
}

std::optional<YAML::Node> load_root(std::string_view bytes, const std::string& file,
                                    std::vector<Diagnostic>& problems) {
  Document document = load_document(bytes, file);
  if (document.error) return problems.push_back(*document.error), std::nullopt;
  const YAML::Node& root = document.root;
  if (!root.IsMap()) {
    problems.push_back(Diagnostic{
        file, 0, 0, "",
        "a release is a mapping of fields (apiVersion, kind, metadata, ...), not " + detail::kind_of(root)});
    return std::nullopt;
  }
  return root;
}

}  // namespace

ReleaseParse parse_release(std::string_view bytes, const std::string& file) {
  std::vector<Diagnostic> problems;
  auto root = load_root(bytes, file, problems);
  if (!root) return refused(std::move(problems));
  Sink sink(file);
  std::vector<Diagnostic> plan_diagnostics;
  std::map<std::string, std::string> wave_names;
  std::set<std::string> reported_plans;
  Release release;
  read_release(*root, bytes,
               Context{file, k_placeholder_image, sink, plan_diagnostics, wave_names, reported_plans},
               release);
  if (!sink.empty() || !plan_diagnostics.empty()) {
    problems = sink.take();
    problems.insert(problems.end(), plan_diagnostics.begin(), plan_diagnostics.end());
    return refused(std::move(problems));
  }
  release.source_path = file;
  release.source_hash = util::sha256_hex(std::string(bytes));
  ReleaseParse parse;
  parse.release = std::move(release);
  return parse;
}

ReleaseParse load_release(const std::string& path) {
  SourceText source = read_plan_file(path);
  if (source.error) return refused({*source.error});
  return parse_release(source.bytes, path);
}

bool is_release_file(const std::string& path) {
  return declared_kind(path) == "Release";
}

}  // namespace sluice::plan
