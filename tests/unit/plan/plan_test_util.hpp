// Helpers for the plan parser's tests: a small valid plan to vary, the
// diagnostics of a text as strings, and scratch files.
#pragma once

#include <sluice/plan/parser.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace plan_test {

// Line numbers matter: tests point at them.
inline const std::string k_valid_plan = R"(apiVersion: sluice/v1
kind: Plan
metadata: {name: web}
target: {namespace: shop, deployment: web, service: web}
image: registry.example.com/shop/web:1.0
strategy:
  canary:
    steps:
      - setWeight: 20
      - analysis: {checks: [errors]}
checks:
  errors:
    prometheus: {address: http://prom:9090, query: up}
    successCondition: result < 0.01
)";

// `text` with the first `from` replaced by `to`; fails loudly if `from` is absent.
inline std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("test text lacks: " + from);
  return text.replace(at, from.size(), to);
}

inline std::vector<std::string> errors_of(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& diagnostic : sluice::plan::parse_plan(text, "plan.yaml").diagnostics)
    out.push_back(diagnostic.to_string());
  return out;
}

// A fresh directory under the system temp dir, removed with the object.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sluice-plan-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string write(const std::string& name, const std::string& bytes) const {
    std::string file = (path_ / name).string();
    std::ofstream(file, std::ios::binary) << bytes;
    return file;
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace plan_test
