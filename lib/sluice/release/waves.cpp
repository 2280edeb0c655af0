#include <sluice/release/waves.hpp>

#include <sluice/engine/commands.hpp>
#include <sluice/util/exit_code.hpp>

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

namespace sluice::release {

namespace {

class WaveState {
 public:
  WaveState(const WaveRun& wave, Keeper& keeper, const engine::Interrupt& release_interrupt)
      : wave_(wave), keeper_(keeper), release_interrupt_(release_interrupt) {}

  // Runs targets until none is left or the wave stopped.
  void work() {
    for (;;) {
      std::size_t i = 0;
      {
        std::lock_guard lock(mutex_);
        if (result_.stopped || release_interrupt_.fired() || next_ >= wave_.slots.size()) return;
        i = next_++;
        running_.insert(i);
      }
      (void)keeper_.set_target(wave_.indexes[i], TargetOutcome::running, 0, "");
      Slot& slot = *wave_.slots[i];
      auto outcome = engine::apply_plan(slot.plan, slot.target->plan_text, slot.env->deps(), wave_.options);
      finished(i, outcome);
    }
  }

  WaveResult take() { return std::move(result_); }

 private:
  void finished(std::size_t i, const engine::Outcome& outcome) {
    Slot& slot = *wave_.slots[i];
    slot.env->deps().out->emit(report::Event{report::EventType::info,
                                             slot.plan.name,
                                             0,
                                             0,
                                             "",
                                             "target " + slot.name + " ended with exit " +
                                                 std::to_string(outcome.exit_code) + ": " + outcome.message,
                                             {{"exitCode", outcome.exit_code}}});
    std::lock_guard lock(mutex_);
    running_.erase(i);
    std::size_t index = wave_.indexes[i];
    const std::string& name = wave_.slots[i]->name;
    if (outcome.exit_code == k_exit_ok) {
      (void)keeper_.set_target(index, TargetOutcome::done, 0, outcome.message);
      return;
    }
    if (outcome.exit_code == k_exit_interrupted) {
      (void)keeper_.set_target(index, TargetOutcome::stopped, outcome.exit_code, outcome.message);
      result_.interrupted.push_back(index);
      return;
    }
    (void)keeper_.set_target(index, TargetOutcome::failed, outcome.exit_code, outcome.message);
    if (++result_.failed <= wave_.failure_budget || result_.stopped) return;
    result_.stopped = true;
    result_.why = name + " failed (exit " + std::to_string(outcome.exit_code) + "): " + outcome.message;
    for (std::size_t other : running_)
      wave_.slots[other]->env->interrupt("the release stopped: " + name + " failed");
  }

  const WaveRun& wave_;
  Keeper& keeper_;
  const engine::Interrupt& release_interrupt_;
  std::mutex mutex_;
  std::size_t next_ = 0;
  std::set<std::size_t> running_;
  WaveResult result_;
};

}  // namespace

WaveResult run_wave(const WaveRun& wave, Keeper& keeper, const engine::Interrupt& release_interrupt) {
  WaveState state(wave, keeper, release_interrupt);
  std::size_t threads =
      std::min<std::size_t>(static_cast<std::size_t>(std::max(1, wave.max_parallel)), wave.slots.size());
  std::vector<std::thread> workers;
  workers.reserve(threads);
  for (std::size_t t = 0; t < threads; ++t) workers.emplace_back([&state] { state.work(); });
  for (auto& worker : workers) worker.join();
  return state.take();
}

}  // namespace sluice::release
