// Getting a plan file's bytes safely before any YAML parser sees them: size
// cap, regular files only, UTF-8 text without control characters, bounded
// nesting, one document. Every refusal is one Diagnostic.
#pragma once

#include <sluice/plan/diagnostic.hpp>

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::plan {

// Real plans are a few KiB; the cap keeps a mistaken or hostile file cheap.
inline constexpr std::size_t k_max_plan_bytes = std::size_t{1024} * 1024;
// Real plans nest about 6 levels; the cap keeps the YAML parser's recursion shallow.
inline constexpr int k_max_plan_nesting = 64;

struct SourceText {
  std::string bytes;
  std::optional<Diagnostic> error;
};

// Reads `path`, refusing missing files, directories and other non-regular
// files, and anything over k_max_plan_bytes (without reading all of it).
SourceText read_plan_file(const std::string& path);

// Checks `bytes` (named `file` in messages) is UTF-8 text a plan could be:
// not empty, no NUL or other control characters, valid UTF-8.
std::optional<Diagnostic> check_plan_text(std::string_view bytes, const std::string& file);

// Checks the YAML structure without building it: syntax, nesting depth and
// the number of documents (exactly one).
std::optional<Diagnostic> check_yaml_structure(std::string_view bytes, const std::string& file);

// A document's text checked (check_plan_text, check_yaml_structure) and
// loaded: its root (null for an empty document), or the one Diagnostic that
// refuses it. Plans, releases, drills and config files all start here.
struct Document {
  YAML::Node root;
  std::optional<Diagnostic> error;
};
Document load_document(std::string_view bytes, const std::string& file);

// The `kind` the file at `path` declares: "" when it cannot be read or
// declares none. Tells a release or a drill from a plan.
std::string declared_kind(const std::string& path);

}  // namespace sluice::plan
