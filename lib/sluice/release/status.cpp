#include <sluice/release/status.hpp>

#include <sluice/engine/commands.hpp>
#include <sluice/kube/resources.hpp>
#include <sluice/state/lease_lock.hpp>
#include <sluice/util/exit_code.hpp>

#include <fmt/format.h>

#include <ostream>

namespace sluice::release {

namespace {

using nlohmann::json;

std::string target_name(const TargetRecord& t) {
  return t.context + "/" + t.ns + "/" + t.deployment;
}

void print_target(const TargetRecord& t, std::ostream& out) {
  std::string detail;
  // A target that ended Done needs no explanation; any other outcome says why.
  if (t.outcome != TargetOutcome::done && (t.exit_code != 0 || !t.message.empty()))
    detail = fmt::format("  (exit {}{})", t.exit_code, t.message.empty() ? "" : ": " + t.message);
  out << fmt::format("  target   {:<12} {:<32} {:<10} {}{}{}\n", t.wave, target_name(t), t.strategy,
                     to_string(t.outcome), t.unchanged ? " (already served the digest)" : "", detail);
}

json without_history(const ReleaseRecord& record) {
  json j = to_json(record);
  j.erase("history");
  return j;
}

}  // namespace

int release_status_exit_code(const ReleaseRecord& record, bool abandoned) {
  if (record.phase == "Succeeded") return k_exit_ok;
  if (record.phase == "RolledBack") return k_exit_rolled_back;
  if (record.phase == "Held") return k_exit_paused;
  if (record.phase == "Failed") return k_exit_needs_human;
  return abandoned ? k_exit_interrupted : k_exit_ok;
}

util::Result<ReleaseRecord> read_release_record(kube::Client& kube, const std::string& ns,
                                                const std::string& name) {
  ReleaseStore store(kube, ns, name);
  auto loaded = store.load();
  if (!loaded) return loaded.error();
  if (!*loaded)
    return util::make_error(util::ErrorKind::not_found, "no release named " + name + " in namespace " + ns);
  return std::move(**loaded);
}

util::Result<ReleaseStatus> read_release_status(kube::Client& kube, util::Clock& clock, const std::string& ns,
                                                const std::string& name) {
  auto record = read_release_record(kube, ns, name);
  if (!record) return record.error();
  ReleaseStatus status;
  status.record = std::move(*record);
  if (status.record.phase == "Progressing") {
    // Only an unfinished release has a holder worth naming: a finished apply
    // may leave its Lease as it was.
    auto lease = kube.get(kube::k_leases, ns, state::LeaseLock::lease_name(ReleaseStore::lock_rollout(name)));
    if (lease) status.lock_holder = engine::live_lock_holder(*lease, clock.wall_now());
    status.abandoned = status.lock_holder.empty();
  }
  status.exit_code = release_status_exit_code(status.record, status.abandoned);
  return status;
}

void print_release_status(const ReleaseStatus& status, std::ostream& out, bool json) {
  const ReleaseRecord& r = status.record;
  if (json) {
    out << json::object({{"release", without_history(r)},
                         {"lockHolder", status.lock_holder},
                         {"abandoned", status.abandoned},
                         {"exitCode", status.exit_code}})
               .dump()
        << "\n";
    return;
  }
  out << fmt::format("release {}: {}{}\n", r.name, r.phase, r.message.empty() ? "" : " — " + r.message);
  out << fmt::format("  image    {}\n  digest   {}\n  failure  {}\n", r.image, r.digest, r.on_failure);
  out << fmt::format("  started  {}, updated {}\n", r.started_at, r.updated_at);
  for (const auto& t : r.targets) print_target(t, out);
  if (r.phase != "Progressing") return;
  out << "  lock     " << (status.lock_holder.empty() ? "free" : "held by " + status.lock_holder) << "\n";
  if (status.abandoned)
    out << "  note     no process is running this release: `sluice apply` of its file resumes it\n";
}

void print_release_history(const ReleaseRecord& record, std::ostream& out, bool json) {
  std::vector<const ReleaseRecord*> runs;
  for (const auto& past : record.history) runs.push_back(&past);
  runs.push_back(&record);
  for (const ReleaseRecord* run : runs) {
    if (json) {
      out << without_history(*run).dump() << "\n";
      continue;
    }
    std::size_t done = 0;
    for (const auto& t : run->targets) done += t.outcome == TargetOutcome::done ? 1 : 0;
    out << fmt::format("{:<11} {}  {}  {}/{} target(s) done{}\n", run->phase, run->updated_at, run->digest,
                       done, run->targets.size(), run->message.empty() ? "" : "  — " + run->message);
  }
}

}  // namespace sluice::release
