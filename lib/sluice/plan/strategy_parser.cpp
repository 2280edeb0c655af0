// Reads the `strategy` section: exactly one of rolling, blueGreen, canary.
#include <sluice/plan/parse_parts.hpp>

#include <sluice/plan/diagnostic.hpp>

namespace sluice::plan::detail {

namespace {

constexpr Duration k_max_wait{24 * 3'600'000};

// Collects the check names listed under `key` for the reference check.
std::vector<std::string> read_check_list(const MapReader& reader, const std::string& key,
                                         std::vector<CheckRef>& refs, bool required = false) {
  auto items = reader.string_list(key, required);
  if (!items) return {};
  if (items->empty() && required && reader.find(key)->value.size() == 0)
    reader.error(key, "must name at least one check");
  std::vector<std::string> names;
  for (const auto& item : *items) {
    refs.push_back({item.text, item.mark, item.path});
    names.push_back(item.text);
  }
  return names;
}

void read_surge(const MapReader& reader, IntOrPercent& max_surge, IntOrPercent& max_unavailable) {
  if (auto surge = reader.int_or_percent("maxSurge")) max_surge = *surge;
  if (auto unavailable = reader.int_or_percent("maxUnavailable")) max_unavailable = *unavailable;
  if (max_surge.value == 0 && max_unavailable.value == 0) {
    reader.error(reader.has("maxSurge") ? "maxSurge" : "maxUnavailable",
                 "maxSurge and maxUnavailable cannot both be 0: the rollout could never make progress");
  }
}

std::optional<Strategy> read_rolling(const MapReader& strategy, std::vector<CheckRef>& refs) {
  const Field* field = strategy.find("rolling");
  RollingStrategy rolling;
  if (field->value.IsNull()) return rolling;  // `rolling:` alone takes every default
  MapReader reader(field->value, "strategy.rolling", strategy.value_mark(*field),
                   {"maxSurge", "maxUnavailable", "checks"}, strategy.sink());
  if (!reader.ok()) return std::nullopt;
  read_surge(reader, rolling.max_surge, rolling.max_unavailable);
  rolling.checks = read_check_list(reader, "checks", refs);
  return rolling;
}

std::optional<Strategy> read_blue_green(const MapReader& strategy, const StrategyInputs& inputs,
                                        std::vector<CheckRef>& refs) {
  const Field* field = strategy.find("blueGreen");
  BlueGreenStrategy blue_green;
  if (inputs.service.empty()) {
    strategy.sink().error(strategy.value_mark(*field), "target.service",
                          "blueGreen needs the Service users reach, to switch it between versions");
  }
  if (field->value.IsNull()) return blue_green;
  MapReader reader(
      field->value, "strategy.blueGreen", strategy.value_mark(*field),
      {"previewService", "prePromotionChecks", "postPromotionChecks", "autoPromote", "scaleDownDelay"},
      strategy.sink());
  if (!reader.ok()) return std::nullopt;
  blue_green.preview_service = reader.string("previewService").value_or("");
  if (!blue_green.preview_service.empty() && !is_dns_label(blue_green.preview_service))
    reader.error("previewService", quoted(blue_green.preview_service) + " is not a valid Service name");
  if (!blue_green.preview_service.empty() && blue_green.preview_service == inputs.service)
    reader.error("previewService", "must differ from target.service");
  blue_green.pre_promotion_checks = read_check_list(reader, "prePromotionChecks", refs);
  blue_green.post_promotion_checks = read_check_list(reader, "postPromotionChecks", refs);
  blue_green.auto_promote = reader.boolean("autoPromote").value_or(true);
  if (auto delay = reader.duration("scaleDownDelay", Duration(0), k_max_wait))
    blue_green.scale_down_delay = *delay;
  return blue_green;
}

// `traffic: replicas` or `traffic: {gatewayRoute: {name: ..., canaryService: ...}}`.
void read_traffic(const MapReader& canary, const StrategyInputs& inputs, CanaryStrategy& out) {
  const Field* field = canary.find("traffic");
  if (!field) return;
  if (field->value.IsScalar()) {
    if (field->value.Scalar() != "replicas") {
      canary.error("traffic",
                   "must be 'replicas' or {gatewayRoute: {name: ...}}, not " + quoted(field->value.Scalar()));
    }
    return;
  }
  MapReader traffic(field->value, canary.child_path("traffic"), canary.value_mark(*field), {"gatewayRoute"},
                    canary.sink());
  if (!traffic.ok()) return;
  const Field* route_field = traffic.find("gatewayRoute");
  if (!route_field) return traffic.missing("gatewayRoute");
  MapReader route(route_field->value, traffic.child_path("gatewayRoute"), traffic.value_mark(*route_field),
                  {"name", "canaryService"}, canary.sink());
  if (!route.ok()) return;
  out.traffic = CanaryStrategy::Traffic::gateway_route;
  out.route_name = route.string("name", true).value_or("");
  out.canary_service =
      route.string("canaryService").value_or(inputs.service.empty() ? "" : inputs.service + "-canary");
  if (inputs.service.empty()) {
    canary.sink().error(
        traffic.mark(), "target.service",
        "gatewayRoute traffic needs the Service users reach, the stable backend of the route");
  }
}

std::optional<Step> read_step(const YAML::Node& node, const std::string& path, const YAML::Mark& where,
                              const CanaryStrategy& canary, std::vector<CheckRef>& refs, Sink& sink);

std::optional<Strategy> read_canary(const MapReader& strategy, const StrategyInputs& inputs,
                                    std::vector<CheckRef>& refs) {
  const Field* field = strategy.find("canary");
  MapReader reader(field->value, "strategy.canary", strategy.value_mark(*field),
                   {"traffic", "steps", "backgroundChecks", "maxSurge", "maxUnavailable"}, strategy.sink());
  if (!reader.ok()) return std::nullopt;
  CanaryStrategy canary;
  read_traffic(reader, inputs, canary);
  read_surge(reader, canary.max_surge, canary.max_unavailable);
  canary.background_checks = read_check_list(reader, "backgroundChecks", refs);
  const Field* steps = reader.find("steps");
  if (!steps) {
    reader.missing("steps");
  } else if (!steps->value.IsSequence() || steps->value.size() == 0) {
    reader.error("steps", "must be a list of at least one step, not " + kind_of(steps->value));
  } else {
    for (std::size_t i = 0; i < steps->value.size(); ++i) {
      std::string path = reader.child_path("steps") + "[" + std::to_string(i) + "]";
      auto step = read_step(steps->value[i], path, reader.value_mark(*steps), canary, refs, strategy.sink());
      if (step) canary.steps.push_back(std::move(*step));
    }
  }
  return canary;
}

std::optional<Step> read_set_canary_scale(const MapReader& step, const CanaryStrategy& canary) {
  const Field* field = step.find("setCanaryScale");
  MapReader reader(field->value, step.child_path("setCanaryScale"), step.value_mark(*field),
                   {"replicas", "weight", "matchTrafficWeight"}, step.sink());
  if (!reader.ok()) return std::nullopt;
  if (canary.traffic != CanaryStrategy::Traffic::gateway_route) {
    step.error("setCanaryScale",
               "needs traffic: {gatewayRoute: ...}; with replica traffic the weight sets the scale");
  }
  int given = reader.has("replicas") + reader.has("weight") + reader.has("matchTrafficWeight");
  if (given != 1) {
    step.error("setCanaryScale", "give exactly one of replicas, weight or matchTrafficWeight");
    return std::nullopt;
  }
  SetCanaryScaleStep scale;
  if (auto replicas = reader.integer("replicas", 0, 10000)) scale.replicas = static_cast<int>(*replicas);
  if (auto weight = reader.integer("weight", 0, 100)) scale.weight = static_cast<int>(*weight);
  if (auto match = reader.boolean("matchTrafficWeight")) scale.match_traffic_weight = *match;
  return Step{scale, {}};
}

std::optional<Step> read_action(const MapReader& step, const std::string& action,
                                const CanaryStrategy& canary, std::vector<CheckRef>& refs) {
  if (action == "setWeight") {
    auto weight = step.integer("setWeight", 0, 100);
    if (!weight) return std::nullopt;
    return Step{SetWeightStep{static_cast<int>(*weight)}, {}};
  }
  if (action == "pause") {
    const Field* field = step.find("pause");
    if (field->value.IsNull()) return Step{PauseStep{}, {}};  // `pause:` waits for promote, like `pause: {}`
    MapReader pause(field->value, step.child_path("pause"), step.value_mark(*field), {"duration"},
                    step.sink());
    if (!pause.ok()) return std::nullopt;
    return Step{PauseStep{pause.duration("duration", Duration(1000), k_max_wait)}, {}};
  }
  if (action == "analysis") {
    const Field* field = step.find("analysis");
    MapReader analysis(field->value, step.child_path("analysis"), step.value_mark(*field), {"checks"},
                       step.sink());
    if (!analysis.ok()) return std::nullopt;
    return Step{AnalysisStep{read_check_list(analysis, "checks", refs, true)}, {}};
  }
  return read_set_canary_scale(step, canary);
}

std::optional<Step> read_step(const YAML::Node& node, const std::string& path, const YAML::Mark& where,
                              const CanaryStrategy& canary, std::vector<CheckRef>& refs, Sink& sink) {
  static const std::vector<std::string> actions = {"setWeight", "pause", "analysis", "setCanaryScale"};
  MapReader step(node, path, where, actions, sink);
  if (!step.ok()) return std::nullopt;
  std::vector<std::string> given;
  for (const auto& action : actions)
    if (step.has(action)) given.push_back(action);
  if (given.size() != 1) {
    sink.error(step.mark(), path,
               given.empty()
                   ? "a step needs one action: setWeight, pause, analysis or setCanaryScale"
                   : "has both '" + given[0] + "' and '" + given[1] + "'; give each action its own step");
    return std::nullopt;
  }
  auto out = read_action(step, given[0], canary, refs);
  if (out) out->pos = {step.mark().line + 1, step.mark().column + 1};
  return out;
}

}  // namespace

std::optional<Strategy> parse_strategy(const MapReader& plan, const StrategyInputs& inputs,
                                       std::vector<CheckRef>& refs) {
  const Field* field = plan.find("strategy");
  if (!field) {
    plan.missing("strategy");
    return std::nullopt;
  }
  static const std::vector<std::string> kinds = {"rolling", "blueGreen", "canary"};
  MapReader strategy(field->value, "strategy", plan.value_mark(*field), kinds, plan.sink());
  if (!strategy.ok()) return std::nullopt;
  std::vector<std::string> given;
  for (const auto& kind : kinds)
    if (strategy.has(kind)) given.push_back(kind);
  if (given.size() != 1) {
    plan.error("strategy", given.empty()
                               ? "choose one strategy: rolling, blueGreen or canary"
                               : "has both '" + given[0] + "' and '" + given[1] + "'; choose one strategy");
    return std::nullopt;
  }
  if (given[0] == "rolling") return read_rolling(strategy, refs);
  if (given[0] == "blueGreen") return read_blue_green(strategy, inputs, refs);
  return read_canary(strategy, inputs, refs);
}

}  // namespace sluice::plan::detail
