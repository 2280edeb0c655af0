// A private temporary directory for one test, removed with everything in it
// when the object goes away. Tests run in parallel, so every name is unique.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace sluice::testing {

class TempDir {
 public:
  // Creates "<system temp>/<prefix>-XXXXXX"; throws when that is impossible.
  explicit TempDir(std::string_view prefix = "sluice-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `content` to `name` inside the directory and returns its full path.
  std::filesystem::path write(const std::string& name, std::string_view content) const;

 private:
  std::filesystem::path path_;
};

}  // namespace sluice::testing
