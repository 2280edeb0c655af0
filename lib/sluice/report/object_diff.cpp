#include <sluice/report/object_diff.hpp>

#include <sluice/plan/model.hpp>
#include <sluice/plan/secrets.hpp>
#include <sluice/util/exit_code.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <ostream>

namespace sluice::report {

const char* to_string(ChangeAction action) {
  switch (action) {
    case ChangeAction::create: return "create";
    case ChangeAction::update: return "update";
    case ChangeAction::remove: return "delete";
  }
  return "update";
}

namespace {

// env[] anywhere (containers, initContainers): a value named like a
// credential, or starting like one ("Bearer ..."), is never printed.
void redact_env(Json& node) {
  if (node.is_array()) {
    for (auto& item : node) redact_env(item);
    return;
  }
  if (!node.is_object()) return;
  for (auto& [key, value] : node.items()) {
    if (key != "env" || !value.is_array()) {
      redact_env(value);
      continue;
    }
    for (auto& var : value) {
      if (!var.is_object() || !var.contains("value") || !var["value"].is_string()) continue;
      if (plan::is_secret_header_value(var.value("name", ""), var["value"].get<std::string>()))
        var["value"] = plan::k_redacted;
    }
  }
}

bool plain_scalar(const std::string& s) {
  if (s.empty() || s == "true" || s == "false" || s == "null" || s == "~") return false;
  if (std::isdigit(static_cast<unsigned char>(s[0])) != 0 || s[0] == '-' || s[0] == '.') return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) {
                       return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
                              std::string_view("._/@=+-").find(c) != std::string_view::npos || c == ':';
                     }) &&
         s.back() != ':';
}

std::string scalar_text(const Json& value) {
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    return plain_scalar(s) ? s : value.dump();
  }
  if (value.is_object()) return "{}";
  if (value.is_array()) return "[]";
  return value.dump();
}

bool nested(const Json& value) {
  return (value.is_object() || value.is_array()) && !value.empty();
}

void render(const Json& node, const std::string& indent, std::vector<std::string>& out);

// "- " carries the item's first line; the rest is indented under it.
void render_item(const Json& item, const std::string& indent, std::vector<std::string>& out) {
  if (!nested(item)) {
    out.push_back(indent + "- " + scalar_text(item));
    return;
  }
  std::vector<std::string> inner;
  render(item, "", inner);
  for (std::size_t i = 0; i < inner.size(); ++i) out.push_back(indent + (i == 0 ? "- " : "  ") + inner[i]);
}

void render(const Json& node, const std::string& indent, std::vector<std::string>& out) {
  if (node.is_array()) {
    for (const auto& item : node) render_item(item, indent, out);
    return;
  }
  for (const auto& [key, value] : node.items()) {
    std::string k = plain_scalar(key) ? key : Json(key).dump();
    if (!nested(value)) {
      out.push_back(indent + k + ": " + scalar_text(value));
      continue;
    }
    out.push_back(indent + k + ":");
    // Lists sit at their key's indent, as kubectl's YAML prints them.
    render(value, value.is_array() ? indent : indent + "  ", out);
  }
}

enum class Op { same, removed, added };
struct Edit {
  Op op;
  std::size_t line;  // index in `a` (same, removed) or `b` (added)
};

