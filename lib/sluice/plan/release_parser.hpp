// Reading a release file (docs/releases.md) and every plan it names into a
// typed Release. Problems are Diagnostics in the file they are in: a bad
// field of the release in the release, a bad plan in that plan's own file.
#pragma once

#include <sluice/plan/diagnostic.hpp>
#include <sluice/plan/release_model.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::plan {

struct ReleaseParse {
  std::optional<Release> release;  // set exactly when diagnostics is empty
  std::vector<Diagnostic> diagnostics;
  bool ok() const { return release.has_value(); }
};

// Parses release text named `file`; plan paths resolve against its directory.
ReleaseParse parse_release(std::string_view bytes, const std::string& file);

// Reads and parses the release file at `path` (size-capped like plans).
ReleaseParse load_release(const std::string& path);

// True when the file at `path` is a YAML mapping whose kind is Release: the
// verbs that take a plan file use this to tell the two kinds apart. Anything
// unreadable is not a release (the plan loader then says what is wrong).
bool is_release_file(const std::string& path);

}  // namespace sluice::plan
