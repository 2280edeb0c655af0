#include <kubesim/controller_math.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace kubesim {

using sluice::util::ErrorKind;
using sluice::util::make_error;

sluice::util::Result<int> scaled_value(const Json& int_or_percent, int total, bool round_up) {
  if (int_or_percent.is_number_integer()) return int_or_percent.get<int>();
  const std::string prefix = "invalid value for IntOrString: ";
  if (!int_or_percent.is_string())
    return make_error(ErrorKind::invalid, prefix + "invalid type: neither int nor percentage");
  std::string text = int_or_percent.get<std::string>();
  if (text.empty() || text.back() != '%') {
    return make_error(ErrorKind::invalid, prefix + "invalid type: string is not a percentage");
  }
  int percent = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, percent);
  if (ec != std::errc() || end != text.data() + text.size() - 1) {
    return make_error(ErrorKind::invalid, prefix + "invalid value \"" + text + "\"");
  }
  double scaled = static_cast<double>(percent) * total / 100.0;
  return static_cast<int>(round_up ? std::ceil(scaled) : std::floor(scaled));
}

sluice::util::Result<Fenceposts> resolve_fenceposts(const Json& max_surge, const Json& max_unavailable,
                                                    int desired) {
  auto surge = scaled_value(max_surge.is_null() ? Json(0) : max_surge, desired, true);
  if (!surge) return surge.error().with_context("maxSurge");
  auto unavailable = scaled_value(max_unavailable.is_null() ? Json(0) : max_unavailable, desired, false);
  if (!unavailable) return unavailable.error().with_context("maxUnavailable");
  Fenceposts result{*surge, *unavailable};
  // Both may only be zero through rounding; surge may be blocked by quota, so unavailable gives way.
  if (result.max_surge == 0 && result.max_unavailable == 0) result.max_unavailable = 1;
  return result;
}

sluice::util::Result<RolloutLimits> rollout_limits(const Json& spec) {
  RolloutLimits limits;
  limits.replicas = static_cast<int>(int_at(spec, "/replicas", 1));
  limits.rolling = string_at(spec, "/strategy/type", "RollingUpdate") == "RollingUpdate";
  if (!limits.rolling) return limits;
  Json rolling = spec.contains(Json::json_pointer("/strategy/rollingUpdate"))
                     ? spec["strategy"]["rollingUpdate"]
                     : Json::object();
  Json surge = rolling.is_object() && rolling.contains("maxSurge") ? rolling["maxSurge"] : Json("25%");
  Json unavailable =
      rolling.is_object() && rolling.contains("maxUnavailable") ? rolling["maxUnavailable"] : Json("25%");
  auto fence = resolve_fenceposts(surge, unavailable, limits.replicas);
  if (!fence) return fence.error();
  limits.max_surge = fence->max_surge;
  limits.max_unavailable = limits.replicas == 0 ? 0 : std::min(fence->max_unavailable, limits.replicas);
  return limits;
}

int new_rs_new_replicas(const RolloutLimits& limits, int all_replicas, int new_rs_replicas) {
  if (!limits.rolling) return limits.replicas;
  int max_total = limits.replicas + limits.max_surge;
  if (all_replicas >= max_total) return new_rs_replicas;
  int scale_up = std::min(max_total - all_replicas, limits.replicas - new_rs_replicas);
  return new_rs_replicas + scale_up;
}

std::vector<std::pair<std::string, int>> old_replica_set_scale_down(
    const RolloutLimits& limits, const std::vector<ReplicaSetCounts>& old_oldest_first,
    const ReplicaSetCounts& new_rs) {
  std::vector<ReplicaSetCounts> old = old_oldest_first;
  int old_pods = 0;
  int old_available = 0;
  for (const auto& rs : old) {
    old_pods += rs.replicas;
    old_available += rs.available;
  }
  if (old_pods == 0) return {};
  int min_available = limits.replicas - limits.max_unavailable;
  int new_unavailable = new_rs.replicas - new_rs.available;
  int max_scaled_down = old_pods + new_rs.replicas - min_available - new_unavailable;
  if (max_scaled_down <= 0) return {};

  // cleanupUnhealthyReplicas: unavailable old pods go first, they cost no availability.
  int cleaned = 0;
  for (auto& rs : old) {
    if (cleaned >= max_scaled_down) break;
    if (rs.replicas == 0 || rs.replicas == rs.available) continue;
    int count = std::min(max_scaled_down - cleaned, rs.replicas - rs.available);
    rs.replicas -= count;
    cleaned += count;
  }
  // scaleDownOldReplicaSetsForRollingUpdate: then only as far as availability allows.
  int available = old_available + new_rs.available;
  if (available > min_available) {
    int budget = available - min_available;
    for (auto& rs : old) {
      if (budget <= 0) break;
      int count = std::min(rs.replicas, budget);
      rs.replicas -= count;
      budget -= count;
    }
  }
  std::vector<std::pair<std::string, int>> changes;
  for (std::size_t i = 0; i < old.size(); ++i) {
    if (old[i].replicas != old_oldest_first[i].replicas) changes.emplace_back(old[i].name, old[i].replicas);
  }
  return changes;
}

