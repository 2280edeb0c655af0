#include <sluice/drill/failover.hpp>

#include <sluice/drill/record_store.hpp>
#include <sluice/drill/regions.hpp>
#include <sluice/state/lease_lock.hpp>
#include <sluice/util/exit_code.hpp>
#include <sluice/util/rfc3339.hpp>

namespace sluice::drill {

namespace {

void say(DrillDeps& deps, const std::string& drill, const std::string& message) {
  if (deps.out) deps.out->emit(report::Event{report::EventType::info, drill, 0, 0, "", message, {}});
}

std::vector<RegionCapacity> capacities(const DrillRecord& record) {
  std::vector<RegionCapacity> out;
  for (const RecordedRegion& r : record.regions)
    out.push_back({r.region, r.replicas, !r.hpa.empty(), r.min_replicas, r.max_replicas});
  return out;
}

const RecordedRegion& recorded(const DrillRecord& record, const std::string& region) {
  for (const RecordedRegion& r : record.regions)
    if (r.region == region) return r;
  throw std::out_of_range("region " + region + " is not in the drill record");
}

util::Result<DrillRecord> snapshot(const plan::Drill& drill, const std::string& from, DrillDeps& deps) {
  DrillRecord record;
  record.drill = drill.name;
  record.from = from;
  record.started_at = util::format_rfc3339(deps.clock->wall_now());
  for (const plan::Region& region : drill.regions) {
    auto observed = observe_region(region, deps.at(region.context.name));
    if (!observed) return observed.error();
    record.regions.push_back(std::move(*observed));
  }
  auto weights = observe_weights(drill, deps);
  if (!weights) return weights.error();
  record.weights = std::move(*weights);
  return record;
}

// One failover step after `record.step`; the caller records it once it returns ok.
util::Status failover_step(const plan::Drill& drill, const DrillRecord& record, DrillDeps& deps) {
  const auto changes = survivor_capacity(capacities(record), record.from);
  switch (record.step) {
    case DrillStep::recorded:
      for (const CapacityChange& change : changes) {
        if (auto ok = apply_capacity(recorded(record, change.region), change,
                                     deps.at(recorded(record, change.region).context));
            !ok)
          return ok;
      }
      return {};
    case DrillStep::capacity_raised:
      for (const CapacityChange& change : changes) {
        const RecordedRegion& region = recorded(record, change.region);
        // With an HPA the need is its minReplicas; without, the replicas written.
        if (auto ok = wait_ready(region, change.to, deps); !ok) return ok;
      }
      return run_recovery_gates(drill, deps);
    default:
      return set_weights(drill, failover_shares(record.weights, record.from), deps, "failover", record.from);
  }
}

util::Status failback_step(const plan::Drill& drill, const DrillRecord& record, DrillDeps& deps) {
  switch (record.step) {
    case DrillStep::traffic_moved: {
      const RecordedRegion& failed = recorded(record, record.from);
      return wait_ready(failed, failed.replicas, deps);
    }
    case DrillStep::region_ready: return set_weights(drill, record.weights, deps, "failback", record.from);
    default:
      for (const CapacityChange& change : survivor_capacity(capacities(record), record.from)) {
        CapacityChange back = change;
        back.to = change.from;  // exactly what was recorded
        const RecordedRegion& region = recorded(record, change.region);
        if (auto ok = apply_capacity(region, back, deps.at(region.context)); !ok) return ok;
      }
      return {};
  }
}

DrillStep next_step(DrillStep step) {
  return static_cast<DrillStep>(static_cast<int>(step) + 1);
}

DrillOutcome failed(const std::string& what, const util::Error& error) {
  int code = error.kind == util::ErrorKind::cancelled ? k_exit_interrupted : k_exit_needs_human;
  return {code, what + ": " + error.message};
}

// Runs steps until `last` is recorded, saving the record after each.
DrillOutcome walk(const plan::Drill& drill, DrillRecord& record, DrillStep last, RecordStore& store,
                  DrillDeps& deps, const StepObserver& on_step, bool failing_over) {
  while (record.step < last) {
    DrillStep next = next_step(record.step);
    auto done = failing_over ? failover_step(drill, record, deps) : failback_step(drill, record, deps);
    if (!done) return failed(std::string("step ") + to_string(next), done.error());
    record.step = next;
    if (auto saved = store.save(record); !saved) return failed("writing the drill record", saved.error());
    say(deps, drill.name, std::string("step ") + to_string(next) + " done");
    if (on_step) on_step(to_string(next));
  }
  return {k_exit_ok, failing_over ? "failed over from " + record.from : "failed back to " + record.from};
}

// Takes the drill's lock in the record's cluster, runs `body`, releases it.
DrillOutcome with_drill_lock(const plan::Drill& drill, DrillDeps& deps,
                             const std::function<DrillOutcome()>& body) {
  Cluster& home = deps.at(drill.record.context.name);
  state::LeaseLock lock(*home.kube, *home.hub, *deps.clock, drill.record.ns, "drill-" + drill.name,
                        deps.identity, state::LockOptions{deps.lease_duration, util::Duration(0)});
  auto got = lock.acquire(deps.interrupt ? &deps.interrupt->token() : nullptr);
  if (!got) return {k_exit_preflight, "taking the drill's lock: " + got.error().message};
  if (!got->acquired) return {k_exit_locked, "drill " + drill.name + " is locked by " + got->holder};
  engine::Interrupt* interrupt = deps.interrupt;
  lock.start_renewing([interrupt] {
    if (interrupt) interrupt->fire("lost the drill's lock");
  });
  DrillOutcome out = body();
  (void)lock.release();
  return out;
}

}  // namespace

DrillOutcome run_failover(const plan::Drill& drill, const std::string& from_flag, DrillDeps& deps,
                          const StepObserver& on_step) {
  const std::string from = from_flag.empty() ? drill.failover_from : from_flag;
  if (!drill.region(from)) return {k_exit_usage, "unknown region '" + from + "'"};
  return with_drill_lock(drill, deps, [&]() -> DrillOutcome {
    RecordStore store(*deps.at(drill.record.context.name).kube, drill.record.ns, drill.name);
    auto loaded = store.load();
    if (!loaded) return failed("reading the drill record", loaded.error());
    switch (failover_start(*loaded, from)) {
      case FailoverStart::refuse:
        return {k_exit_usage, "a failover from '" + (*loaded)->from + "' is in place (step " +
                                  to_string((*loaded)->step) + "); run `sluice failback` first"};
      case FailoverStart::already_done: return {k_exit_ok, "already failed over from " + from};
      case FailoverStart::resume:
        say(deps, drill.name, std::string("resuming after step ") + to_string((*loaded)->step));
        break;
      case FailoverStart::fresh: {
        auto taken = snapshot(drill, from, deps);
        if (!taken) return {k_exit_preflight, "recording the drill's state: " + taken.error().message};
        *loaded = std::move(*taken);
        if (auto saved = store.save(**loaded); !saved)
          return {k_exit_preflight, "writing the drill record: " + saved.error().message};
        if (on_step) on_step(to_string(DrillStep::recorded));
      }
    }
    return walk(drill, **loaded, DrillStep::traffic_moved, store, deps, on_step, true);
  });
}

DrillOutcome run_failback(const plan::Drill& drill, DrillDeps& deps, const StepObserver& on_step) {
  return with_drill_lock(drill, deps, [&]() -> DrillOutcome {
    RecordStore store(*deps.at(drill.record.context.name).kube, drill.record.ns, drill.name);
    auto loaded = store.load();
    if (!loaded) return failed("reading the drill record", loaded.error());
    if (failback_start(*loaded) == FailbackStart::nothing_to_do) return {k_exit_ok, "nothing to fail back"};
    DrillRecord& record = **loaded;
    // A failover cut short fails back from where it stopped: traffic never moved.
    if (record.step < DrillStep::traffic_moved) record.step = DrillStep::traffic_moved;
    return walk(drill, record, DrillStep::restored, store, deps, on_step, false);
  });
}

}  // namespace sluice::drill
