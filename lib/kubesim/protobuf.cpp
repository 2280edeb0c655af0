// A schema-driven protobuf reader: walks the wire format (varints and
// length-delimited fields are all Kubernetes messages use) and names each
// field from the tables in protobuf_schema.cpp. Go's JSON omits empty
// non-pointer fields, so zero values are omitted here too unless the Go field
// is a pointer.
#include <kubesim/protobuf.hpp>
#include <kubesim/protobuf_schema.hpp>

#include <openssl/evp.h>

#include <ctime>

namespace kubesim {

namespace {

using sluice::util::ErrorKind;
using sluice::util::make_error;

struct Reader {
  const std::string& data;
  std::size_t pos;
  std::size_t end;

  bool done() const { return pos >= end; }
  bool varint(std::uint64_t& out) {
    out = 0;
    for (int shift = 0; shift < 64 && pos < end; shift += 7) {
      const auto byte = static_cast<unsigned char>(data[pos++]);
      out |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return false;
  }
  bool bytes(std::string& out) {
    std::uint64_t size = 0;
    if (!varint(size) || size > end - pos) return false;
    out = data.substr(pos, size);
    pos += size;
    return true;
  }
  bool skip(int wire) {
    std::uint64_t ignored = 0;
    std::string skipped;
    switch (wire) {
      case 0: return varint(ignored);
      case 1: pos += 8; return pos <= end;
      case 2: return bytes(skipped);
      case 5: pos += 4; return pos <= end;
      default: return false;
    }
  }
};

std::string base64(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Splits one message into its fields; varint payloads are kept as numbers.
Result<std::vector<std::tuple<int, int, std::string, std::uint64_t>>> split(const std::string& bytes) {
  std::vector<std::tuple<int, int, std::string, std::uint64_t>> fields;
  Reader r{bytes, 0, bytes.size()};
  while (!r.done()) {
    std::uint64_t key = 0;
    if (!r.varint(key)) return make_error(ErrorKind::invalid, "truncated protobuf field key");
    const int number = static_cast<int>(key >> 3);
    const int wire = static_cast<int>(key & 7);
    std::string payload;
    std::uint64_t value = 0;
    const bool ok = wire == 0 ? r.varint(value) : wire == 2 ? r.bytes(payload) : r.skip(wire);
    if (!ok) return make_error(ErrorKind::invalid, "truncated protobuf field " + std::to_string(number));
    fields.emplace_back(number, wire, std::move(payload), value);
  }
  return fields;
}

Result<Json> decode_message(const proto::Message& message, const std::string& bytes);

Result<std::pair<std::string, std::string>> map_entry(const std::string& bytes) {
  auto fields = split(bytes);
  if (!fields.ok()) return fields.error();
  std::pair<std::string, std::string> entry;
  for (auto& [number, wire, payload, value] : *fields) {
    if (number == 1) entry.first = payload;
    if (number == 2) entry.second = payload;
  }
  return entry;
}

std::string rfc3339(std::int64_t seconds) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// One length-delimited value of a non-message kind; null when Go omits it.
Result<Json> decode_special(const proto::Field& field, const std::string& payload) {
  using proto::Kind;
  auto fields = split(payload);
  if (!fields.ok()) return fields.error();
  if (field.kind == Kind::time) {
    std::int64_t seconds = 0;
    for (auto& [number, wire, p, value] : *fields) {
      if (number == 1) seconds = static_cast<std::int64_t>(value);
    }
    return seconds == 0 ? Json() : Json(rfc3339(seconds));
  }
  // IntOrString: type 1 (0 int, 1 string), intVal 2, strVal 3.
  std::uint64_t type = 0;
  Json int_val = 0;
  Json str_val = "";
  for (auto& [number, wire, p, value] : *fields) {
    if (number == 1) type = value;
    if (number == 2) int_val = static_cast<std::int32_t>(value);
    if (number == 3) str_val = p;
  }
  return type == 1 ? str_val : int_val;
}

Result<Json> decode_map(const proto::Field& field, const std::string& payload, Json& into) {
  auto entry = map_entry(payload);
  if (!entry.ok()) return entry.error();
  std::string value = entry->second;
  if (field.kind == proto::Kind::bytes_map) value = base64(value);
  if (field.kind == proto::Kind::quantity_map) {
    auto quantity = map_entry(value);  // Quantity{string 1}
    if (!quantity.ok()) return quantity.error();
    value = quantity->first;
  }
  if (!into.is_object()) into = Json::object();
  into[entry->first] = value;
  return into;
}

Result<Json> decode_value(const proto::Field& field, int wire, const std::string& payload,
                          std::uint64_t value) {
  using proto::Kind;
  switch (field.kind) {
    case Kind::varint:
      if (wire != 0) break;
      return (value == 0 && !field.pointer) ? Json() : Json(static_cast<std::int64_t>(value));
    case Kind::boolean:
      if (wire != 0) break;
      return (value == 0 && !field.pointer) ? Json() : Json(value != 0);
    case Kind::string: return (payload.empty() && !field.repeated) ? Json() : Json(payload);
    case Kind::bytes: return Json(payload);
    case Kind::message: {
      const proto::Message* inner = proto::find_message(field.message);
      if (inner == nullptr) break;
      return decode_message(*inner, payload);
    }
    case Kind::time:
    case Kind::int_or_string: return decode_special(field, payload);
    default: break;
  }
  return make_error(ErrorKind::invalid, std::string("unexpected protobuf wire type for field ") + field.name);
}

const proto::Field* find_field(const proto::Message& message, int number) {
  for (const auto& f : message.fields) {
    if (f.number == number) return &f;
  }
  return nullptr;
}

Result<Json> decode_message(const proto::Message& message, const std::string& bytes) {
  auto fields = split(bytes);
  if (!fields.ok()) return fields.error();
  Json out = Json::object();
  for (auto& [number, wire, payload, value] : *fields) {
    const proto::Field* field = find_field(message, number);
    if (field == nullptr) {
      // Go marshals every non-pointer field, empty or not: only content is lost.
      if ((wire == 0 && value == 0) || (wire == 2 && payload.empty())) continue;
      return make_error(ErrorKind::invalid, "kubesim cannot decode protobuf field " + std::to_string(number) +
                                                " of " + message.name + "; send application/json");
    }
    Json& slot = out[field->name];
    const auto kind = field->kind;
    if (kind == proto::Kind::string_map || kind == proto::Kind::bytes_map ||
        kind == proto::Kind::quantity_map) {
      auto merged = decode_map(*field, payload, slot);
      if (!merged.ok()) return merged.error();
      continue;
    }
    auto decoded = decode_value(*field, wire, payload, value);
    if (!decoded.ok()) return decoded.error();
    if (field->repeated) {
      if (!slot.is_array()) slot = Json::array();
      slot.push_back(std::move(*decoded));
    } else {
      slot = std::move(*decoded);
    }
  }
  for (auto it = out.begin(); it != out.end();) it = it->is_null() ? out.erase(it) : std::next(it);
  return out;
}

}  // namespace

Result<Json> decode_kubernetes_protobuf(const std::string& body) {
  static const std::string magic("k8s\0", 4);
  if (body.compare(0, magic.size(), magic) != 0)
    return make_error(ErrorKind::invalid, "provided protobuf body is missing the \"k8s\\x00\" prefix");
  auto envelope = decode_message(*proto::find_message("Unknown"), body.substr(magic.size()));
  if (!envelope.ok()) return envelope.error();
  const std::string api_version = envelope->value("typeMeta", Json::object()).value("apiVersion", "");
  const std::string kind = envelope->value("typeMeta", Json::object()).value("kind", "");
  const proto::Message* message = proto::find_kind(api_version, kind);
  if (message == nullptr)
    return make_error(ErrorKind::invalid, "kubesim cannot decode protobuf for " + api_version + " " + kind +
                                              "; send application/json");
  auto object = decode_message(*message, envelope->value("raw", ""));
  if (!object.ok()) return object.error();
  object->erase("status");
  (*object)["apiVersion"] = api_version;
  (*object)["kind"] = kind;
  return object;
}

}  // namespace kubesim
