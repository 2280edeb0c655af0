// Running one wave of a release: its targets on at most maxParallel threads,
// each an ordinary `apply` of its plan through its own clients. A failure
// beyond the wave's budget stops the wave: no new target starts and those in
// flight are interrupted (they save their state and stop). Internal to
// lib/sluice/release.
#pragma once

#include <sluice/engine/context.hpp>
#include <sluice/release/keeper.hpp>
#include <sluice/release/prepare.hpp>

#include <string>
#include <vector>

namespace sluice::release {

struct WaveRun {
  std::vector<Slot*> slots;          // the wave's targets not done yet
  std::vector<std::size_t> indexes;  // each slot's index in the release record
  int max_parallel = 1;
  int failure_budget = 0;
  engine::RunOptions options;  // lease duration, identity
};

struct WaveResult {
  int failed = 0;
  bool stopped = false;                  // the failures went beyond the budget
  std::string why;                       // the first failure beyond the budget
  std::vector<std::size_t> interrupted;  // record indexes of targets stopped mid-run
};

// `release_interrupt`: SIGINT/SIGTERM; once fired no target starts.
WaveResult run_wave(const WaveRun& wave, Keeper& keeper, const engine::Interrupt& release_interrupt);

}  // namespace sluice::release
