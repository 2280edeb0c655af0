#include <sluice/plan/secrets.hpp>

#include <sluice/http/client.hpp>
#include <sluice/util/strings.hpp>

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <variant>

namespace sluice::plan {

namespace {

struct Replacement {
  YAML::Node node;
  std::string value;
};

bool looks_like_url(const std::string& text) {
  return text.find("://") != std::string::npos;
}

// Collects the scalars of `node` that hold inline secrets; `key` is the key
// `node` is the value of, `parent_key` the one above it.
void collect(const YAML::Node& node, const std::string& key, const std::string& parent_key,
             std::vector<Replacement>& out) {
  if (node.IsMap()) {
    for (const auto& entry : node)
      collect(entry.second, entry.first.IsScalar() ? entry.first.Scalar() : "", key, out);
    return;
  }
  if (node.IsSequence()) {
    for (const auto& item : node) collect(item, "", key, out);
    return;
  }
  if (!node.IsScalar()) return;
  const std::string& text = node.Scalar();
  bool secret = (parent_key == "headers" && is_secret_header_value(key, text)) ||
                (parent_key == "basicAuth" && key == "password") || key == "bearerToken";
  if (secret && text != k_redacted) {
    out.push_back({node, k_redacted});
  } else if (looks_like_url(text)) {
    std::string redacted = http::redact_url(text, k_redacted);
    if (redacted != text) out.push_back({node, redacted});
  }
}

// Where the scalar's text starts and how long it is in `text`, when it is a
// single-line plain or simply quoted scalar; nullopt otherwise.
std::optional<std::pair<std::size_t, std::size_t>> span_of(const YAML::Node& node, std::string_view text) {
  int pos = node.Mark().pos;
  if (pos < 0 || static_cast<std::size_t>(pos) >= text.size()) return std::nullopt;
  auto start = static_cast<std::size_t>(pos);
  const std::string& value = node.Scalar();
  if (value.find('\n') != std::string::npos) return std::nullopt;
  char first = text[start];
  if (first == '"' || first == '\'') {
    if (text.substr(start + 1, value.size()) == value && start + 1 + value.size() < text.size() &&
        text[start + 1 + value.size()] == first && value.find(first) == std::string::npos &&
        (first == '\'' || value.find('\\') == std::string::npos))
      return std::make_pair(start, value.size() + 2);
    return std::nullopt;
  }
  if (text.substr(start, value.size()) != value) return std::nullopt;
  std::size_t end = start + value.size();
  if (end < text.size() && text.find_first_of(" \t\r\n,}]#", end) != end) return std::nullopt;
  return std::make_pair(start, value.size());
}

// Replaces in place, keeping the file as the user wrote it; nullopt when a
// value cannot be found exactly or the result would not read back the same.
std::optional<std::string> replace_in_place(std::string_view text,
                                            const std::vector<Replacement>& replacements) {
  std::vector<std::pair<std::pair<std::size_t, std::size_t>, std::string>> edits;
  for (const auto& r : replacements) {
    auto span = span_of(r.node, text);
    if (!span) return std::nullopt;
    edits.push_back({*span, nlohmann::json(r.value).dump()});
  }
  std::sort(edits.begin(), edits.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::string out(text);
  for (std::size_t i = 0; i < edits.size(); ++i) {
    if (i > 0 && edits[i].first.first + edits[i].first.second > edits[i - 1].first.first) return std::nullopt;
    out.replace(edits[i].first.first, edits[i].first.second, edits[i].second);
  }
  return out;
}

}  // namespace

bool is_secret_header_value(const std::string& name, const std::string& value) {
  if (http::is_secret_header(name)) return true;
  for (std::string_view scheme : {"bearer ", "basic ", "token ", "digest "}) {
    if (value.size() > scheme.size() &&
        std::equal(scheme.begin(), scheme.end(), value.begin(),
                   [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); }))
      return true;
  }
  return false;
}

std::string redact_plan_text(std::string_view text) {
  try {
    YAML::Node doc = YAML::Load(std::string(text));
    std::vector<Replacement> replacements;
    collect(doc, "", "", replacements);
    if (replacements.empty()) return std::string(text);
    if (auto in_place = replace_in_place(text, replacements)) {
      std::vector<Replacement> left;
      collect(YAML::Load(*in_place), "", "", left);
      if (left.empty()) return *in_place;
    }
    for (auto& r : replacements) r.node = r.value;
    YAML::Emitter out;
    out << doc;
    return std::string(out.c_str()) + "\n";
  } catch (const YAML::Exception&) {
    return "";
  }
}

bool is_redacted(const SecretValue& value) {
  return !value.from && value.literal == k_redacted;
}

bool has_redacted_credentials(const std::string& url) {
  return url.find(k_redacted) != std::string::npos;
}

namespace {

void warn(const Check& check, const std::string& path, const std::string& what,
          std::vector<Diagnostic>& out) {
  out.push_back(Diagnostic{"", check.pos.line, check.pos.column, "checks." + check.name + "." + path,
                           what + " is written inline: it is kept out of the rollout record, so promote, "
                                  "abort and rollback cannot send it; give it with valueFrom (env, file or "
                                  "secretKeyRef)"});
}

void warn_credentials(const Check& check, const std::string& source, const Credentials& c,
                      std::vector<Diagnostic>& out) {
  for (const auto& [name, value] : c.headers) {
    if (!value.from && is_secret_header_value(name, value.literal))
      warn(check, util::join({source, "headers", name}, "."), "header '" + name + "'", out);
  }
  if (c.basic_auth && !c.basic_auth->password.from)
    warn(check, source + ".basicAuth", "the basic-auth password (or URL user-info)", out);
  if (c.bearer_token && !c.bearer_token->from) warn(check, source + ".bearerToken", "the bearer token", out);
}

void warn_url(const Check& check, const std::string& path, const std::string& url,
              std::vector<Diagnostic>& out) {
  if (http::redact_url(url) != url) warn(check, path, "a credential in the URL's query", out);
}

}  // namespace

std::vector<Diagnostic> inline_secret_warnings(const Plan& plan) {
  std::vector<Diagnostic> out;
  for (const auto& [name, check] : plan.checks) {
    if (const auto* prom = std::get_if<PrometheusSource>(&check.source)) {
      warn_url(check, "prometheus.address", prom->address, out);
      warn_credentials(check, "prometheus", prom->credentials, out);
    } else if (const auto* http = std::get_if<HttpSource>(&check.source)) {
      warn_url(check, "http.url", http->url, out);
      warn_credentials(check, "http", http->credentials, out);
    } else if (const auto* hook = std::get_if<WebhookSource>(&check.source)) {
      warn_url(check, "webhook.url", hook->url, out);
      warn_credentials(check, "webhook", hook->credentials, out);
    }
  }
  for (auto& d : out) d.file = plan.source_path;
  return out;
}

}  // namespace sluice::plan

namespace sluice::plan {

namespace {

bool from_secret(const SecretValue& value) {
  return value.from && value.from->kind == SecretRef::Kind::secret_key;
}

bool reads_secret(const Credentials& c) {
  if (c.basic_auth && from_secret(c.basic_auth->password)) return true;
  if (c.bearer_token && from_secret(*c.bearer_token)) return true;
  for (const auto& [name, value] : c.headers) {
    if (from_secret(value)) return true;
  }
  return false;
}

}  // namespace

bool reads_kubernetes_secrets(const Plan& plan) {
  for (const auto& [name, check] : plan.checks) {
    const bool reads =
        std::visit([](const auto& source) { return reads_secret(source.credentials); }, check.source);
    if (reads) return true;
  }
  return false;
}

}  // namespace sluice::plan
