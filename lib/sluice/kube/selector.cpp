// Label selector matching for waits that share a namespace-wide watch.
#include <sluice/kube/watch.hpp>

#include <algorithm>
#include <sstream>

namespace sluice::kube {

namespace {

std::string trim(const std::string& s) {
  auto begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(" \t") - begin + 1);
}

// Splits on commas outside parentheses: "a in (x,y),b" -> ["a in (x,y)", "b"].
std::vector<std::string> split_terms(const std::string& selector) {
  std::vector<std::string> terms;
  std::string current;
  int depth = 0;
  for (char c : selector) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      terms.push_back(trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!trim(current).empty()) terms.push_back(trim(current));
  return terms;
}

std::vector<std::string> set_values(const std::string& text) {
  std::vector<std::string> out;
  auto open = text.find('(');
  auto close = text.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return out;
  std::stringstream in(text.substr(open + 1, close - open - 1));
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(trim(item));
  return out;
}

bool term_matches(const Json& labels, const std::string& term) {
  auto value_of = [&](const std::string& key) -> const Json* {
    auto it = labels.find(key);
    return it != labels.end() && it->is_string() ? &*it : nullptr;
  };
  if (term.empty()) return true;
  if (term[0] == '!') return value_of(trim(term.substr(1))) == nullptr;
  for (const char* op : {" notin ", " in "}) {
    auto pos = term.find(op);
    if (pos == std::string::npos) continue;
    const Json* v = value_of(trim(term.substr(0, pos)));
    auto values = set_values(term.substr(pos));
    bool member =
        v != nullptr && std::find(values.begin(), values.end(), v->get<std::string>()) != values.end();
    return std::string(op) == " in " ? member : !member;
  }
  auto ne = term.find("!=");
  if (ne != std::string::npos) {
    const Json* v = value_of(trim(term.substr(0, ne)));
    return v == nullptr || v->get<std::string>() != trim(term.substr(ne + 2));
  }
  auto eq = term.find('=');
  if (eq != std::string::npos) {
    std::size_t skip = term.compare(eq, 2, "==") == 0 ? 2 : 1;
    const Json* v = value_of(trim(term.substr(0, eq)));
    return v != nullptr && v->get<std::string>() == trim(term.substr(eq + skip));
  }
  return value_of(term) != nullptr;
}

}  // namespace

bool labels_match(const Json& labels, const std::string& selector) {
  static const Json empty = Json::object();
  const Json& l = labels.is_object() ? labels : empty;
  for (const auto& term : split_terms(selector)) {
    if (!term_matches(l, term)) return false;
  }
  return true;
}

}  // namespace sluice::kube
