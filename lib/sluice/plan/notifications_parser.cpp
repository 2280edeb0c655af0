// Reads the `notifications` section (of a plan or of the user config file):
// receivers, what each is sent, and where its secrets are read from. A secret
// written inline is refused: plans are committed and records keep their text.
#include <sluice/plan/parse_parts.hpp>

#include <sluice/http/client.hpp>
#include <sluice/plan/diagnostic.hpp>
#include <sluice/plan/secrets.hpp>
#include <sluice/plan/suggest.hpp>

#include <set>

namespace sluice::plan::detail {

namespace {

const std::vector<std::string> k_kinds = {"slack", "pagerduty", "webhook", "alertmanager"};
constexpr const char* k_reference_hint = "; write {valueFrom: {env: NAME}} or {valueFrom: {file: PATH}}";

std::vector<std::string> notify_on_names() {
  std::vector<std::string> names;
  for (NotifyOn on : all_notify_on()) names.emplace_back(to_string(on));
  return names;
}

// A reference to the environment, a file or a Kubernetes Secret (in the
// rollout's namespace, read when the run starts); inline text is refused.
std::optional<SecretRef> checked_reference(const MapReader& reader, const std::string& key,
                                           const SecretValue& value) {
  if (!value.from) {
    reader.error(key, "is a secret: inline text is refused" + std::string(k_reference_hint));
    return std::nullopt;
  }
  return value.from;
}

std::optional<SecretValue> read_secret_value(const MapReader& reader, const std::string& key, bool required) {
  const Field* field = reader.find(key);
  if (field == nullptr) {
    if (required) reader.missing(key);
    return std::nullopt;
  }
  return read_secret(field->value, reader.child_path(key), reader.value_mark(*field), reader.sink());
}

std::optional<SecretRef> read_reference(const MapReader& reader, const std::string& key, bool required) {
  auto value = read_secret_value(reader, key, required);
  if (!value) return std::nullopt;
  return checked_reference(reader, key, *value);
}

// A URL written inline must carry no credential; one that does is a reference.
std::optional<SecretValue> read_url(const MapReader& reader, bool required) {
  auto value = read_secret_value(reader, "url", required);
  if (!value) return std::nullopt;
  if (value->from) {
    if (!checked_reference(reader, "url", *value)) return std::nullopt;
    return value;
  }
  const std::string& url = value->literal;
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    reader.error("url", quoted(http::redact_url(url)) + " is not an http:// or https:// URL");
    return std::nullopt;
  }
  if (http::redact_url(url) != url) {
    reader.error("url", quoted(http::redact_url(url)) + " holds a credential: inline text is refused" +
                            std::string(k_reference_hint));
    return std::nullopt;
  }
  return value;
}

std::map<std::string, SecretValue> read_headers(const MapReader& reader) {
  std::map<std::string, SecretValue> headers;
  auto plain = reader.find("headers");
  if (plain == nullptr) return headers;
  if (!plain->value.IsMap()) {
    reader.error("headers", "must be a mapping, not " + kind_of(plain->value));
    return headers;
  }
  for (const auto& entry : plain->value) {
    std::string name = entry.first.IsScalar() ? entry.first.Scalar() : "?";
    std::string path = join_path(reader.child_path("headers"), name);
    YAML::Mark mark = mark_of(entry.second, mark_of(entry.first, reader.value_mark(*plain)));
    auto value = read_secret(entry.second, path, mark, reader.sink());
    if (!value) continue;
    if (!value->from && is_secret_header_value(name, value->literal)) {
      reader.sink().error(mark, path,
                          "is a credential: inline text is refused" + std::string(k_reference_hint));
      continue;
    }
    headers[name] = std::move(*value);
  }
  return headers;
}

void read_kind_fields(const MapReader& kind_reader, Receiver& out) {
  switch (out.kind) {
    case Receiver::Kind::slack:
      if (auto url = read_reference(kind_reader, "url", true)) out.url.from = *url;
      break;
    case Receiver::Kind::pagerduty:
      out.key = read_reference(kind_reader, "routingKey", true);
      out.url = read_url(kind_reader, false).value_or(SecretValue{k_pagerduty_events_url, std::nullopt});
      break;
    case Receiver::Kind::webhook:
      out.url = read_url(kind_reader, true).value_or(SecretValue{});
      out.key = read_reference(kind_reader, "secret", false);
      out.headers = read_headers(kind_reader);
      break;
    case Receiver::Kind::alertmanager:
      out.url = read_url(kind_reader, true).value_or(SecretValue{});
      out.headers = read_headers(kind_reader);
      break;
  }
}

std::vector<std::string> kind_fields(Receiver::Kind kind) {
  switch (kind) {
    case Receiver::Kind::slack: return {"url"};
    case Receiver::Kind::pagerduty: return {"routingKey", "url"};
    case Receiver::Kind::webhook: return {"url", "secret", "headers"};
    case Receiver::Kind::alertmanager: return {"url", "headers"};
  }
  return {};
}

std::set<NotifyOn> read_on(const MapReader& reader, Receiver::Kind kind) {
  auto items = reader.string_list("on");
  if (!items) return default_notify_on(kind);
  if (items->empty() && reader.has("on")) reader.error("on", "lists no event; leave it out for the defaults");
  std::set<NotifyOn> on;
  for (const auto& item : *items) {
    if (auto parsed = parse_notify_on(item.text)) {
      on.insert(*parsed);
    } else {
      reader.sink().error(item.mark, item.path,
                          "unknown event " + quoted(item.text) + did_you_mean(item.text, notify_on_names()));
    }
  }
  return on;
}

std::optional<Receiver> read_receiver(const YAML::Node& node, const std::string& path,
                                      const YAML::Mark& where, Sink& sink) {
  std::vector<std::string> fields = {"name", "on"};
  fields.insert(fields.end(), k_kinds.begin(), k_kinds.end());
  MapReader reader(node, path, where, fields, sink);
  if (!reader.ok()) return std::nullopt;
  Receiver out;
  out.pos = {reader.mark().line + 1, reader.mark().column + 1};
  auto name = reader.string("name", true);
  if (name && !is_dns_label(*name)) {
    reader.error("name",
                 quoted(*name) + " is not a valid receiver name: use lowercase letters, digits and '-'");
  }
  out.name = name.value_or("");
  int kinds = 0;
  for (std::size_t i = 0; i < k_kinds.size(); ++i) {
    if (!reader.has(k_kinds[i])) continue;
    ++kinds;
    out.kind = static_cast<Receiver::Kind>(i);
  }
  if (kinds != 1) {
    sink.error(reader.mark(), path, "needs exactly one of slack, pagerduty, webhook or alertmanager");
    return std::nullopt;
  }
  const Field* field = reader.find(to_string(out.kind));
  MapReader kind_reader(field->value, reader.child_path(to_string(out.kind)), reader.value_mark(*field),
                        kind_fields(out.kind), sink);
  if (kind_reader.ok()) read_kind_fields(kind_reader, out);
  out.on = read_on(reader, out.kind);
  return out;
}

}  // namespace

