#include <sluice/kubesim/selectors.hpp>

#include <algorithm>
#include <cctype>
#include <optional>

namespace sluice::kubesim {

using util::ErrorKind;
using util::make_error;

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// Splits on commas outside parentheses.
std::vector<std::string> split_terms(const std::string& text) {
  std::vector<std::string> terms;
  std::string current;
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      terms.push_back(trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!trim(current).empty() || !terms.empty()) terms.push_back(trim(current));
  return terms;
}

Result<Requirement> parse_set_term(const std::string& term, std::size_t op_pos, std::size_t op_len,
                                   Requirement::Op op) {
  Requirement r;
  r.key = trim(term.substr(0, op_pos));
  r.op = op;
  std::string rest = trim(term.substr(op_pos + op_len));
  if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') {
    return make_error(ErrorKind::invalid, "unable to parse requirement: found '" + rest + "', expected: '('");
  }
  for (const auto& v : split_terms(rest.substr(1, rest.size() - 2))) r.values.push_back(v);
  return r;
}

Result<Requirement> parse_label_term(const std::string& term) {
  Requirement r;
  if (term.empty()) return make_error(ErrorKind::invalid, "found '', expected: identifier");
  for (auto [word, op] :
       {std::pair{" notin ", Requirement::Op::not_in}, std::pair{" in ", Requirement::Op::in}}) {
    const auto pos = term.find(word);
    if (pos != std::string::npos) return parse_set_term(term, pos, std::string(word).size(), op);
  }
  for (auto [text, op] :
       {std::pair{"!=", Requirement::Op::not_equals}, std::pair{"==", Requirement::Op::equals},
        std::pair{"=", Requirement::Op::equals}}) {
    const auto pos = term.find(text);
    if (pos == std::string::npos) continue;
    r.key = trim(term.substr(0, pos));
    r.op = op;
    r.values = {trim(term.substr(pos + std::string(text).size()))};
    return r;
  }
  if (term[0] == '!') {
    r.key = trim(term.substr(1));
    r.op = Requirement::Op::not_exists;
  } else {
    r.key = term;
    r.op = Requirement::Op::exists;
  }
  return r;
}

bool valid_key(const std::string& key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/'))
      return false;
  }
  return true;
}

bool matches(const Requirement& r, const std::optional<std::string>& value) {
  switch (r.op) {
    case Requirement::Op::exists: return value.has_value();
    case Requirement::Op::not_exists: return !value.has_value();
    case Requirement::Op::equals: return value.has_value() && *value == r.values.front();
    case Requirement::Op::not_equals: return !value.has_value() || *value != r.values.front();
    case Requirement::Op::in:
      return value.has_value() && std::find(r.values.begin(), r.values.end(), *value) != r.values.end();
    case Requirement::Op::not_in:
      return !value.has_value() || std::find(r.values.begin(), r.values.end(), *value) == r.values.end();
  }
  return false;
}

std::optional<std::string> field_value(const Json& object, const std::string& path) {
  const Json* node = &object;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(part)) return std::nullopt;
    node = &(*node)[part];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (node->is_string()) return node->get<std::string>();
  if (node->is_null()) return std::nullopt;
  return node->dump();
}

}  // namespace

Result<std::vector<Requirement>> parse_label_selector(const std::string& text) {
  std::vector<Requirement> selector;
  if (trim(text).empty()) return selector;
  for (const auto& term : split_terms(text)) {
    auto r = parse_label_term(term);
    if (!r.ok()) return r.error();
    if (!valid_key(r->key)) {
      return make_error(ErrorKind::invalid,
                        "unable to parse requirement: invalid label key \"" + r->key + "\"");
    }
    selector.push_back(std::move(*r));
  }
  return selector;
}

bool matches_labels(const std::vector<Requirement>& selector, const Json& object) {
  const Json* labels = nullptr;
  if (object.contains("metadata") && object["metadata"].contains("labels"))
    labels = &object["metadata"]["labels"];
  for (const auto& r : selector) {
    std::optional<std::string> value;
    if (labels != nullptr && labels->contains(r.key) && (*labels)[r.key].is_string()) {
      value = (*labels)[r.key].get<std::string>();
    }
    if (!matches(r, value)) return false;
  }
  return true;
}

Result<std::vector<Requirement>> parse_field_selector(const std::string& text) {
  std::vector<Requirement> selector;
  if (trim(text).empty()) return selector;
  for (const auto& term : split_terms(text)) {
    auto r = parse_label_term(term);
    if (!r.ok()) return r.error();
    if (r->op != Requirement::Op::equals && r->op != Requirement::Op::not_equals) {
      return make_error(ErrorKind::invalid,
                        "invalid selector: '" + text + "'; can't understand '" + term + "'");
    }
    selector.push_back(std::move(*r));
  }
  return selector;
}

bool matches_fields(const std::vector<Requirement>& selector, const Json& object) {
  for (const auto& r : selector) {
    auto value = field_value(object, r.key);
    // The apiserver treats an absent field as the empty string.
    if (!value.has_value()) value = "";
    if (!matches(r, value)) return false;
  }
  return true;
}

std::string selector_to_string(const Json& label_selector) {
  std::string out;
  auto add = [&out](const std::string& term) { out += (out.empty() ? "" : ",") + term; };
  if (label_selector.contains("matchLabels")) {
    for (const auto& [k, v] : label_selector["matchLabels"].items()) add(k + "=" + v.get<std::string>());
  }
  if (label_selector.contains("matchExpressions")) {
    for (const auto& e : label_selector["matchExpressions"]) {
      const std::string op = e.value("operator", "");
      std::string values;
      for (const auto& v : e.value("values", Json::array()))
        values += (values.empty() ? "" : ",") + v.get<std::string>();
      const std::string key = e.value("key", "");
      if (op == "In") add(key + " in (" + values + ")");
      if (op == "NotIn") add(key + " notin (" + values + ")");
      if (op == "Exists") add(key);
      if (op == "DoesNotExist") add("!" + key);
    }
  }
  return out;
}

}  // namespace sluice::kubesim
