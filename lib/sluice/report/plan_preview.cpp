#include <sluice/report/plan_preview.hpp>

#include <sluice/http/client.hpp>
#include <sluice/plan/values.hpp>
#include <sluice/util/strings.hpp>

namespace sluice::report {

// The plan's vocabulary, used throughout.
using namespace sluice::plan;  // NOLINT(google-build-using-namespace)

namespace {

using nlohmann::ordered_json;

std::string plural(int n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string surge_text(const IntOrPercent& surge, const IntOrPercent& unavailable) {
  return "maxSurge " + format_int_or_percent(surge) + ", maxUnavailable " +
         format_int_or_percent(unavailable);
}

class Builder {
 public:
  void add(std::string text, ordered_json json) { lines_.push_back({std::move(text), std::move(json)}); }
  void step(const std::string& text, ordered_json json) {
    ++step_;
    json["step"] = step_;
    add("  " + std::to_string(step_) + ". " + text, std::move(json));
  }
  std::vector<PreviewLine> take() { return std::move(lines_); }

 private:
  std::vector<PreviewLine> lines_;
  int step_ = 0;
};

ordered_json step_json(const char* action) {
  return {{"kind", "step"}, {"step", 0}, {"action", action}};
}

// Where each key comes from (a public key is no secret, but its origin is what a reader checks).
void describe_verify(const VerifyPolicy& verify, Builder& out) {
  std::vector<std::string> origins;
  for (const auto& key : verify.keys) {
    if (!key.from) {
      origins.push_back("inline PEM");
      continue;
    }
    const auto& ref = *key.from;
    origins.push_back(ref.kind == SecretRef::Kind::env    ? "env " + ref.name
                      : ref.kind == SecretRef::Kind::file ? "file " + ref.name
                                                          : "Secret " + ref.name + " key " + ref.key);
  }
  std::string text = "verify: the image digest must be signed by " +
                     std::string(origins.size() == 1 ? "the key " : "one of the keys ") +
                     util::join(origins, ", ");
  std::vector<std::string> annotations;
  for (const auto& [k, v] : verify.annotations) annotations.push_back(std::string(k).append("=").append(v));
  if (!annotations.empty()) text += ", with " + util::join(annotations, ", ");
  if (!verify.attestations.empty()) text += "; attested: " + util::join(verify.attestations, ", ");
  out.add(text + ", before any change", {{"kind", "verify"},
                                         {"keys", origins},
                                         {"annotations", verify.annotations},
                                         {"attestations", verify.attestations}});
}

void describe_header(const Plan& plan, Builder& out) {
  out.add(
      "plan " + plan.name + " from " + plan.source_path + " (sha256 " + plan.source_hash.substr(0, 12) + ")",
      {{"kind", "plan"}, {"name", plan.name}, {"file", plan.source_path}, {"sha256", plan.source_hash}});
  const Target& t = plan.target;
  std::string ns = t.ns.empty() ? "<context's namespace>" : t.ns;
  std::string text = "target: Deployment " + ns + "/" + t.deployment;
  text += t.context.empty() ? " (current kubeconfig context)" : " (context " + t.context + ")";
  if (!t.service.empty()) text += ", Service " + t.service;
  if (!t.container.empty()) text += ", container " + t.container;
  out.add(text, {{"kind", "target"},
                 {"context", t.context},
                 {"namespace", t.ns},
                 {"deployment", t.deployment},
                 {"service", t.service},
                 {"container", t.container}});
  std::string image = "image: " + plan.image;
  if (!plan.platforms.empty())
    image += ", checked to exist for " + util::join(plan.platforms, ", ") + " before any change";
  out.add(image, {{"kind", "image"}, {"image", plan.image}, {"platforms", plan.platforms}});
  if (plan.verify) describe_verify(*plan.verify, out);
}

void describe_rolling(const RollingStrategy& s, const Plan& plan, Builder& out) {
  out.add("strategy: rolling update (" + surge_text(s.max_surge, s.max_unavailable) + ")",
          {{"kind", "strategy"},
           {"strategy", "rolling"},
           {"maxSurge", format_int_or_percent(s.max_surge)},
           {"maxUnavailable", format_int_or_percent(s.max_unavailable)}});
  auto update = step_json("update");
  update["image"] = plan.image;
  out.step("set the new image on Deployment " + plan.target.deployment + "; Kubernetes replaces the pods",
           update);
  if (s.checks.empty()) {
    // Nothing measures the new version alone: done by `kubectl rollout status` rules.
    out.step("wait until every new pod is available and no old replica is left", step_json("waitAvailable"));
    return;
  }
  out.step("wait until every new pod is available and the old pods are gone", step_json("waitAvailable"));
  auto checks = step_json("checks");
  checks["checks"] = s.checks;
  out.step("run checks " + util::join(s.checks, ", ") +
               " against the new version alone, its pods still watched for failures",
           checks);
}

void describe_blue_green(const BlueGreenStrategy& s, const Plan& plan, Builder& out) {
  out.add(
      "strategy: blue-green, Service " + plan.target.service + " switches from blue (stable) to green (new)",
      {{"kind", "strategy"},
       {"strategy", "blueGreen"},
       {"service", plan.target.service},
       {"previewService", s.preview_service},
       {"autoPromote", s.auto_promote},
       {"scaleDownDelay", format_duration(s.scale_down_delay)}});
  out.step("start green at full scale with the new image, serving no users", step_json("scaleUpGreen"));
  if (!s.preview_service.empty()) {
    auto preview = step_json("preview");
    preview["service"] = s.preview_service;
    out.step("point preview Service " + s.preview_service + " at green", preview);
  }
  if (!s.pre_promotion_checks.empty()) {
    auto checks = step_json("prePromotionChecks");
    checks["checks"] = s.pre_promotion_checks;
    out.step("run pre-promotion checks " + util::join(s.pre_promotion_checks, ", "), checks);
  }
  if (!s.auto_promote) out.step("pause until `sluice promote`", step_json("pause"));
  auto promote = step_json("switch");
  promote["service"] = plan.target.service;
  out.step("switch Service " + plan.target.service + " to green", promote);
  if (!s.post_promotion_checks.empty()) {
    auto checks = step_json("postPromotionChecks");
    checks["checks"] = s.post_promotion_checks;
    out.step("run post-promotion checks " + util::join(s.post_promotion_checks, ", "), checks);
  }
  auto scale_down = step_json("scaleDownBlue");
  scale_down["delay"] = format_duration(s.scale_down_delay);
  out.step("scale blue down after " + format_duration(s.scale_down_delay), scale_down);
}

void describe_canary_step(const Step& step, bool by_replicas, Builder& out) {
  if (auto* weight = std::get_if<SetWeightStep>(&step.action)) {
    auto json = step_json("setWeight");
    json["weight"] = weight->percent;
    std::string percent = std::to_string(weight->percent) + "%";
    out.step(by_replicas ? "run " + percent + " of the replicas as canary (about " + percent + " of traffic)"
                         : "send " + percent + " of traffic to the canary",
             json);
  } else if (auto* pause = std::get_if<PauseStep>(&step.action)) {
    auto json = step_json("pause");
    if (pause->duration) json["duration"] = format_duration(*pause->duration);
    out.step(pause->duration ? "pause " + format_duration(*pause->duration) : "pause until `sluice promote`",
             json);
  } else if (auto* analysis = std::get_if<AnalysisStep>(&step.action)) {
    auto json = step_json("analysis");
    json["checks"] = analysis->checks;
    out.step("run analysis " + util::join(analysis->checks, ", "), json);
  } else {
    const auto& scale = std::get<SetCanaryScaleStep>(step.action);
    auto json = step_json("setCanaryScale");
    std::string text = "scale the canary to ";
    if (scale.replicas) text += plural(*scale.replicas, "replica"), json["replicas"] = *scale.replicas;
    if (scale.weight) text += std::to_string(*scale.weight) + "% of replicas", json["weight"] = *scale.weight;
    if (scale.match_traffic_weight)
      text = "scale the canary to match its traffic weight", json["matchTrafficWeight"] = true;
    out.step(text, json);
  }
}

void describe_canary(const CanaryStrategy& s, const Plan& plan, Builder& out) {
  bool route = s.traffic == CanaryStrategy::Traffic::gateway_route;
  std::string traffic = route ? "HTTPRoute " + s.route_name + " weights between Services " +
                                    plan.target.service + " and " + s.canary_service
                              : "traffic split by replica count";
  out.add("strategy: canary, " + traffic + " (" + surge_text(s.max_surge, s.max_unavailable) + ")",
          {{"kind", "strategy"},
           {"strategy", "canary"},
           {"traffic", route ? "gatewayRoute" : "replicas"},
           {"route", s.route_name},
           {"canaryService", s.canary_service},
           {"maxSurge", format_int_or_percent(s.max_surge)},
           {"maxUnavailable", format_int_or_percent(s.max_unavailable)},
           {"backgroundChecks", s.background_checks}});
  if (!s.background_checks.empty()) {
    out.add("  background checks for the whole rollout: " + util::join(s.background_checks, ", "),
            {{"kind", "backgroundChecks"}, {"checks", s.background_checks}});
  }
  out.step("start the canary with the new image", step_json("startCanary"));
  for (const auto& step : s.steps) describe_canary_step(step, !route, out);
  out.step("promote: the new version becomes stable and takes all traffic; the old one scales down",
           step_json("promote"));
}

}  // namespace

namespace {

// Which credentials a check sends and where they come from; never a value.
std::string secret_origin(const SecretValue& value) {
  if (!value.from) return "inline";
  switch (value.from->kind) {
    case SecretRef::Kind::env: return "from env " + value.from->name;
    case SecretRef::Kind::file: return "from file " + value.from->name;
    case SecretRef::Kind::secret_key: return "from Secret " + value.from->name + " key " + value.from->key;
  }
  return "";
}

std::string credentials_text(const Credentials& c) {
  std::string text;
  if (c.basic_auth) text += ", basic auth (password " + secret_origin(c.basic_auth->password) + ")";
  if (c.bearer_token) text += ", bearer token (" + secret_origin(*c.bearer_token) + ")";
  std::vector<std::string> names;
  for (const auto& [name, value] : c.headers) names.push_back(name);
  if (!names.empty()) text += ", headers " + util::join(names, ", ");
  return text;
}

}  // namespace

std::string describe_check(const Check& check) {
  std::string text = check.name + ": ";
  if (auto* prom = std::get_if<PrometheusSource>(&check.source)) {
    text += "prometheus at " + http::redact_url(prom->address) + credentials_text(prom->credentials);
    if (check.success_condition) text += ", passes when " + check.success_condition->text;
    if (check.failure_condition) text += ", fails when " + check.failure_condition->text;
    if (check.baseline) text += ", compared with the stable version's baseline";
  } else if (auto* probe = std::get_if<HttpSource>(&check.source)) {
    text += "HTTP " + probe->method + " " + http::redact_url(probe->url) +
            credentials_text(probe->credentials) + " expects " + std::to_string(probe->expect_status) +
            " within " + format_duration(probe->timeout);
  } else {
    const auto& hook = std::get<WebhookSource>(check.source);
    text += "webhook " + http::redact_url(hook.url) + credentials_text(hook.credentials) + " within " +
            format_duration(hook.timeout);
  }
  text += "; " + plural(check.count, "measurement") + " every " + format_duration(check.interval);
  if (check.initial_delay.count() > 0) text += " after " + format_duration(check.initial_delay);
  text += ", fails after " + plural(check.failure_limit + 1, "failed measurement");
  return text;
}

std::vector<PreviewLine> describe_plan(const Plan& plan) {
  Builder out;
  describe_header(plan, out);
  if (auto* rolling = std::get_if<RollingStrategy>(&plan.strategy)) describe_rolling(*rolling, plan, out);
  if (auto* blue_green = std::get_if<BlueGreenStrategy>(&plan.strategy))
    describe_blue_green(*blue_green, plan, out);
  if (auto* canary = std::get_if<CanaryStrategy>(&plan.strategy)) describe_canary(*canary, plan, out);
  for (const auto& [name, check] : plan.checks) {
    out.add("check " + describe_check(check),
            {{"kind", "check"}, {"name", name}, {"summary", describe_check(check)}});
  }
  std::string rollback = plan.rollback_automatic
                             ? "rollback: automatic when a check fails or the progress deadline (" +
                                   format_duration(plan.progress_deadline) + ") passes"
                             : "rollback: manual; on failure sluice stops and leaves the rollout paused";
  if (!plan.rollback_automatic && std::holds_alternative<RollingStrategy>(plan.strategy))
    rollback += " (a rolling update still under way is held there: the Deployment is paused)";
  if (plan.min_available) {
    out.add("capacity: at least " + format_int_or_percent(*plan.min_available) +
                " of the replicas serve throughout",
            {{"kind", "capacity"}, {"minAvailable", format_int_or_percent(*plan.min_available)}});
  }
  out.add(rollback, {{"kind", "rollback"},
                     {"automatic", plan.rollback_automatic},
                     {"progressDeadline", format_duration(plan.progress_deadline)}});
  return out.take();
}

}  // namespace sluice::report
