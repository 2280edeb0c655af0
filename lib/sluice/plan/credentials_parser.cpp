// Reads what a check sends to authenticate: `headers`, `basicAuth`,
// `bearerToken` (each secret inline or `{valueFrom: ...}`), and the user-info
// of its URL, which moves into basicAuth so no URL in the model holds a password.
#include <sluice/plan/parse_parts.hpp>

#include <sluice/plan/diagnostic.hpp>

#include <strings.h>

namespace sluice::plan::detail {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// User-info is percent-encoded ("p%40ss" for "p@ss"); a stray '%' stays as written.
std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    int high = i + 2 < text.size() && text[i] == '%' ? hex_digit(text[i + 1]) : -1;
    int low = high >= 0 ? hex_digit(text[i + 2]) : -1;
    if (low < 0) {
      out += text[i];
      continue;
    }
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

std::optional<SecretRef> read_value_from(const YAML::Node& node, const std::string& path,
                                         const YAML::Mark& where, Sink& sink) {
  MapReader from(node, path, where, {"env", "file", "secretKeyRef"}, sink);
  if (!from.ok()) return std::nullopt;
  int given = from.has("env") + from.has("file") + from.has("secretKeyRef");
  if (given != 1) {
    sink.error(from.mark(), path, "needs exactly one of env, file or secretKeyRef");
    return std::nullopt;
  }
  SecretRef ref;
  if (from.has("env")) {
    ref.kind = SecretRef::Kind::env;
    ref.name = from.string("env", true).value_or("");
  } else if (from.has("file")) {
    ref.kind = SecretRef::Kind::file;
    ref.name = from.string("file", true).value_or("");
  } else {
    const Field* field = from.find("secretKeyRef");
    MapReader key_ref(field->value, from.child_path("secretKeyRef"), from.value_mark(*field), {"name", "key"},
                      sink);
    if (!key_ref.ok()) return std::nullopt;
    ref.kind = SecretRef::Kind::secret_key;
    ref.name = key_ref.string("name", true).value_or("");
    ref.key = key_ref.string("key", true).value_or("");
    if (ref.key.empty()) return std::nullopt;
  }
  if (ref.name.empty()) return std::nullopt;
  return ref;
}

std::optional<SecretValue> read_secret_field(const MapReader& reader, const std::string& key) {
  const Field* field = reader.find(key);
  if (field == nullptr) return std::nullopt;
  return read_secret(field->value, reader.child_path(key), reader.value_mark(*field), reader.sink());
}

std::map<std::string, SecretValue> read_headers(const MapReader& reader) {
  std::map<std::string, SecretValue> headers;
  const Field* field = reader.find("headers");
  if (field == nullptr) return headers;
  if (!field->value.IsMap()) {
    reader.error("headers", "must be a mapping, not " + kind_of(field->value));
    return headers;
  }
  for (const auto& entry : field->value) {
    std::string name = entry.first.IsScalar() ? entry.first.Scalar() : "?";
    YAML::Mark mark = mark_of(entry.second, mark_of(entry.first, reader.value_mark(*field)));
    auto value =
        read_secret(entry.second, join_path(reader.child_path("headers"), name), mark, reader.sink());
    if (value) headers[name] = std::move(*value);
  }
  return headers;
}

std::optional<BasicAuth> read_basic_auth(const MapReader& reader) {
  const Field* field = reader.find("basicAuth");
  if (field == nullptr) return std::nullopt;
  MapReader auth(field->value, reader.child_path("basicAuth"), reader.value_mark(*field),
                 {"username", "password"}, reader.sink());
  if (!auth.ok()) return std::nullopt;
  auto username = auth.string("username", true);
  auto password = read_secret_field(auth, "password");
  if (!auth.has("password")) auth.missing("password");
  if (!username || !password) return std::nullopt;
  return BasicAuth{*username, *password};
}

bool has_header(const std::map<std::string, SecretValue>& headers, const char* wanted) {
  for (const auto& [name, value] : headers)
    if (name.size() == std::string_view(wanted).size() && strcasecmp(name.c_str(), wanted) == 0) return true;
  return false;
}

}  // namespace

// A string, or {valueFrom: {env: NAME} | {file: PATH} | {secretKeyRef: {name: N, key: K}}}.
std::optional<SecretValue> read_secret(const YAML::Node& node, const std::string& path,
                                       const YAML::Mark& where, Sink& sink) {
  if (auto other = non_text_scalar(node)) {
    sink.error(
        mark_of(node, where), path,
        "must be a string or {valueFrom: ...}, not " + *other + "; quote it: \"" + node.Scalar() + "\"");
    return std::nullopt;
  }
  if (node.IsScalar()) return SecretValue{node.Scalar(), std::nullopt};
  if (!node.IsMap()) {
    sink.error(mark_of(node, where), path, "must be a string or {valueFrom: ...}, not " + kind_of(node));
    return std::nullopt;
  }
  MapReader outer(node, path, where, {"valueFrom"}, sink);
  if (!outer.ok()) return std::nullopt;
  const Field* field = outer.find("valueFrom");
  if (field == nullptr) {
    outer.missing("valueFrom");
    return std::nullopt;
  }
  auto ref = read_value_from(field->value, outer.child_path("valueFrom"), outer.value_mark(*field), sink);
  if (!ref) return std::nullopt;
  return SecretValue{"", *ref};
}

std::optional<BasicAuth> take_userinfo(std::string& url) {
  std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) return std::nullopt;
  std::size_t start = scheme + 3;
  std::size_t end = url.find_first_of("/?#", start);
  std::string_view authority =
      std::string_view(url).substr(start, end == std::string::npos ? end : end - start);
  std::size_t at = authority.rfind('@');  // passwords may hold a raw '@'
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view userinfo = authority.substr(0, at);
  std::size_t colon = userinfo.find(':');
  BasicAuth auth;
  auth.username = percent_decode(userinfo.substr(0, colon));
  if (colon != std::string_view::npos) auth.password.literal = percent_decode(userinfo.substr(colon + 1));
  url.erase(start, at + 1);
  return auth;
}

Credentials read_credentials(const MapReader& reader, std::optional<BasicAuth> from_url) {
  Credentials credentials;
  credentials.headers = read_headers(reader);
  credentials.basic_auth = read_basic_auth(reader);
  credentials.bearer_token = read_secret_field(reader, "bearerToken");
  if (from_url && reader.has("basicAuth")) {
    reader.error("basicAuth", "the URL has user-info too; give the credentials in one place");
  } else if (from_url) {
    credentials.basic_auth = std::move(from_url);
  }
  bool basic = credentials.basic_auth.has_value();
  if (basic && reader.has("bearerToken"))
    reader.error("bearerToken", "a check sends basic auth or a bearer token, not both");
  // URL user-info with an Authorization header stays valid: the header wins, as it always did.
  if ((reader.has("basicAuth") || reader.has("bearerToken")) &&
      has_header(credentials.headers, "Authorization"))
    reader.error("headers", "has an Authorization header and basicAuth or bearerToken; give one");
  return credentials;
}

std::optional<SecretValue> read_secret_value(const YAML::Node& node, const std::string& path,
                                             const YAML::Mark& where, Sink& sink) {
  return read_secret(node, path, where, sink);
}

}  // namespace sluice::plan::detail
