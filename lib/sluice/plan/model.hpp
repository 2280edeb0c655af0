// The in-memory form of a rollout plan (docs/plan-format.md): what the parser
// produces and every later stage (plan preview, strategies, gates) consumes.
// Values are already typed and range-checked; names are already resolved.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sluice::plan {

using Duration = std::chrono::milliseconds;

// Where a value came from in the plan file (1-based; 0 when unknown).
struct SourcePos {
  int line = 0;
  int column = 0;
};

// "25%" or "3", as in Kubernetes' maxSurge/maxUnavailable.
struct IntOrPercent {
  int value = 0;
  bool percent = false;
  // Absolute count for `total` replicas; percentages round up or down.
  int resolve(int total, bool round_up) const;
};

struct Target {
  std::string context;     // kubeconfig context; empty: current context
  std::string ns;          // namespace; empty: the kubeconfig context's namespace, else "default"
  std::string deployment;  // the Deployment sluice manages
  std::string service;     // the Service users reach; empty only for rolling and replica-traffic canaries
  std::string container;   // empty: the pod's only container
};

// A parsed condition over `result` (and `baseline` where the check has one);
// see plan/condition.hpp for the language. Kept as a shared, immutable tree.
class ConditionExpr;
struct Condition {
  std::string text;
  std::shared_ptr<const ConditionExpr> expr;
};

// A credential a check sends: written inline (`literal`), or a reference
// read only at run time, never stored (docs/plan-format.md, "Secrets").
struct SecretRef {
  enum class Kind { env, file, secret_key };
  Kind kind = Kind::env;
  std::string name;  // variable name, file path, or Secret name
  std::string key;   // secret_key: the key in the Secret's data
};
struct SecretValue {
  std::string literal{};
  std::optional<SecretRef> from{};  // set: read at run time, `literal` unused
};

// What stands in a recorded plan (state record) for an inline secret: a
// continuing command that meets it refuses to send it.
inline constexpr const char* k_redacted = "<redacted>";

struct BasicAuth {
  std::string username;  // a lone URL user-info (a token) is kept here too, and recorded redacted
  SecretValue password;
};

// Headers and authentication a check sends. URL user-info
// (http://user:pass@host) is moved here at parse time, so URLs in the model
// carry no password.
// Members carry `{}` so partial aggregate initialization builds warning-free.
struct Credentials {
  std::map<std::string, SecretValue> headers{};
  std::optional<BasicAuth> basic_auth{};
  std::optional<SecretValue> bearer_token{};
};

struct PrometheusSource {
  std::string address;  // http://prometheus:9090
  std::string query;    // may use {{namespace}}, {{service}}, {{canary_hash}}, {{stable_hash}}, ...
  Credentials credentials{};
};

struct HttpSource {
  std::string method = "GET";
  std::string url;
  int expect_status = 200;
  std::string body_match;  // substring the body must contain; empty: any
  Duration timeout{2000};
  Credentials credentials{};
};

struct WebhookSource {
  std::string url;
  Duration timeout{5000};
  Credentials credentials{};
};

// Compare canary against stable: the same query run for the stable version
// is exposed to conditions as `baseline`.
struct Baseline {
  std::string query;
};

struct Check {
  std::string name;
  std::variant<PrometheusSource, HttpSource, WebhookSource> source;
  std::optional<Condition> success_condition;
  std::optional<Condition> failure_condition;
  std::optional<Baseline> baseline;
  Duration interval{30000};
  Duration initial_delay{0};
  int count = 1;
  int failure_limit = 0;
  int inconclusive_limit = 0;
  int consecutive_error_limit = 4;
  SourcePos pos;
};

struct SetWeightStep {
  int percent = 0;
};
struct PauseStep {
  std::optional<Duration> duration;  // none: wait for `sluice promote`
};
struct AnalysisStep {
  std::vector<std::string> checks;
};
struct SetCanaryScaleStep {
  std::optional<int> replicas;
  std::optional<int> weight;
  bool match_traffic_weight = false;
};
struct Step {
  std::variant<SetWeightStep, PauseStep, AnalysisStep, SetCanaryScaleStep> action;
  SourcePos pos;
};

struct RollingStrategy {
  IntOrPercent max_surge{25, true};
  IntOrPercent max_unavailable{0, false};
  std::vector<std::string> checks;
};

struct BlueGreenStrategy {
  std::string preview_service;
  std::vector<std::string> pre_promotion_checks;
  std::vector<std::string> post_promotion_checks;
  bool auto_promote = true;
  Duration scale_down_delay{30000};
};

struct CanaryStrategy {
  enum class Traffic { replicas, gateway_route };
  Traffic traffic = Traffic::replicas;
  std::string route_name;      // for gateway_route
  std::string canary_service;  // for gateway_route; default "<service>-canary"
  std::vector<Step> steps;
  std::vector<std::string> background_checks;
  IntOrPercent max_surge{25, true};
  IntOrPercent max_unavailable{0, false};
};

using Strategy = std::variant<RollingStrategy, BlueGreenStrategy, CanaryStrategy>;

// Which strategy a plan (or a record) runs, in the variant's order; the
// names are the plan's keys and what records store.
enum class StrategyKind { rolling, blue_green, canary };
inline StrategyKind kind_of(const Strategy& strategy) {
  return static_cast<StrategyKind>(strategy.index());
}
inline const char* to_string(StrategyKind kind) {
  switch (kind) {
    case StrategyKind::rolling: return "rolling";
    case StrategyKind::blue_green: return "blueGreen";
    case StrategyKind::canary: return "canary";
  }
  return "rolling";
}
inline std::optional<StrategyKind> parse_strategy_kind(const std::string& text) {
  for (auto kind : {StrategyKind::rolling, StrategyKind::blue_green, StrategyKind::canary})
    if (text == to_string(kind)) return kind;
  return std::nullopt;
}

// `verify`: the image digest must be signed by one of `keys` (public keys,
// PEM: inline, or valueFrom env/file/secretKeyRef) before anything changes
// (docs/supply-chain.md).
struct VerifyPolicy {
  std::vector<SecretValue> keys;
  std::map<std::string, std::string> annotations;  // required in the signed payload
  std::vector<std::string> attestations;           // predicate types required (short names or URIs)
};

struct Plan {
  std::string name;  // metadata.name: the rollout's name
  Target target;
  std::string image;
  std::vector<std::string> platforms;  // "linux/amd64", "linux/arm/v7"
  Duration progress_deadline{600000};
  std::optional<IntOrPercent>
      min_available;  // serving-capacity floor; default replicas - maxUnavailable, >= 1
  Strategy strategy;
  std::map<std::string, Check> checks;
  bool rollback_automatic = true;
  std::optional<VerifyPolicy> verify;

  std::string source_path;  // the file it was read from
  std::string source_hash;  // sha256 of the file's bytes (and overrides), for resume checks
  // Fields given on the command line (--image, --set; plan/overrides.hpp):
  // field path -> value, only those that differ from the file.
  std::map<std::string, std::string> overrides;
};

}  // namespace sluice::plan
