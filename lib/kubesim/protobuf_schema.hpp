// Field tables for the protobuf messages kubesim decodes: field numbers and
// JSON names as k8s.io/api's generated.proto declares them.
#pragma once

#include <string>
#include <vector>

namespace kubesim::proto {

enum class Kind {
  string,
  bytes,
  varint,
  boolean,
  message,
  string_map,
  bytes_map,
  quantity_map,
  int_or_string,
  time
};

struct Field {
  int number = 0;
  const char* name = "";
  Kind kind = Kind::string;
  const char* message = "";  // for Kind::message
  bool repeated = false;
  bool pointer = false;  // a Go pointer: a zero value is kept, not omitted
};

struct Message {
  const char* name;
  std::vector<Field> fields;
};

const Message* find_message(const std::string& name);
// The top-level message for an apiVersion/kind, e.g. "apps/v1", "Deployment".
const Message* find_kind(const std::string& api_version, const std::string& kind);

}  // namespace kubesim::proto
