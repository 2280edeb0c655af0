// What apply, promote, abort and rollback share: taking the lock for the
// run's duration, reading the recorded plan back, and a light preflight
// for commands that continue a rollout whose image is already resolved.
#pragma once

#include <sluice/engine/driver.hpp>
#include <sluice/state/lease_lock.hpp>
#include <sluice/state/record_store.hpp>

#include <functional>
#include <optional>
#include <string>

namespace sluice::engine {

// Runs `body` holding the rollout's Lease; exit 5 naming the holder when
// another live process has it. The lease is renewed meanwhile. While `body`
// runs, deps.kube is a FencedClient: once the lock is lost every write is
// refused, the interrupt fires, and the run ends with exit 9 naming the new holder.
// `store` is the rollout's record store (read here first when the caller has
// not): a record that says how the last run let the lock go lets the lock be
// taken with one update, and then its read is the body's first load(). While
// `body` runs, `store` writes through the fenced client and deps.lock is the lock.
Outcome with_lock(Deps& deps, const std::string& ns, const std::string& name, const RunOptions& options,
                  state::RecordStore& store, const std::function<Outcome()>& body);

// The plan a record was started with (from its stored text).
util::Result<plan::Plan> recorded_plan(const state::Record& record);

// Preflight for continuing `record`: cluster objects only; the image is the recorded digest.
PreflightResult preflight_recorded(const plan::Plan& plan, const state::Record& record, Deps& deps);

}  // namespace sluice::engine