// The shortest edit script by longest common subsequence (objects are a few
// hundred lines: the quadratic table is small).
std::vector<Edit> edits(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::vector<int>> lcs(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (std::size_t i = a.size(); i-- > 0;) {
    for (std::size_t j = b.size(); j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  std::vector<Edit> script;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      script.push_back({Op::same, i++});
      ++j;
    } else if (i < a.size() && (j == b.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
      script.push_back({Op::removed, i++});  // removals first, as diff -u prints them
    } else {
      script.push_back({Op::added, j++});
    }
  }
  return script;
}

constexpr std::size_t k_context = 3;

std::string range(std::size_t start, std::size_t count) {
  // diff -u: an empty range names the line before it.
  return count == 1 ? std::to_string(start + 1) : fmt::format("{},{}", count == 0 ? start : start + 1, count);
}

// One hunk: script[from, to), with the line numbers it starts at.
std::string hunk(const std::vector<Edit>& script, std::size_t from, std::size_t to,
                 const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::size_t a_start = 0;
  std::size_t b_start = 0;
  for (std::size_t k = 0; k < from; ++k) {
    a_start += script[k].op != Op::added ? 1 : 0;
    b_start += script[k].op != Op::removed ? 1 : 0;
  }
  std::string body;
  std::size_t a_count = 0;
  std::size_t b_count = 0;
  for (std::size_t k = from; k < to; ++k) {
    const Edit& e = script[k];
    if (e.op == Op::same) body += " " + a[e.line] + "\n";
    if (e.op == Op::removed) body += "-" + a[e.line] + "\n";
    if (e.op == Op::added) body += "+" + b[e.line] + "\n";
    a_count += e.op != Op::added ? 1 : 0;
    b_count += e.op != Op::removed ? 1 : 0;
  }
  return fmt::format("@@ -{} +{} @@\n", range(a_start, a_count), range(b_start, b_count)) + body;
}

std::string hunks(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  auto script = edits(a, b);
  auto changed = [&](std::size_t k) { return script[k].op != Op::same; };
  std::string out;
  for (std::size_t k = 0; k < script.size(); ++k) {
    if (!changed(k)) continue;
    // Changes closer than two contexts apart share one hunk, as diff -u prints them.
    std::size_t last = k;
    for (std::size_t next = k + 1; next < script.size() && next - last <= 2 * k_context + 1; ++next)
      if (changed(next)) last = next;
    std::size_t from = k > k_context ? k - k_context : 0;
    std::size_t to = std::min(script.size(), last + 1 + k_context);
    out += hunk(script, from, to, a, b);
    k = to - 1;
  }
  return out;
}

}  // namespace

Json comparable(Json object) {
  if (!object.is_object()) return object;
  object.erase("status");
  if (object.contains("metadata") && object["metadata"].is_object()) {
    for (const char* field : {"managedFields", "resourceVersion", "generation", "uid", "creationTimestamp"})
      object["metadata"].erase(field);
  }
  redact_env(object);
  return object;
}

std::vector<std::string> object_lines(const Json& object) {
  std::vector<std::string> lines;
  if (object.is_null()) return lines;
  render(object, "", lines);
  return lines;
}

std::string unified_diff(const ObjectChange& change) {
  auto before = object_lines(comparable(change.live));
  auto after = object_lines(comparable(change.after));
  if (before == after) return "";
  std::string where = change.kind + " " + (change.ns.empty() ? "" : change.ns + "/") + change.name;
  std::string header = fmt::format("--- {} {}\n+++ {} {}\n", where,
                                   change.action == ChangeAction::create ? "(new object)" : "(live)", where,
                                   change.action == ChangeAction::remove ? "(deleted)" : "(dry run)");
  return header + hunks(before, after);
}

Event diff_event(const std::string& rollout, const ObjectChange& change) {
  Event e{EventType::diff, rollout, 0, 0, "", "", {}};
  e.data = {{"kind", change.kind},
            {"namespace", change.ns},
            {"name", change.name},
            {"action", to_string(change.action)},
            {"diff", unified_diff(change)}};
  return e;
}

namespace {

class DiffPrinter final : public Reporter {
 public:
  explicit DiffPrinter(std::ostream& out) : out_(out) {}
  void emit(const Event& e) override {
    std::lock_guard lock(mutex_);
    if (e.type == EventType::diff) {
      out_ << e.data.value("diff", "");
    } else if (e.type == EventType::info) {
      out_ << e.message << "\n";
    } else if (e.type == EventType::finished) {
      // A failure was said already, line by line (preflight): the summary would repeat it.
      int code = e.data.value("exitCode", 0);
      if (code == k_exit_ok || code == k_exit_changes) out_ << e.message << "\n";
    } else {
      out_ << describe(e) << "\n";
    }
    out_ << std::flush;
  }

 private:
  std::ostream& out_;
  std::mutex mutex_;
};

}  // namespace

std::unique_ptr<Reporter> make_diff_printer(std::ostream& out) {
  return std::make_unique<DiffPrinter>(out);
}

}  // namespace sluice::report
