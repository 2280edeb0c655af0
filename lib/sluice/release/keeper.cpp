#include <sluice/release/keeper.hpp>

#include <sluice/util/rfc3339.hpp>

namespace sluice::release {

util::Status Keeper::set_target(std::size_t index, TargetOutcome outcome, int exit_code,
                                const std::string& message) {
  std::lock_guard lock(mutex_);
  auto& target = record_.targets.at(index);
  target.outcome = outcome;
  target.exit_code = exit_code;
  target.message = message;
  return save_locked();
}

util::Status Keeper::set_phase(const std::string& phase, const std::string& message) {
  std::lock_guard lock(mutex_);
  record_.phase = phase;
  record_.message = message;
  return save_locked();
}

util::Status Keeper::save() {
  std::lock_guard lock(mutex_);
  return save_locked();
}

TargetOutcome Keeper::outcome(std::size_t index) const {
  std::lock_guard lock(mutex_);
  return record_.targets.at(index).outcome;
}

bool Keeper::unchanged(std::size_t index) const {
  std::lock_guard lock(mutex_);
  return record_.targets.at(index).unchanged;
}

std::string Keeper::digest() const {
  std::lock_guard lock(mutex_);
  return record_.digest;
}

util::Status Keeper::save_locked() {
  record_.updated_at = util::format_rfc3339(clock_.wall_now());
  return store_.save(record_);
}

}  // namespace sluice::release