namespace {

// getReplicaSetFraction: this ReplicaSet's share of the change in the deployment's maximum size.
int replica_set_fraction(const ScalingReplicaSet& rs, const RolloutLimits& limits, int status_replicas) {
  if (limits.replicas == 0) return -rs.replicas;
  int max_now = limits.replicas + limits.max_surge;
  int max_before = rs.max_replicas_annotation.value_or(0);
  if (max_before == 0) max_before = status_replicas;
  if (max_before == 0) return 0;
  double size = static_cast<double>(rs.replicas) * max_now / max_before;
  return static_cast<int>(std::round(size)) - rs.replicas;
}

int proportion(const ScalingReplicaSet& rs, const RolloutLimits& limits, int status_replicas, int to_add,
               int added) {
  if (rs.replicas == 0 || to_add == 0 || to_add == added) return 0;
  int fraction = replica_set_fraction(rs, limits, status_replicas);
  int allowed = to_add - added;
  return to_add > 0 ? std::min(fraction, allowed) : std::max(fraction, allowed);
}

}  // namespace

std::map<std::string, int> proportional_sizes(const RolloutLimits& limits, int deployment_status_replicas,
                                              std::vector<ScalingReplicaSet> active) {
  int total = 0;
  for (const auto& rs : active) total += rs.replicas;
  int allowed = limits.replicas > 0 ? limits.replicas + limits.max_surge : 0;
  int to_add = allowed - total;
  // Largest first; on equal size, newer first when growing and older first when shrinking.
  std::stable_sort(active.begin(), active.end(), [to_add](const auto& a, const auto& b) {
    if (a.replicas != b.replicas) return a.replicas > b.replicas;
    return to_add > 0 ? a.age_rank > b.age_rank : a.age_rank < b.age_rank;
  });
  std::map<std::string, int> sizes;
  int added = 0;
  for (const auto& rs : active) {
    int share = proportion(rs, limits, deployment_status_replicas, to_add, added);
    sizes[rs.name] = rs.replicas + share;
    added += share;
  }
  if (!active.empty() && to_add != 0) {
    int& largest = sizes[active.front().name];
    largest = std::max(0, largest + to_add - added);  // leftovers go to the largest
  }
  return sizes;
}

std::uint32_t fnv32a(const std::string& bytes, std::uint32_t hash) {
  for (unsigned char byte : bytes) {
    hash ^= byte;
    hash *= 16777619u;
  }
  return hash;
}

namespace {
constexpr const char k_alphanums[] = "bcdfghjklmnpqrstvwxz2456789";
constexpr std::size_t k_alphanums_size = sizeof(k_alphanums) - 1;
}  // namespace

std::string safe_encode_string(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char byte : text) out.push_back(k_alphanums[byte % k_alphanums_size]);
  return out;
}

std::string pod_template_hash(const Json& pod_template, std::optional<int> collision_count) {
  std::uint32_t hash = fnv32a(template_without_hash(pod_template).dump());
  if (collision_count) {
    std::string bytes(8, '\0');
    auto count = static_cast<std::uint32_t>(*collision_count);
    for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>((count >> (8 * i)) & 0xffu);
    hash = fnv32a(bytes, hash);
  }
  return safe_encode_string(std::to_string(hash));
}

std::string random_suffix(std::mt19937& rng, int length) {
  std::uniform_int_distribution<std::size_t> pick(0, k_alphanums_size - 1);
  std::string out;
  for (int i = 0; i < length; ++i) out.push_back(k_alphanums[pick(rng)]);
  return out;
}

long long max_revision(const std::vector<long long>& revisions) {
  long long max = 0;
  for (long long revision : revisions) max = std::max(max, revision);
  return max;
}

namespace {
constexpr std::size_t k_max_revision_history_chars = 2000;

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = text.find(',', start);
    parts.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) return parts;
    start = comma + 1;
  }
}
}  // namespace

