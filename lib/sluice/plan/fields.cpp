#include <sluice/plan/fields.hpp>

#include <sluice/plan/suggest.hpp>
#include <sluice/plan/values.hpp>

#include <algorithm>
#include <regex>

namespace sluice::plan::detail {

void Sink::error(const YAML::Mark& mark, const std::string& path, std::string message) {
  if (diagnostics_.size() >= k_max_errors) {
    truncated_ = true;
    return;
  }
  int line = mark.line < 0 ? 0 : mark.line + 1;
  int column = mark.column < 0 ? 0 : mark.column + 1;
  diagnostics_.push_back({file_, line, column, path, std::move(message)});
}

void Sink::file_error(std::string message) {
  diagnostics_.push_back({file_, 0, 0, "", std::move(message)});
}

std::vector<Diagnostic> Sink::take() {
  // In file order, like a compiler, whatever order the sections were read in.
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  });
  if (truncated_) {
    diagnostics_.push_back(
        {file_, 0, 0, "", "too many errors; stopped after " + std::to_string(k_max_errors)});
  }
  truncated_ = false;
  return std::move(diagnostics_);
}

std::string kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return quoted(node.Scalar());
    default: return "empty";
  }
}

std::optional<std::string> non_text_scalar(const YAML::Node& node) {
  // yaml-cpp tags an unquoted scalar "?" (a node made in code, e.g. by --set,
  // has no tag: it is text by construction).
  if (!node.IsScalar() || node.Tag() != "?") return std::nullopt;
  static const std::regex boolean("true|True|TRUE|false|False|FALSE");
  static const std::regex integer("[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+");
  static const std::regex real(
      R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))");
  const std::string& text = node.Scalar();
  if (std::regex_match(text, boolean)) return "the boolean " + text;
  if (std::regex_match(text, integer) || std::regex_match(text, real)) return "the number " + text;
  return std::nullopt;
}

bool is_quoted(const YAML::Node& node) {
  return node.IsScalar() && node.Tag() == "!";
}

YAML::Mark mark_of(const YAML::Node& node, const YAML::Mark& fallback) {
  YAML::Mark mark = node.Mark();
  return mark.line < 0 ? fallback : mark;
}

std::string join_path(const std::string& parent, const std::string& child) {
  return parent.empty() ? child : parent + "." + child;
}

MapReader::MapReader(const YAML::Node& node, std::string path, const YAML::Mark& where,
                     const std::vector<std::string>& allowed, Sink& sink)
    : path_(std::move(path)), mark_(mark_of(node, where)), sink_(sink) {
  if (!node.IsMap()) {
    sink_.error(mark_, path_, "must be a mapping, not " + kind_of(node));
    return;
  }
  ok_ = true;
  for (const auto& entry : node) {
    YAML::Mark key_mark = mark_of(entry.first, mark_);
    if (!entry.first.IsScalar()) {
      sink_.error(key_mark, path_, "keys must be plain names, not " + kind_of(entry.first));
      continue;
    }
    const std::string& key = entry.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      sink_.error(key_mark, join_path(path_, key), "unknown field" + did_you_mean(key, allowed));
      continue;
    }
    auto [it, inserted] = fields_.emplace(key, Field{entry.first, entry.second});
    if (!inserted) {
      sink_.error(key_mark, join_path(path_, key),
                  "duplicate key; first given on line " + std::to_string(it->second.key.Mark().line + 1));
    }
  }
}

const Field* MapReader::find(const std::string& key) const {
  auto it = fields_.find(key);
  return it == fields_.end() ? nullptr : &it->second;
}

YAML::Mark MapReader::value_mark(const Field& field) const {
  return mark_of(field.value, mark_of(field.key, mark_));
}

void MapReader::error(const std::string& key, const std::string& message) const {
  const Field* field = find(key);
  sink_.error(field ? value_mark(*field) : mark_, child_path(key), message);
}

void MapReader::missing(const std::string& key) const {
  sink_.error(mark_, child_path(key), "required field is missing");
}

std::optional<std::string> MapReader::scalar(const std::string& key, const char* wanted,
                                             bool required) const {
  const Field* field = find(key);
  if (!field) {
    if (required) missing(key);
    return std::nullopt;
  }
  if (!field->value.IsScalar()) {
    error(key, std::string("must be ") + wanted + ", not " + kind_of(field->value));
    return std::nullopt;
  }
  return field->value.Scalar();
}

