#include <sluice/kube/field_mask.hpp>

#include <cstddef>

namespace sluice::kube {

using Json = nlohmann::json;

namespace {

void add_path(FieldMask::Node& root, std::string_view path) {
  FieldMask::Node* node = &root;
  while (!path.empty()) {
    std::size_t dot = path.find('.');
    node = &node->children[std::string(path.substr(0, dot))];
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  node->all = true;
}

// Copies the kept parts of a JSON text into `out`, byte for byte, walking
// its structure without building anything: skipping a dropped value is a
// scan for its closing bracket (strings and escapes respected), far cheaper
// than parsing it. Whatever it does not understand fails the whole copy.
class Pruner {
 public:
  explicit Pruner(std::string_view in) : in_(in) { out_.reserve(in.size() / 2); }

  bool run(const FieldMask::Node& root) { return value(root) && (space(), pos_ == in_.size()); }
  std::string& out() { return out_; }

 private:
  void space() {
    while (pos_ < in_.size() &&
           (in_[pos_] == ' ' || in_[pos_] == '\n' || in_[pos_] == '\r' || in_[pos_] == '\t'))
      ++pos_;
  }
  bool at(char c) const { return pos_ < in_.size() && in_[pos_] == c; }

  // At the opening quote. One memchr per quote, not find_first_of: that
  // calls memchr on its set for every byte of the input, 11 % of the CPU of
  // a 500-replica rollout. A quote ends the string unless an odd run of
  // backslashes (inside the string) precedes it.
  bool skip_string() {
    const std::size_t first = pos_ + 1;
    for (std::size_t from = first;;) {
      std::size_t quote = in_.find('"', from);
      if (quote == std::string_view::npos) return false;
      std::size_t run = quote;
      while (run > first && in_[run - 1] == '\\') --run;
      if ((quote - run) % 2 == 0) return pos_ = quote + 1, true;
      from = quote + 1;
    }
  }

  static bool ends_scalar(char c) {
    return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }

  bool skip_value() {
    space();
    if (pos_ >= in_.size()) return false;
    if (at('"')) return skip_string();
    if (!at('{') && !at('[')) {  // a number, true, false or null
      while (pos_ < in_.size() && !ends_scalar(in_[pos_])) ++pos_;
      return true;
    }
    int depth = 0;
    while (pos_ < in_.size()) {
      char c = in_[pos_];
      if (c == '"') {
        if (!skip_string()) return false;
        continue;
      }
      ++pos_;
      if (c == '{' || c == '[') ++depth;
      if ((c == '}' || c == ']') && --depth == 0) return true;
    }
    return false;
  }

  bool copy_whole() {
    space();
    std::size_t start = pos_;
    if (!skip_value()) return false;
    out_.append(in_.substr(start, pos_ - start));
    return true;
  }

  bool value(const FieldMask::Node& node) {
    space();
    if (node.all || (!at('{') && !at('['))) return copy_whole();
    return at('{') ? object(node) : array(node);
  }

  bool array(const FieldMask::Node& node) {  // elements share the array's node
    out_ += '[';
    ++pos_;
    for (bool first = true;; first = false) {
      space();
      if (at(']')) return ++pos_, out_ += ']', true;
      if (!first) {
        if (!at(',')) return false;
        ++pos_;
        out_ += ',';
      }
      if (!value(node)) return false;
    }
  }

  bool object(const FieldMask::Node& node) {
    out_ += '{';
    ++pos_;
    bool wrote = false;
    for (bool first = true;; first = false) {
      space();
      if (at('}')) return ++pos_, out_ += '}', true;
      if (!first) {
        if (!at(',')) return false;
        ++pos_;
        space();
      }
      if (!member(node, wrote)) return false;
    }
  }

  bool member(const FieldMask::Node& node, bool& wrote) {
    if (!at('"')) return false;
    std::size_t start = pos_;
    if (!skip_string()) return false;
    std::string_view key = in_.substr(start, pos_ - start);
    space();
    if (!at(':')) return false;
    ++pos_;
    auto child = node.children.find(key.substr(1, key.size() - 2));
    if (child == node.children.end()) return skip_value();
    if (wrote) out_ += ',';
    wrote = true;
    out_.append(key);
    out_ += ':';
    return value(child->second);
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  std::string out_;
};

}  // namespace

FieldMask::FieldMask(std::string name, const std::vector<std::string>& paths) : name_(std::move(name)) {
  Node object;
  for (const auto& path : paths) add_path(object, path);
  event_.children["type"].all = true;
  event_.children["object"] = std::move(object);
}

Json FieldMask::parse_event(std::string_view line) const {
  Pruner pruner(line);
  // What the pruner cannot read is parsed whole, as without a mask.
  if (!pruner.run(event_)) return Json::parse(line, nullptr, false);
  return Json::parse(pruner.out(), nullptr, false);
}

std::shared_ptr<const FieldMask> rollout_pod_fields() {
  static const auto mask = std::make_shared<const FieldMask>(
      "rollout-pods",
      std::vector<std::string>{
          // Any watched object, and a Status (ERROR events; its `status` is a
          // string, kept whole where a path goes on below it).
          "kind", "apiVersion", "metadata.name", "metadata.namespace", "metadata.uid",
          "metadata.resourceVersion", "metadata.annotations", "message", "reason", "code", "details",
          // What the rollout reads of a pod (engine/wait.cpp, kube/readiness.cpp):
          // its version (labels, images), whether it is going, its containers' states.
          "metadata.labels", "metadata.deletionTimestamp", "spec.containers.name", "spec.containers.image",
          "spec.initContainers.name", "spec.initContainers.image", "status.phase",
          "status.containerStatuses.name", "status.containerStatuses.state",
          "status.containerStatuses.restartCount", "status.initContainerStatuses.name",
          "status.initContainerStatuses.state", "status.initContainerStatuses.restartCount"});
  return mask;
}

}  // namespace sluice::kube
