// What `sluice --version` and `kubesim --version` print: the project version
// and, when built from a git checkout, the commit.
#pragma once

#include <string>
#include <string_view>

namespace sluice::util {

// "0.1.0", from the project() version in CMakeLists.txt.
std::string_view version();
// The commit of the build ("c493834c2c89", "...-dirty"), or "" outside git.
std::string_view git_commit();
// "<program> 0.1.0 (commit c493834c2c89)", or without the parenthesis.
std::string version_line(std::string_view program);

}  // namespace sluice::util
