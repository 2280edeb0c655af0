#include <sluice/drill/record.hpp>

#include <array>
#include <utility>

namespace sluice::drill {

using nlohmann::json;

namespace {

constexpr std::array<std::pair<DrillStep, const char*>, 7> k_steps = {{
    {DrillStep::recorded, "Recorded"},
    {DrillStep::capacity_raised, "CapacityRaised"},
    {DrillStep::survivors_ready, "SurvivorsReady"},
    {DrillStep::traffic_moved, "TrafficMoved"},
    {DrillStep::region_ready, "RegionReady"},
    {DrillStep::traffic_restored, "TrafficRestored"},
    {DrillStep::restored, "Restored"},
}};

util::Error bad(const std::string& field, const std::string& what) {
  return util::make_error(util::ErrorKind::invalid, "drill record: " + field + ": " + what);
}

util::Result<RecordedRegion> region_from_json(const json& in, const std::string& path) {
  if (!in.is_object()) return bad(path, "must be an object");
  RecordedRegion region;
  for (auto [key, out] : {std::pair{"region", &region.region}, std::pair{"context", &region.context},
                          std::pair{"namespace", &region.ns}, std::pair{"deployment", &region.deployment}}) {
    if (!in.contains(key) || !in[key].is_string() || in[key].get<std::string>().empty())
      return bad(path + "." + key, "must be a non-empty string");
    *out = in[key].get<std::string>();
  }
  for (auto [key, out] :
       {std::pair{"replicas", &region.replicas}, std::pair{"minReplicas", &region.min_replicas},
        std::pair{"maxReplicas", &region.max_replicas}}) {
    const json value = in.value(key, json(0));
    if (!value.is_number_integer() || value.get<long long>() < 0 || value.get<long long>() > 1'000'000)
      return bad(path + "." + key, "must be a non-negative integer");
    *out = value.get<int>();
  }
  region.hpa = in.value("hpa", "");
  return region;
}

}  // namespace

const char* to_string(DrillStep step) {
  for (const auto& [each, name] : k_steps)
    if (each == step) return name;
  return "Unknown";
}

std::optional<DrillStep> parse_drill_step(const std::string& text) {
  for (const auto& [each, name] : k_steps)
    if (text == name) return each;
  return std::nullopt;
}

json to_json(const DrillRecord& record) {
  json regions = json::array();
  for (const RecordedRegion& r : record.regions) {
    json region = {{"region", r.region},
                   {"context", r.context},
                   {"namespace", r.ns},
                   {"deployment", r.deployment},
                   {"replicas", r.replicas}};
    if (!r.hpa.empty()) {
      region["hpa"] = r.hpa;
      region["minReplicas"] = r.min_replicas;
      region["maxReplicas"] = r.max_replicas;
    }
    regions.push_back(std::move(region));
  }
  return {{"drill", record.drill}, {"from", record.from},       {"step", to_string(record.step)},
          {"regions", regions},    {"weights", record.weights}, {"startedAt", record.started_at}};
}

util::Result<DrillRecord> drill_record_from_json(const json& in) {
  if (!in.is_object()) return bad("", "must be an object");
  DrillRecord record;
  for (auto [key, out] : {std::pair{"drill", &record.drill}, std::pair{"from", &record.from}}) {
    if (!in.contains(key) || !in[key].is_string()) return bad(key, "must be a string");
    *out = in[key].get<std::string>();
  }
  auto step = parse_drill_step(in.value("step", ""));
  if (!step) return bad("step", "unknown step '" + in.value("step", "") + "'");
  record.step = *step;
  const json regions = in.value("regions", json());
  if (!regions.is_array() || regions.empty()) return bad("regions", "must be a non-empty list");
  for (std::size_t i = 0; i < regions.size(); ++i) {
    auto region = region_from_json(regions[i], "regions[" + std::to_string(i) + "]");
    if (!region) return region.error();
    record.regions.push_back(std::move(*region));
  }
  const json weights = in.value("weights", json::object());
  if (!weights.is_object()) return bad("weights", "must be an object");
  for (const auto& [region, weight] : weights.items()) {
    if (!weight.is_number_integer() || weight.get<long long>() < 0 || weight.get<long long>() > 1'000'000)
      return bad("weights." + region, "must be a non-negative integer");
    record.weights[region] = weight.get<int>();
  }
  record.started_at = in.value("startedAt", "");
  return record;
}

std::string record_name(const std::string& drill) {
  return "sluice-drill-" + drill;
}

FailoverStart failover_start(const std::optional<DrillRecord>& record, const std::string& from) {
  if (!record || record->step == DrillStep::restored) return FailoverStart::fresh;
  if (record->from != from) return FailoverStart::refuse;
  if (record->step > DrillStep::traffic_moved) return FailoverStart::refuse;  // a failback is under way
  return record->step == DrillStep::traffic_moved ? FailoverStart::already_done : FailoverStart::resume;
}

FailbackStart failback_start(const std::optional<DrillRecord>& record) {
  return !record || record->step == DrillStep::restored ? FailbackStart::nothing_to_do
                                                        : FailbackStart::resume;
}

}  // namespace sluice::drill