std::optional<std::string> MapReader::string(const std::string& key, bool required) const {
  auto text = scalar(key, "a string", required);
  if (auto other = text ? non_text_scalar(find(key)->value) : std::nullopt) {
    error(key, "must be a string, not " + *other + "; quote it: \"" + *text + "\"");
    return std::nullopt;
  }
  if (text && text->empty()) {
    error(key, "must not be empty");
    return std::nullopt;
  }
  return text;
}

std::optional<long long> MapReader::integer(const std::string& key, long long min, long long max,
                                            bool required) const {
  auto text = scalar(key, "an integer", required);
  if (!text) return std::nullopt;
  if (is_quoted(find(key)->value)) {
    error(key, "must be an integer, not the string " + quoted(*text) + "; write it without quotes");
    return std::nullopt;
  }
  auto parsed = parse_integer(*text);
  if (auto* message = std::get_if<std::string>(&parsed)) {
    error(key, *message);
    return std::nullopt;
  }
  long long value = std::get<long long>(parsed);
  if (value < min || value > max) {
    error(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", not " + *text);
    return std::nullopt;
  }
  return value;
}

std::optional<Duration> MapReader::duration(const std::string& key, Duration min, Duration max,
                                            bool required) const {
  auto text = scalar(key, "a duration", required);
  if (!text) return std::nullopt;
  auto parsed = parse_duration(*text);
  if (auto* message = std::get_if<std::string>(&parsed)) {
    error(key, *message);
    return std::nullopt;
  }
  Duration value = std::get<Duration>(parsed);
  if (value < min || value > max) {
    error(key, "must be between " + format_duration(min) + " and " + format_duration(max) + ", not " + *text);
    return std::nullopt;
  }
  return value;
}

std::optional<IntOrPercent> MapReader::int_or_percent(const std::string& key) const {
  auto text = scalar(key, "a count or a percentage", false);
  if (!text) return std::nullopt;
  auto parsed = parse_int_or_percent(*text);
  if (auto* message = std::get_if<std::string>(&parsed)) {
    error(key, *message);
    return std::nullopt;
  }
  return std::get<IntOrPercent>(parsed);
}

std::optional<bool> MapReader::boolean(const std::string& key) const {
  auto text = scalar(key, "true or false", false);
  if (!text) return std::nullopt;
  if (is_quoted(find(key)->value)) {
    error(key, "must be true or false, not the string " + quoted(*text) + "; write it without quotes");
    return std::nullopt;
  }
  if (*text == "true" || *text == "True" || *text == "TRUE") return true;
  if (*text == "false" || *text == "False" || *text == "FALSE") return false;
  error(key, "must be true or false, not " + quoted(*text));
  return std::nullopt;
}

std::optional<std::vector<ListItem>> MapReader::string_list(const std::string& key, bool required) const {
  const Field* field = find(key);
  if (!field) {
    if (required) missing(key);
    return std::nullopt;
  }
  if (!field->value.IsSequence()) {
    error(key, "must be a list, not " + kind_of(field->value));
    return std::nullopt;
  }
  std::vector<ListItem> items;
  for (std::size_t i = 0; i < field->value.size(); ++i) {
    const YAML::Node& item = field->value[i];
    ListItem out{"", mark_of(item, value_mark(*field)), child_path(key) + "[" + std::to_string(i) + "]"};
    if (!item.IsScalar() || item.Scalar().empty()) {
      sink_.error(out.mark, out.path, "must be a string, not " + kind_of(item));
      continue;
    }
    if (auto other = non_text_scalar(item)) {
      sink_.error(out.mark, out.path,
                  "must be a string, not " + *other + "; quote it: \"" + item.Scalar() + "\"");
      continue;
    }
    out.text = item.Scalar();
    items.push_back(std::move(out));
  }
  return items;
}

std::optional<std::map<std::string, std::string>> MapReader::string_map(const std::string& key) const {
  const Field* field = find(key);
  if (!field) return std::nullopt;
  if (!field->value.IsMap()) {
    error(key, "must be a mapping, not " + kind_of(field->value));
    return std::nullopt;
  }
  std::map<std::string, std::string> out;
  for (const auto& entry : field->value) {
    bool good = entry.first.IsScalar() && entry.second.IsScalar();
    if (!good) {
      std::string name = entry.first.IsScalar() ? entry.first.Scalar() : "?";
      sink_.error(mark_of(entry.second, mark_of(entry.first, value_mark(*field))),
                  join_path(child_path(key), name), "must be a string, not " + kind_of(entry.second));
      continue;
    }
    out[entry.first.Scalar()] = entry.second.Scalar();
  }
  return out;
}

}  // namespace sluice::plan::detail
