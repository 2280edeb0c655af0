// What `sluice diff` and `apply --dry-run` show for one object: the live
// object against the server's dry-run answer, as a unified diff of YAML-like
// text (kubectl diff's view), without the fields the server keeps for itself
// and with credential-looking env values redacted.
#pragma once

#include <sluice/report/events.hpp>

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

namespace sluice::report {

using Json = nlohmann::json;

enum class ChangeAction { create, update, remove };
const char* to_string(ChangeAction action);  // "create", "update", "delete"

struct ObjectChange {
  std::string kind;
  std::string ns;
  std::string name;
  ChangeAction action = ChangeAction::update;
  Json live;   // null for a create
  Json after;  // the dry-run answer; null for a delete
};

// `object` as a diff compares it: without metadata.managedFields,
// resourceVersion, generation, uid, creationTimestamp and status, and with
// every env[].value whose name or value reads as a credential replaced by
// plan::k_redacted.
Json comparable(Json object);

// `object` as indented YAML-like lines (keys sorted, strings quoted when
// YAML would misread them).
std::vector<std::string> object_lines(const Json& object);

// The unified diff (3 lines of context) of comparable(live) and
// comparable(after), with `---`/`+++` headers naming the object; "" when
// they are the same. A create's `---` header says `(new object)`.
std::string unified_diff(const ObjectChange& change);

// The `diff` event for `change` (data: kind, namespace, name, action, diff).
Event diff_event(const std::string& rollout, const ObjectChange& change);

// Text output of `diff` and `apply --dry-run`, as kubectl diff prints it:
// each diff event's unified diff as is, other events as one plain line
// (no timestamps: the output is the diff, not a log).
std::unique_ptr<Reporter> make_diff_printer(std::ostream& out);

}  // namespace sluice::report
