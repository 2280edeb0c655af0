// `sluice status RELEASE` and `sluice history RELEASE` (docs/releases.md):
// the release record read from the context and namespace the Release names,
// with the exit code the release's own apply ends (or ended) with.
#pragma once

#include <sluice/kube/client.hpp>
#include <sluice/release/record.hpp>
#include <sluice/util/clock.hpp>
#include <sluice/util/result.hpp>

#include <iosfwd>
#include <string>

namespace sluice::release {

struct ReleaseStatus {
  ReleaseRecord record;
  std::string lock_holder;  // "" : no live apply holds the release's lock
  bool abandoned = false;   // Progressing, but no live apply runs it
  int exit_code = 0;
};

// 0 Succeeded, 3 RolledBack, 4 Held, 7 Failed; Progressing: 0 while a live
// apply holds the lock, 130 when it is gone (apply again resumes).
int release_status_exit_code(const ReleaseRecord& record, bool abandoned);

// not_found ("no release named N in namespace NS") when never applied there.
util::Result<ReleaseRecord> read_release_record(kube::Client& kube, const std::string& ns,
                                                const std::string& name);
util::Result<ReleaseStatus> read_release_status(kube::Client& kube, util::Clock& clock, const std::string& ns,
                                                const std::string& name);

// Text: a header, then one line per target. JSON: one object.
void print_release_status(const ReleaseStatus& status, std::ostream& out, bool json);
// The runs before the current one, then the current one (newest last): one
// line, or one JSON object, each.
void print_release_history(const ReleaseRecord& record, std::ostream& out, bool json);

}  // namespace sluice::release
