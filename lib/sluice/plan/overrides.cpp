#include <sluice/plan/overrides.hpp>

#include <sluice/plan/suggest.hpp>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <optional>

namespace sluice::plan {

namespace {

std::vector<std::string> split_path(const std::string& field) {
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    std::size_t dot = field.find('.', start);
    parts.push_back(field.substr(start, dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

Diagnostic flag_error(const std::string& file, const std::string& flag, std::string message) {
  return Diagnostic{file, 0, 0, flag, std::move(message)};
}

std::string settable_list() {
  std::string out;
  for (const auto& field : settable_fields()) out += (out.empty() ? "" : ", ") + field;
  return out;
}

// A strategy's fields apply only to the strategy the plan uses: creating
// another one would make a second strategy, not change this one.
std::optional<std::string> strategy_mismatch(const YAML::Node& root, const std::vector<std::string>& parts) {
  if (parts.front() != "strategy") return std::nullopt;
  const YAML::Node strategy = root["strategy"];                      // const: reading must not add keys
  if (!strategy.IsMap() || strategy[parts[1]]) return std::nullopt;  // a broken strategy is reported as such
  std::string used;
  for (const auto& entry : strategy) used += (used.empty() ? "" : ", ") + entry.first.as<std::string>("?");
  return "the plan's strategy is " + (used.empty() ? std::string("empty") : used) + ", not " + parts[1];
}

// The mapping under `node` that holds the last of `parts` (from `i` on),
// made when missing; an empty node when something in the way is not a
// mapping (the parser reports that). Recursive because assigning a YAML::Node
// variable would overwrite the node it refers to.
YAML::Node parent_map(YAML::Node node, const std::vector<std::string>& parts, std::size_t i = 0) {
  if (i + 1 == parts.size()) return node;
  const YAML::Node& read = node;  // const: reading must not add keys
  YAML::Node child = read[parts[i]];
  if (!child.IsDefined() || child.IsNull()) {  // missing, or `rolling:` alone: an empty mapping
    YAML::Node made(YAML::NodeType::Map);
    node[parts[i]] = made;
    return parent_map(made, parts, i + 1);
  }
  if (!child.IsMap()) return YAML::Node();
  return parent_map(child, parts, i + 1);
}

}  // namespace

const std::vector<std::string>& settable_fields() {
  static const std::vector<std::string> fields = {
      "image",
      "target.container",
      "progressDeadline",
      "minAvailable",
      "rollback.automatic",
      "strategy.rolling.maxSurge",
      "strategy.rolling.maxUnavailable",
      "strategy.blueGreen.autoPromote",
      "strategy.blueGreen.scaleDownDelay",
      "strategy.canary.maxSurge",
      "strategy.canary.maxUnavailable",
  };
  return fields;
}

std::string override_flag(const std::string& field) {
  return field == "image" ? "--image" : "--set " + field;
}

std::variant<Overrides, Diagnostic> read_overrides(const std::vector<std::string>& sets,
                                                   const std::string& image) {
  Overrides out;
  for (const auto& set : sets) {
    std::size_t equals = set.find('=');
    if (equals == std::string::npos || equals == 0)
      return flag_error("", "--set", quoted(set) + " is not field=value, e.g. --set progressDeadline=15m");
    std::string field = set.substr(0, equals);
    const auto& fields = settable_fields();
    if (std::find(fields.begin(), fields.end(), field) == fields.end()) {
      return flag_error("", "--set",
                        quoted(field) + " cannot be set from the command line" + did_you_mean(field, fields) +
                            "; the fields --set changes are " + settable_list());
    }
    out[field] = set.substr(equals + 1);
  }
  if (!image.empty()) out["image"] = image;
  return out;
}

std::variant<Overrides, Diagnostic> apply_overrides(YAML::Node& root, const Overrides& overrides,
                                                    const std::string& file) {
  Overrides applied;
  if (!root.IsMap()) return applied;  // not a plan at all: the parser says so
  for (const auto& [field, value] : overrides) {
    auto parts = split_path(field);
    if (auto why = strategy_mismatch(root, parts)) return flag_error(file, override_flag(field), *why);
    YAML::Node parent = parent_map(root, parts);
    if (!parent.IsMap()) continue;
    const YAML::Node& read = parent;
    const YAML::Node current = read[parts.back()];
    if (current.IsDefined() && current.IsScalar() && current.Scalar() == value)
      continue;  // the file says the same
    parent[parts.back()] = value;
    applied[field] = value;
  }
  return applied;
}

std::string identity_text(std::string_view bytes, const Overrides& overrides) {
  std::string text(bytes);
  for (const auto& [field, value] : overrides) text += "\n# " + override_flag(field) + "=" + value;
  return text;
}

}  // namespace sluice::plan
