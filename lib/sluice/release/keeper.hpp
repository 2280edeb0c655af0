// The release record as an apply keeps it: one copy in memory that target
// threads update under a mutex, written to the cluster after every change.
// Internal to lib/sluice/release.
#pragma once

#include <sluice/release/record.hpp>
#include <sluice/util/clock.hpp>

#include <mutex>
#include <string>

namespace sluice::release {

class Keeper {
 public:
  Keeper(ReleaseStore& store, util::Clock& clock, ReleaseRecord record)
      : store_(store), clock_(clock), record_(std::move(record)) {}

  // Sets target `index`'s outcome (and why) and writes the record.
  util::Status set_target(std::size_t index, TargetOutcome outcome, int exit_code,
                          const std::string& message);
  // Sets the release's phase (and why) and writes the record.
  util::Status set_phase(const std::string& phase, const std::string& message);
  util::Status save();
  TargetOutcome outcome(std::size_t index) const;
  bool unchanged(std::size_t index) const;
  std::string digest() const;

 private:
  util::Status save_locked();
  mutable std::mutex mutex_;
  ReleaseStore& store_;
  util::Clock& clock_;
  ReleaseRecord record_;
};

}  // namespace sluice::release
