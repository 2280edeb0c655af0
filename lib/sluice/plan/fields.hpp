// Reading typed, range-checked fields out of yaml-cpp nodes while collecting
// every problem as a Diagnostic, so one pass reports all errors of a file.
// Internal to the plan parser.
#pragma once

#include <sluice/plan/diagnostic.hpp>
#include <sluice/plan/model.hpp>

#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::plan::detail {

// Collects the diagnostics of one file, up to a cap.
class Sink {
 public:
  static constexpr std::size_t k_max_errors = 50;

  explicit Sink(std::string file) : file_(std::move(file)) {}
  void error(const YAML::Mark& mark, const std::string& path, std::string message);
  // An error about the file as a whole (no position).
  void file_error(std::string message);
  bool empty() const { return diagnostics_.empty(); }
  std::vector<Diagnostic> take();

 private:
  std::string file_;
  std::vector<Diagnostic> diagnostics_;
  bool truncated_ = false;
};

// "a mapping", "a list", "a string", "empty" — for "must be X, not Y".
std::string kind_of(const YAML::Node& node);

// What YAML 1.2 (core schema, as editors and the JSON Schema read a plan)
// makes of an unquoted scalar that is not text: "the number 7", "the boolean
// true"; nullopt for text and for quoted scalars. A text field given one is an
// error, so `sluice validate` and the schema agree on types.
std::optional<std::string> non_text_scalar(const YAML::Node& node);
// True for a quoted scalar ('4', "true"): text, never a number or a boolean.
bool is_quoted(const YAML::Node& node);
// The node's position, or `fallback` when yaml-cpp has none (empty values).
YAML::Mark mark_of(const YAML::Node& node, const YAML::Mark& fallback);
std::string join_path(const std::string& parent, const std::string& child);

struct Field {
  YAML::Node key;
  YAML::Node value;
};

// One string of a list, with where it is for later messages.
struct ListItem {
  std::string text;
  YAML::Mark mark;
  std::string path;  // e.g. platforms[2]
};

// A mapping whose keys must come from a fixed list: unknown keys (with a
// "did you mean"), duplicate keys and non-mappings are reported on construction.
class MapReader {
 public:
  MapReader(const YAML::Node& node, std::string path, const YAML::Mark& where,
            const std::vector<std::string>& allowed, Sink& sink);

  bool ok() const { return ok_; }
  bool has(const std::string& key) const { return fields_.count(key) != 0; }
  const Field* find(const std::string& key) const;
  const std::string& path() const { return path_; }
  std::string child_path(const std::string& key) const { return join_path(path_, key); }
  YAML::Mark mark() const { return mark_; }
  // The value's position (or the key's, for empty values).
  YAML::Mark value_mark(const Field& field) const;
  Sink& sink() const { return sink_; }

  void error(const std::string& key, const std::string& message) const;
  void missing(const std::string& key) const;

  std::optional<std::string> string(const std::string& key, bool required = false) const;
  std::optional<long long> integer(const std::string& key, long long min, long long max,
                                   bool required = false) const;
  std::optional<Duration> duration(const std::string& key, Duration min, Duration max,
                                   bool required = false) const;
  std::optional<IntOrPercent> int_or_percent(const std::string& key) const;
  std::optional<bool> boolean(const std::string& key) const;
  // The list's strings; items that are not strings are reported and left out.
  std::optional<std::vector<ListItem>> string_list(const std::string& key, bool required = false) const;
  std::optional<std::map<std::string, std::string>> string_map(const std::string& key) const;

 private:
  // The scalar text of `key`'s value, or an error when it is not a scalar.
  std::optional<std::string> scalar(const std::string& key, const char* wanted, bool required) const;

  std::string path_;
  YAML::Mark mark_;
  Sink& sink_;
  bool ok_ = false;
  std::map<std::string, Field> fields_;
};

}  // namespace sluice::plan::detail
