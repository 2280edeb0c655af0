#include <sluice/plan/template_vars.hpp>

#include <sluice/plan/diagnostic.hpp>
#include <sluice/plan/parse_parts.hpp>
#include <sluice/plan/suggest.hpp>
#include <sluice/util/strings.hpp>

#include <algorithm>
#include <map>

namespace sluice::plan {

namespace {

const char* strategy_text(const Strategy& strategy) {
  if (std::holds_alternative<RollingStrategy>(strategy)) return "a rolling";
  if (std::holds_alternative<BlueGreenStrategy>(strategy)) return "a blue-green";
  return "a canary";
}

}  // namespace

const std::vector<std::string>& template_variable_names() {
  static const std::vector<std::string> names{"name", "namespace", "service",  "canary_hash", "stable_hash",
                                              "hash", "digest",    "strategy", "step",        "weight"};
  return names;
}

std::optional<std::string> template_variable_problem(const std::string& name, const Plan& plan) {
  const auto& names = template_variable_names();
  if (std::find(names.begin(), names.end(), name) == names.end())
    return "unknown template variable '{{" + name + "}}'" + did_you_mean(name, names);
  if (name == "weight" && !std::holds_alternative<CanaryStrategy>(plan.strategy)) {
    return std::string("'{{weight}}' is a canary's traffic percent; it has no meaning in ") +
           strategy_text(plan.strategy) + " plan";
  }
  if (name == "service" && plan.target.service.empty())
    return "'{{service}}' has no meaning here: the plan's target names no Service";
  return std::nullopt;
}

std::vector<TemplateUse> template_uses(std::string_view text) {
  std::vector<TemplateUse> uses;
  for (std::size_t pos = 0;;) {
    std::size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) break;
    std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      uses.push_back({"", std::string(text.substr(open, 2)), open, false});
      break;
    }
    std::string_view token = text.substr(open, close + 2 - open);
    uses.push_back(
        {std::string(util::trim(token.substr(2, token.size() - 4))), std::string(token), open, true});
    pos = close + 2;
  }
  return uses;
}

namespace detail {

namespace {

// End (exclusive) of a scalar value that starts at `start`: the first later
// line that is neither blank nor indented deeper than its key.
std::size_t scalar_end(std::string_view bytes, std::size_t start, int key_column) {
  for (std::size_t eol = bytes.find('\n', start); eol != std::string_view::npos;
       eol = bytes.find('\n', eol + 1)) {
    std::size_t indent = eol + 1;
    while (indent < bytes.size() && bytes[indent] == ' ') ++indent;
    bool blank = indent >= bytes.size() || bytes[indent] == '\n' || bytes[indent] == '\r';
    if (!blank && static_cast<int>(indent - eol - 1) <= key_column) return eol;
  }
  return bytes.size();
}

// Where the `nth` occurrence of `token` in a scalar is in the file: exact
// whenever the token is written in one piece (plain, quoted and block
// scalars alike); otherwise the scalar's own position.
YAML::Mark token_mark(const YAML::Mark& value, int key_column, std::string_view bytes,
                      const std::string& token, int nth) {
  if (value.pos < 0 || static_cast<std::size_t>(value.pos) >= bytes.size()) return value;
  std::size_t start = static_cast<std::size_t>(value.pos);
  std::size_t end = scalar_end(bytes, start, key_column);
  std::size_t at = start;
  for (int seen = 0;; ++seen, at += token.size()) {
    at = bytes.find(token, at);
    if (at == std::string_view::npos || at + token.size() > end) return value;
    if (seen == nth) break;
  }
  YAML::Mark mark = value;
  for (std::size_t i = start; i < at; ++i) {
    bool newline = bytes[i] == '\n';
    mark.line += newline ? 1 : 0;
    mark.column = newline ? 0 : mark.column + 1;
  }
  mark.pos = static_cast<int>(at);
  return mark;
}

struct Entry {
  YAML::Node key;
  YAML::Node value;
};

std::optional<Entry> entry(const YAML::Node& map, const std::string& key) {
  if (!map.IsMap()) return std::nullopt;
  for (const auto& e : map)
    if (e.first.IsScalar() && e.first.Scalar() == key) return Entry{e.first, e.second};
  return std::nullopt;
}

// Reports each variable of `section.key` (a query or URL) that has no value in `plan`.
void check_text(const YAML::Node& check, const std::string& section, const std::string& key,
                const std::string& path, const Plan& plan, std::string_view bytes, Sink& sink) {
  auto outer = entry(check, section);
  if (!outer) return;
  auto field = entry(outer->value, key);
  if (!field || !field->value.IsScalar()) return;
  YAML::Mark value = mark_of(field->value, mark_of(field->key, YAML::Mark()));
  int key_column = mark_of(field->key, value).column;
  std::map<std::string, int> seen;
  for (const auto& use : template_uses(field->value.Scalar())) {
    int nth = seen[use.token]++;
    auto problem = use.closed ? template_variable_problem(use.name, plan)
                              : std::optional<std::string>("'{{' is not closed with '}}'");
    if (problem) {
      sink.error(token_mark(value, key_column, bytes, use.token, nth), util::join({path, section, key}, "."),
                 *problem);
    }
  }
}

}  // namespace

void check_template_variables(const MapReader& top, const Plan& plan, std::string_view bytes) {
  const Field* checks = top.find("checks");
  if (checks == nullptr || !checks->value.IsMap()) return;
  for (const auto& c : checks->value) {
    if (!c.first.IsScalar() || !c.second.IsMap()) continue;  // reported by the checks parser
    std::string path = "checks." + c.first.Scalar();
    for (const char* section : {"prometheus", "baseline"})
      check_text(c.second, section, "query", path, plan, bytes, top.sink());
    for (const char* section : {"http", "webhook"})
      check_text(c.second, section, "url", path, plan, bytes, top.sink());
  }
}

}  // namespace detail

}  // namespace sluice::plan
