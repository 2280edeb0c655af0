#include <sluice/http/secret_registry.hpp>

#include <algorithm>
#include <mutex>
#include <vector>

namespace sluice::http {

namespace {

constexpr std::size_t k_min_secret_length = 4;

struct Registry {
  std::mutex mutex;
  std::vector<std::string> values;  // longest first, so a secret holding another is hidden whole
};

Registry& registry() {
  static Registry instance;
  return instance;
}

}  // namespace

void register_secret(std::string value) {
  if (value.size() < k_min_secret_length) return;
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  if (std::find(r.values.begin(), r.values.end(), value) != r.values.end()) return;
  auto at = std::find_if(r.values.begin(), r.values.end(),
                         [&](const std::string& known) { return known.size() < value.size(); });
  r.values.insert(at, std::move(value));
}

std::string redact_registered(std::string text, std::string_view marker) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  for (const auto& secret : r.values) {
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + marker.size()))
      text.replace(at, secret.size(), marker);
  }
  return text;
}

}  // namespace sluice::http
