// The pieces of the plan parser, one per section of the format; internal to
// lib/sluice/plan. Each reports its problems into the Sink and returns what it
// could read.
#pragma once

#include <sluice/plan/fields.hpp>
#include <sluice/plan/model.hpp>
#include <sluice/plan/notifications.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::plan::detail {

// A place in the plan that names a check, verified once all checks are read.
struct CheckRef {
  std::string name;
  YAML::Mark mark;
  std::string path;
};

// What the strategy needs to know about the rest of the plan.
struct StrategyInputs {
  std::string service;  // target.service, possibly empty
};

std::optional<Strategy> parse_strategy(const MapReader& plan, const StrategyInputs& inputs,
                                       std::vector<CheckRef>& refs);

// `bytes` is the whole file, used to point at a column inside a condition.
std::map<std::string, Check> parse_checks(const MapReader& plan, std::string_view bytes);

// Removes the user-info of `url` ("http://user:pass@host" -> "http://host")
// and returns it, percent-decoded, as basic auth; nullopt when there is none.
std::optional<BasicAuth> take_userinfo(std::string& url);

// A string, or {valueFrom: {env: NAME} | {file: PATH} | {secretKeyRef: {name: N, key: K}}}.
std::optional<SecretValue> read_secret(const YAML::Node& node, const std::string& path,
                                       const YAML::Mark& where, Sink& sink);

// The `notifications` section of a plan or of the user config file.
Notifications parse_notifications(const MapReader& top);

// The `headers`, `basicAuth` and `bearerToken` of a check source; `from_url`
// is the user-info taken from its URL (an error when basicAuth is given too).
Credentials read_credentials(const MapReader& source, std::optional<BasicAuth> from_url);

// A string, or {valueFrom: {env} | {file} | {secretKeyRef: {name, key}}}.
std::optional<SecretValue> read_secret_value(const YAML::Node& node, const std::string& path,
                                             const YAML::Mark& where, Sink& sink);

// The `verify` section (image signatures); nullopt when there is none.
std::optional<VerifyPolicy> parse_verify(const MapReader& plan);

// Reports every {{variable}} of a check's query or URL that has no value in
// `plan` (its strategy and target already read): see plan/template_vars.hpp.
void check_template_variables(const MapReader& plan_reader, const Plan& plan, std::string_view bytes);

// True when `name` is a DNS-1123 label (lowercase letters, digits, '-';
// starting and ending with a letter or digit) of at most `max_length` bytes.
bool is_dns_label(const std::string& name, std::size_t max_length = 63);

// True for os/arch or os/arch/variant, as OCI image indexes spell platforms.
bool is_platform(const std::string& text);

// True when a document's `root` is a mapping; otherwise reports that `what`
// ("a plan", "a drill") is a mapping of fields and returns false.
bool is_fields_mapping(const YAML::Node& root, Sink& sink, const std::string& what);

// `image` (required; checked with the registry's own grammar) and
// `platforms` (os/arch, none twice) of a plan or a release, into `image`
// and `platforms`; a field in error is left as it was.
void read_image_fields(const MapReader& top, std::string& image, std::vector<std::string>& platforms);

}  // namespace sluice::plan::detail
