#include <sluice/util/version.hpp>

#include <sluice_git_commit.hpp>

namespace sluice::util {

std::string_view version() {
  return SLUICE_VERSION;
}

std::string_view git_commit() {
  return SLUICE_GIT_COMMIT;
}

std::string version_line(std::string_view program) {
  std::string line{program};
  line += ' ';
  line += version();
  if (!git_commit().empty()) {
    line += " (commit ";
    line += git_commit();
    line += ')';
  }
  return line;
}

}  // namespace sluice::util
