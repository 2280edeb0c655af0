// Reads the `checks` section: named health checks and metric analyses with
// their conditions, which are parsed here, at validation time.
#include <sluice/plan/parse_parts.hpp>

#include <sluice/http/client.hpp>
#include <sluice/plan/condition.hpp>
#include <sluice/plan/diagnostic.hpp>

namespace sluice::plan::detail {

namespace {

constexpr Duration k_day{24 * 3'600'000};

const std::vector<std::string> k_check_fields = {
    "prometheus", "http",         "webhook", "baseline",     "successCondition",  "failureCondition",
    "interval",   "initialDelay", "count",   "failureLimit", "inconclusiveLimit", "consecutiveErrorLimit"};

// Spaces and control characters (possible through YAML escapes) are never
// part of a URL; refusing them here keeps them out of later messages too.
bool is_http_url(const std::string& url) {
  for (char c : url)
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
  return (url.rfind("http://", 0) == 0 && url.size() > 7) ||
         (url.rfind("https://", 0) == 0 && url.size() > 8);
}

// The URL without its user-info, which goes to `userinfo`.
std::optional<std::string> read_url(const MapReader& reader, const std::string& key,
                                    std::optional<BasicAuth>& userinfo) {
  auto url = reader.string(key, true);
  if (url && !is_http_url(*url)) {
    reader.error(key, quoted(http::redact_url(*url)) + " is not an http:// or https:// URL");
    return std::nullopt;
  }
  if (url) userinfo = take_userinfo(*url);
  return url;
}

std::optional<PrometheusSource> read_prometheus(const MapReader& check) {
  const Field* field = check.find("prometheus");
  MapReader reader(field->value, check.child_path("prometheus"), check.value_mark(*field),
                   {"address", "query", "headers", "basicAuth", "bearerToken"}, check.sink());
  if (!reader.ok()) return std::nullopt;
  PrometheusSource source;
  std::optional<BasicAuth> userinfo;
  source.address = read_url(reader, "address", userinfo).value_or("");
  if (source.address.find_first_of("?#") != std::string::npos) {  // the API path is appended to it
    reader.error("address", quoted(http::redact_url(source.address)) +
                                " has a query or fragment; give the base URL the Prometheus API is under");
    source.address.clear();
  }
  source.query = reader.string("query", true).value_or("");
  source.credentials = read_credentials(reader, std::move(userinfo));
  return source;
}

std::optional<HttpSource> read_http(const MapReader& check) {
  const Field* field = check.find("http");
  MapReader reader(
      field->value, check.child_path("http"), check.value_mark(*field),
      {"url", "method", "expectStatus", "bodyMatch", "timeout", "headers", "basicAuth", "bearerToken"},
      check.sink());
  if (!reader.ok()) return std::nullopt;
  HttpSource source;
  std::optional<BasicAuth> userinfo;
  source.url = read_url(reader, "url", userinfo).value_or("");
  if (auto method = reader.string("method")) {
    if (*method != "GET" && *method != "HEAD" && *method != "POST") {
      reader.error("method", "must be GET, HEAD or POST, not " + quoted(*method));
    } else {
      source.method = *method;
    }
  }
  if (auto status = reader.integer("expectStatus", 100, 599))
    source.expect_status = static_cast<int>(*status);
  source.body_match = reader.string("bodyMatch").value_or("");
  if (auto timeout = reader.duration("timeout", Duration(100), Duration(300'000))) source.timeout = *timeout;
  source.credentials = read_credentials(reader, std::move(userinfo));
  return source;
}

std::optional<WebhookSource> read_webhook(const MapReader& check) {
  const Field* field = check.find("webhook");
  MapReader reader(field->value, check.child_path("webhook"), check.value_mark(*field),
                   {"url", "timeout", "headers", "basicAuth", "bearerToken"}, check.sink());
  if (!reader.ok()) return std::nullopt;
  WebhookSource source;
  std::optional<BasicAuth> userinfo;
  source.url = read_url(reader, "url", userinfo).value_or("");
  if (auto timeout = reader.duration("timeout", Duration(100), Duration(300'000))) source.timeout = *timeout;
  source.credentials = read_credentials(reader, std::move(userinfo));
  return source;
}

// Where character `offset` of the condition is in the file: exact for
// single-line plain and quoted scalars; otherwise nullopt (the caller then
// names the character instead of the column).
std::optional<YAML::Mark> condition_mark(const YAML::Mark& start, std::string_view bytes, int offset) {
  if (start.pos < 0 || static_cast<std::size_t>(start.pos) >= bytes.size()) return std::nullopt;
  char first = bytes[static_cast<std::size_t>(start.pos)];
  if (first == '|' || first == '>') return std::nullopt;
  int skip = (first == '"' || first == '\'') ? 1 : 0;
  std::size_t end = static_cast<std::size_t>(start.pos) + static_cast<std::size_t>(skip + offset);
  if (end > bytes.size()) return std::nullopt;
  for (std::size_t i = static_cast<std::size_t>(start.pos); i < end; ++i)
    if (bytes[i] == '\n' || (first == '"' && bytes[i] == '\\')) return std::nullopt;
  YAML::Mark mark = start;
  mark.column += skip + offset;
  return mark;
}

std::optional<Condition> read_condition(const MapReader& check, const std::string& key, bool has_baseline,
                                        std::string_view bytes) {
  auto text = check.string(key);
  if (!text) return std::nullopt;
  ParsedCondition parsed = parse_condition(*text);
  YAML::Mark start = check.value_mark(*check.find(key));
  if (parsed.error) {
    auto mark = condition_mark(start, bytes, parsed.error->offset);
    std::string where = mark ? "" : " (at character " + std::to_string(parsed.error->offset + 1) + ")";
    check.sink().error(mark.value_or(start), check.child_path(key), parsed.error->message + where);
    return std::nullopt;
  }
  if (parsed.expr->uses_baseline() && !has_baseline) {
    check.error(key, "uses 'baseline' but the check has no baseline query");
    return std::nullopt;
  }
  return Condition{*text, parsed.expr};
}

void read_limits(const MapReader& reader, Check& check) {
  if (auto interval = reader.duration("interval", Duration(1000), k_day)) check.interval = *interval;
  if (auto delay = reader.duration("initialDelay", Duration(0), k_day)) check.initial_delay = *delay;
  auto count = reader.integer("count", 1, 1000);
  if (count) check.count = static_cast<int>(*count);
  bool count_usable = count || !reader.has("count");  // else its own error says what is wrong
  if (auto limit = reader.integer("failureLimit", 0, 1000)) {
    if (*limit >= check.count && count_usable) {
      reader.error("failureLimit", "must be less than count (" + std::to_string(check.count) +
                                       "), or the check could never fail");
    } else {
      check.failure_limit = static_cast<int>(*limit);
    }
  }
  if (auto limit = reader.integer("inconclusiveLimit", 0, 1000))
    check.inconclusive_limit = static_cast<int>(*limit);
  if (auto limit = reader.integer("consecutiveErrorLimit", 0, 100))
    check.consecutive_error_limit = static_cast<int>(*limit);
}

// Exactly one source; returns which, or "" after reporting.
std::string source_kind(const MapReader& reader) {
  std::vector<std::string> given;
  for (const char* kind : {"prometheus", "http", "webhook"})
    if (reader.has(kind)) given.push_back(kind);
  if (given.size() == 1) return given[0];
  reader.sink().error(reader.mark(), reader.path(),
                      given.empty()
                          ? "a check needs one source: prometheus, http or webhook"
                          : "has both '" + given[0] + "' and '" + given[1] + "'; a check has one source");
  return "";
}

void read_conditions(const MapReader& reader, const std::string& kind, std::string_view bytes, Check& check) {
  if (kind != "prometheus") {
    for (const char* key : {"baseline", "successCondition", "failureCondition"})
      if (reader.has(key)) reader.error(key, "applies to prometheus checks only");
    return;
  }
  if (const Field* field = reader.find("baseline")) {
    MapReader baseline(field->value, reader.child_path("baseline"), reader.value_mark(*field), {"query"},
                       reader.sink());
    if (baseline.ok()) check.baseline = Baseline{baseline.string("query", true).value_or("")};
  }
  bool has_baseline = reader.has("baseline");
  check.success_condition = read_condition(reader, "successCondition", has_baseline, bytes);
  check.failure_condition = read_condition(reader, "failureCondition", has_baseline, bytes);
  if (!reader.has("successCondition") && !reader.has("failureCondition")) {
    reader.sink().error(reader.mark(), reader.path(),
                        "a prometheus check needs successCondition or failureCondition");
  }
}

std::optional<Check> read_check(const std::string& name, const YAML::Node& node, const YAML::Mark& where,
                                std::string_view bytes, Sink& sink) {
  MapReader reader(node, "checks." + name, where, k_check_fields, sink);
  if (!reader.ok()) return std::nullopt;
  Check check;
  check.name = name;
  check.pos = {reader.mark().line + 1, reader.mark().column + 1};
  std::string kind = source_kind(reader);
  if (kind == "prometheus") {
    if (auto source = read_prometheus(reader)) check.source = *source;
  } else if (kind == "http") {
    if (auto source = read_http(reader)) check.source = *source;
  } else if (kind == "webhook") {
    if (auto source = read_webhook(reader)) check.source = *source;
  }
  if (!kind.empty()) read_conditions(reader, kind, bytes, check);
  read_limits(reader, check);
  return check;
}

}  // namespace

std::map<std::string, Check> parse_checks(const MapReader& plan, std::string_view bytes) {
  std::map<std::string, Check> checks;
  const Field* field = plan.find("checks");
  if (!field || field->value.IsNull()) return checks;  // `checks:` with nothing under it: none
  if (!field->value.IsMap()) {
    plan.error("checks", "must be a mapping of check names to checks, not " + kind_of(field->value));
    return checks;
  }
  for (const auto& entry : field->value) {
    YAML::Mark key_mark = mark_of(entry.first, plan.value_mark(*field));
    std::string name = entry.first.IsScalar() ? entry.first.Scalar() : "";
    if (!is_dns_label(name)) {
      plan.sink().error(key_mark, "checks",
                        quoted(name) + " is not a valid check name: use lowercase letters, digits and '-'");
      continue;
    }
    if (checks.count(name)) {
      plan.sink().error(key_mark, "checks." + name, "duplicate check name");
      continue;
    }
    if (auto check = read_check(name, entry.second, key_mark, bytes, plan.sink()))
      checks[name] = std::move(*check);
  }
  return checks;
}

}  // namespace sluice::plan::detail
