// What --version prints, from the build's own version and git commit.
#include <sluice/util/version.hpp>

#include <catch2/catch.hpp>

#include <regex>

TEST_CASE("version_line is the program, the project version and the commit when there is one") {
  std::string line = sluice::util::version_line("kubesim");
  CHECK(line.rfind(std::string("kubesim ") + SLUICE_VERSION, 0) == 0);
  if (sluice::util::git_commit().empty()) {
    CHECK(line == std::string("kubesim ") + SLUICE_VERSION);
  } else {
    CHECK(std::regex_match(std::string(sluice::util::git_commit()), std::regex("[0-9a-f]{7,40}(-dirty)?")));
    CHECK(line == std::string("kubesim ") + SLUICE_VERSION + " (commit " +
                      std::string(sluice::util::git_commit()) + ")");
  }
}