RevisionAnnotations next_revision_annotations(const std::string& current_revision,
                                              const std::string& current_history, long long new_revision) {
  RevisionAnnotations out{false, current_revision, current_history};
  long long old_revision = 0;
  if (!current_revision.empty()) {
    auto [end, ec] = std::from_chars(current_revision.data(),
                                     current_revision.data() + current_revision.size(), old_revision);
    if (ec != std::errc() || end != current_revision.data() + current_revision.size()) return out;
  }
  if (old_revision >= new_revision) return out;
  out.changed = true;
  out.revision = std::to_string(new_revision);
  if (current_revision.empty()) return out;
  // A reused ReplicaSet (rollback) remembers the revisions it had, within a length limit.
  if (current_history.empty()) {
    out.history = current_revision;
    return out;
  }
  std::vector<std::string> old = split_commas(current_history);
  std::size_t total = current_history.size() + current_revision.size() + 1;
  std::size_t start = 0;
  while (total > k_max_revision_history_chars && start < old.size()) total -= old[start++].size() + 1;
  if (total > k_max_revision_history_chars) return out;
  std::string joined;
  for (std::size_t i = start; i < old.size(); ++i) joined += old[i] + ",";
  out.history = joined + current_revision;
  return out;
}

std::vector<std::string> replica_sets_beyond_history(std::vector<HistoryEntry> old_rss, int limit) {
  std::erase_if(old_rss, [](const HistoryEntry& rs) { return rs.deleting; });
  int excess = static_cast<int>(old_rss.size()) - limit;
  if (excess <= 0) return {};
  std::stable_sort(old_rss.begin(), old_rss.end(), [](const auto& a, const auto& b) {
    return a.revision != b.revision ? a.revision < b.revision : a.age_rank < b.age_rank;
  });
  std::vector<std::string> doomed;
  for (int i = 0; i < excess; ++i) {
    const HistoryEntry& rs = old_rss[static_cast<std::size_t>(i)];
    if (rs.status_replicas != 0 || rs.spec_replicas != 0 || !rs.settled) continue;
    doomed.push_back(rs.name);
  }
  return doomed;
}

DeploymentCounts deployment_counts(const Json& status) {
  DeploymentCounts counts;
  counts.observed_generation = int_at(status, "/observedGeneration", 0);
  counts.replicas = static_cast<int>(int_at(status, "/replicas", 0));
  counts.updated = static_cast<int>(int_at(status, "/updatedReplicas", 0));
  counts.ready = static_cast<int>(int_at(status, "/readyReplicas", 0));
  counts.available = static_cast<int>(int_at(status, "/availableReplicas", 0));
  counts.unavailable = static_cast<int>(int_at(status, "/unavailableReplicas", 0));
  return counts;
}

bool deployment_complete(int spec_replicas, long long generation, const DeploymentCounts& status) {
  return status.updated == spec_replicas && status.replicas == spec_replicas &&
         status.available == spec_replicas && status.observed_generation >= generation;
}

bool deployment_progressing(const DeploymentCounts& before, const DeploymentCounts& after) {
  int old_before = before.replicas - before.updated;
  int old_after = after.replicas - after.updated;
  return after.updated > before.updated || old_after < old_before || after.ready > before.ready ||
         after.available > before.available;
}

Json make_condition(const std::string& type, const std::string& status, const std::string& reason,
                    const std::string& message, const std::string& now) {
  return Json{{"type", type},     {"status", status},  {"lastUpdateTime", now}, {"lastTransitionTime", now},
              {"reason", reason}, {"message", message}};
}

const Json* find_condition(const Json& status, const std::string& type) {
  if (!status.contains("conditions") || !status["conditions"].is_array()) return nullptr;
  for (const Json& condition : status["conditions"]) {
    if (string_at(condition, "/type") == type) return &condition;
  }
  return nullptr;
}

void remove_condition(Json& status, const std::string& type) {
  if (!status.contains("conditions") || !status["conditions"].is_array()) return;
  Json kept = Json::array();
  for (const Json& condition : status["conditions"]) {
    if (string_at(condition, "/type") != type) kept.push_back(condition);
  }
  status["conditions"] = std::move(kept);
}

void set_condition(Json& status, Json condition) {
  std::string type = string_at(condition, "/type");
  if (const Json* current = find_condition(status, type)) {
    if ((*current)["status"] == condition["status"] && (*current)["reason"] == condition["reason"]) return;
    if ((*current)["status"] == condition["status"])
      condition["lastTransitionTime"] = (*current)["lastTransitionTime"];
  }
  remove_condition(status, type);
  if (!status.contains("conditions") || !status["conditions"].is_array())
    status["conditions"] = Json::array();
  status["conditions"].push_back(std::move(condition));
}

}  // namespace kubesim
