// Label selectors as the API server parses them, for client and simulator alike.
#include <sluice/kube/selector.hpp>
#include <sluice/util/strings.hpp>

#include <algorithm>
#include <cctype>

namespace sluice::kube {

using util::ErrorKind;
using util::make_error;

namespace {

Result<Requirement> parse_set_term(const std::string& term, std::size_t op_pos, std::size_t op_len,
                                   Requirement::Op op) {
  Requirement r;
  r.key = std::string(util::trim(term.substr(0, op_pos)));
  r.op = op;
  std::string rest(util::trim(term.substr(op_pos + op_len)));
  if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') {
    return make_error(ErrorKind::invalid, "unable to parse requirement: found '" + rest + "', expected: '('");
  }
  r.values = split_selector_terms(rest.substr(1, rest.size() - 2));
  return r;
}

bool valid_label_key(const std::string& key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/'))
      return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> split_selector_terms(const std::string& text) {
  std::vector<std::string> terms;
  std::string current;
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      terms.push_back(std::string(util::trim(current)));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!util::trim(current).empty() || !terms.empty()) terms.push_back(std::string(util::trim(current)));
  return terms;
}

Result<Requirement> parse_requirement(const std::string& term) {
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
    r.key = std::string(util::trim(term.substr(0, pos)));
    r.op = op;
    r.values = {std::string(util::trim(term.substr(pos + std::string(text).size())))};
    return r;
  }
  if (term[0] == '!') {
    r.key = std::string(util::trim(term.substr(1)));
    r.op = Requirement::Op::not_exists;
  } else {
    r.key = term;
    r.op = Requirement::Op::exists;
  }
  return r;
}

Result<std::vector<Requirement>> parse_label_selector(const std::string& text) {
  std::vector<Requirement> selector;
  if (util::trim(text).empty()) return selector;
  for (const auto& term : split_selector_terms(text)) {
    auto r = parse_requirement(term);
    if (!r.ok()) return r.error();
    if (!valid_label_key(r->key)) {
      return make_error(ErrorKind::invalid,
                        "unable to parse requirement: invalid label key \"" + r->key + "\"");
    }
    selector.push_back(std::move(*r));
  }
  return selector;
}

bool satisfies(const Requirement& r, const std::optional<std::string>& value) {
  const auto listed = [&] { return std::find(r.values.begin(), r.values.end(), *value) != r.values.end(); };
  switch (r.op) {
    case Requirement::Op::exists: return value.has_value();
    case Requirement::Op::not_exists: return !value.has_value();
    case Requirement::Op::equals: return value.has_value() && *value == r.values.front();
    case Requirement::Op::not_equals: return !value.has_value() || *value != r.values.front();
    case Requirement::Op::in: return value.has_value() && listed();
    case Requirement::Op::not_in: return !value.has_value() || !listed();
  }
  return false;
}

bool labels_match(const std::vector<Requirement>& selector, const Json& labels) {
  for (const auto& r : selector) {
    std::optional<std::string> value;
    if (labels.is_object()) {
      auto it = labels.find(r.key);
      if (it != labels.end() && it->is_string()) value = it->get<std::string>();
    }
    if (!satisfies(r, value)) return false;
  }
  return true;
}

bool labels_match(const Json& labels, const std::string& selector) {
  auto parsed = parse_label_selector(selector);
  return parsed.ok() && labels_match(*parsed, labels);
}

}  // namespace sluice::kube
