// A drill's `director`: how traffic moves between regions.
#include <sluice/plan/drill_parts.hpp>

#include <sluice/http/client.hpp>
#include <sluice/plan/parse_parts.hpp>
#include <sluice/plan/suggest.hpp>

namespace sluice::plan::detail {

namespace {

const char* const k_director_help =
    "write 'none', {httpRoute: {context, namespace, name}} or {webhook: {url, ...}}";

// Each key of `backends` must be a region (regions are read before the director).
void check_backend_regions(const MapReader& route, const Drill& drill) {
  const Field* backends = route.find("backends");
  if (!backends || !backends->value.IsMap() || drill.regions.empty()) return;
  std::vector<std::string> names;
  for (const Region& region : drill.regions) names.push_back(region.name);
  for (const auto& entry : backends->value) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
    if (drill.region(key)) continue;
    route.sink().error(mark_of(entry.first, route.value_mark(*backends)),
                       join_path(route.child_path("backends"), key),
                       "unknown region " + quoted(key) + did_you_mean(key, names));
  }
}

std::optional<HttpRouteDirector> read_http_route(const MapReader& director, const Field& field,
                                                 const Drill& drill) {
  MapReader reader(field.value, director.child_path("httpRoute"), director.value_mark(field),
                   {"context", "namespace", "name", "backends"}, director.sink());
  if (!reader.ok()) return std::nullopt;
  HttpRouteDirector route;
  route.context.name = reader.string("context", true).value_or("");
  route.context.path = reader.child_path("context");
  if (const Field* context = reader.find("context")) {
    YAML::Mark mark = reader.value_mark(*context);
    route.context.pos = {mark.line + 1, mark.column + 1};
  }
  route.ns = reader.string("namespace", true).value_or("");
  route.name = reader.string("name", true).value_or("");
  route.backends = reader.string_map("backends").value_or(std::map<std::string, std::string>{});
  check_backend_regions(reader, drill);
  if (route.context.name.empty() || route.ns.empty() || route.name.empty()) return std::nullopt;
  return route;
}

std::optional<SecretRef> read_secret_from(const MapReader& webhook) {
  const Field* field = webhook.find("secretFrom");
  if (!field) return std::nullopt;
  MapReader from(field->value, webhook.child_path("secretFrom"), webhook.value_mark(*field), {"env", "file"},
                 webhook.sink());
  if (!from.ok()) return std::nullopt;
  if (from.has("env") == from.has("file")) {
    webhook.error("secretFrom", "needs exactly one of env or file");
    return std::nullopt;
  }
  SecretRef ref;
  ref.kind = from.has("env") ? SecretRef::Kind::env : SecretRef::Kind::file;
  ref.name = from.string(from.has("env") ? "env" : "file", true).value_or("");
  if (ref.name.empty()) return std::nullopt;
  return ref;
}

std::optional<WebhookDirector> read_webhook(const MapReader& director, const Field& field) {
  MapReader reader(field.value, director.child_path("webhook"), director.value_mark(field),
                   {"url", "secretFrom", "header", "timeout"}, director.sink());
  if (!reader.ok()) return std::nullopt;
  WebhookDirector webhook;
  auto url = reader.string("url", true);
  if (url && url->rfind("http://", 0) != 0 && url->rfind("https://", 0) != 0) {
    reader.error("url", quoted(*url) + " is not an http:// or https:// URL");
    url.reset();
  }
  if (url && url->find('@') != std::string::npos) {
    reader.error("url", "must not carry credentials; put the secret in secretFrom");
    url.reset();
  }
  auto secret = read_secret_from(reader);
  bool secret_ok = !reader.has("secretFrom") || secret.has_value();
  if (secret) webhook.secret = *secret;
  webhook.header = reader.string("header").value_or(webhook.header);
  if (!http::is_secret_header(webhook.header)) {
    // Logs redact headers by name: one not known as secret would show in `-vv` output.
    reader.error("header",
                 quoted(webhook.header) +
                     " is not a name sluice keeps out of logs; use Authorization or a name containing "
                     "token, secret, key or auth");
    secret_ok = false;
  }
  webhook.timeout = reader.duration("timeout", Duration(100), Duration(300'000)).value_or(webhook.timeout);
  if (!url || !secret_ok) return std::nullopt;
  webhook.url = *url;
  if (!secret) webhook.header.clear();  // nothing to send
  return webhook;
}

}  // namespace

void read_director(const MapReader& top, Drill& drill) {
  const Field* field = top.find("director");
  if (!field) return top.missing("director");
  if (field->value.IsScalar()) {
    if (field->value.Scalar() != "none")
      top.error("director", "unknown director " + quoted(field->value.Scalar()) + "; " + k_director_help);
    return;
  }
  MapReader director(field->value, "director", top.value_mark(*field), {"httpRoute", "webhook"}, top.sink());
  if (!director.ok()) return;
  if (director.has("httpRoute") == director.has("webhook")) {
    top.error("director", std::string("needs exactly one of httpRoute or webhook; ") + k_director_help);
    return;
  }
  if (const Field* route = director.find("httpRoute")) {
    if (auto read = read_http_route(director, *route, drill)) drill.director = std::move(*read);
  } else if (auto read = read_webhook(director, *director.find("webhook"))) {
    drill.director = std::move(*read);
  }
}

}  // namespace sluice::plan::detail