Notifications parse_notifications(const MapReader& top) {
  Notifications out;
  const Field* field = top.find("notifications");
  if (field == nullptr) return out;
  MapReader section(field->value, top.child_path("notifications"), top.value_mark(*field), {"receivers"},
                    top.sink());
  if (!section.ok()) return out;
  const Field* list = section.find("receivers");
  if (list == nullptr) return out;
  if (!list->value.IsSequence()) {
    section.error("receivers", "must be a list, not " + kind_of(list->value));
    return out;
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < list->value.size(); ++i) {
    std::string path = section.child_path("receivers") + "[" + std::to_string(i) + "]";
    YAML::Mark mark = mark_of(list->value[i], section.value_mark(*list));
    auto receiver = read_receiver(list->value[i], path, mark, top.sink());
    if (!receiver) continue;
    if (!receiver->name.empty() && !names.insert(receiver->name).second)
      top.sink().error(mark, path + ".name", "receiver " + quoted(receiver->name) + " is named twice");
    out.receivers.push_back(std::move(*receiver));
  }
  return out;
}

}  // namespace sluice::plan::detail

namespace sluice::plan {

Notifications plan_notifications(std::string_view text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception&) {
    return {};  // parse_plan refused it already
  }
  if (!root.IsMap() || !root["notifications"]) return {};
  YAML::Node top(YAML::NodeType::Map);
  top["notifications"] = root["notifications"];
  detail::Sink ignored(file);  // parse_plan reported every problem
  detail::MapReader reader(top, "", YAML::Mark(), {"notifications"}, ignored);
  return detail::parse_notifications(reader);
}

}  // namespace sluice::plan
