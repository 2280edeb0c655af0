#include <sluice/engine/run_support.hpp>

#include <sluice/engine/lock_wait.hpp>
#include <sluice/kube/fenced_client.hpp>
#include <sluice/kube/resources.hpp>
#include <sluice/kube/watch.hpp>
#include <sluice/plan/parser.hpp>
#include <sluice/util/exit_code.hpp>

namespace sluice::engine {

namespace {

// The body's writes go through the lock's fence: deps.kube (and the
// record store) use the fenced client while it runs (the body's closure
// holds `deps` by reference), and deps.lock is the lock.
Outcome run_fenced(Deps& deps, state::LeaseLock& lock, state::RecordStore& store,
                   const std::function<Outcome()>& body) {
  kube::FencedClient fenced(*deps.kube, lock.fence());
  struct Restore {
    Deps& deps;
    state::RecordStore& store;
    kube::Client* client;
    ~Restore() {
      deps.kube = client;
      deps.lock = nullptr;
      store.use_client(*client);
    }
  } restore{deps, store, deps.kube};
  deps.kube = &fenced;
  deps.lock = &lock;
  store.use_client(fenced);
  return body();
}

// The record before the lock, read as the start of the record's own watch
// (which later brings abort and promote requests): one request where a GET
// and then a watch were two. Still a read from the server; a stale one only
// makes the Lease handover a 409 and the record is read again under the lock.
void read_record(Deps& deps, state::RecordStore& store, const std::string& ns, const std::string& name) {
  auto deadline = deps.clock->now() + std::chrono::seconds(30);
  auto seen = deps.hub->snapshot(kube::k_configmaps, ns,
                                 kube::WaitTarget::object(state::RecordStore::object_name(name)), deadline,
                                 &deps.interrupt->token());
  if (!seen) {
    (void)store.load();  // a failed read is the body's to report
    return;
  }
  store.adopt_read(seen->empty() ? std::nullopt : std::optional<kube::Json>(std::move(seen->front())));
}

// The Lease version the record says the last run let the lock go at ("" if none).
std::string released_lease_version(Deps& deps, state::RecordStore& store, const std::string& ns,
                                   const std::string& name) {
  if (!store.has_read()) read_record(deps, store, ns, name);
  const auto& cm = store.last_seen();
  if (!cm) return "";
  auto rec = state::record_from_configmap(*cm);
  return rec && *rec ? (**rec).released_lease_version : "";
}

// A run that stopped because it lost the lock: it did change the cluster, so
// this is not "locked" (5, nothing changed) but its own code.
Outcome lost_lock(state::LeaseLock& lock, const std::string& name, const Outcome& out) {
  std::string holder = lock.current_holder();
  std::string why = !holder.empty() && holder != lock.identity()
                        ? "another deploy took the lock (now held by " + holder + ")"
                        : lock.fence().why();
  return {k_exit_lock_lost, out.phase,
          why + "; this run stopped writing (lease " + state::LeaseLock::lease_name(name) + ")"};
}

}  // namespace

Outcome with_lock(Deps& deps, const std::string& ns, const std::string& name, const RunOptions& options,
                  state::RecordStore& store, const std::function<Outcome()>& body) {
  std::string identity = options.identity.empty() ? deps.starter.identity() : options.identity;
  state::LeaseLock lock(*deps.kube, *deps.hub, *deps.clock, ns, name, identity,
                        state::LockOptions{options.lease_duration, util::Duration(0)});
  std::string released_version = released_lease_version(deps, store, ns, name);
  auto asked = deps.clock->now();
  auto got = lock.acquire(&deps.interrupt->token(), released_version);
  tell_lock_wait(std::chrono::duration_cast<util::Duration>(deps.clock->now() - asked));
  if (!got) {
    if (got.error().kind == util::ErrorKind::cancelled)
      return {k_exit_interrupted, {}, "interrupted while waiting for the lock"};
    return {k_exit_preflight, {}, "taking the lock: " + got.error().message};
  }
  if (!got->acquired) {
    return {k_exit_locked,
            {},
            "rollout " + name + " is locked by " + got->holder + " (lease " +
                state::LeaseLock::lease_name(name) + ")"};
  }
  if (got->took_over) {
    deps.out->emit(report::Event{report::EventType::info,
                                 name,
                                 0,
                                 0,
                                 "",
                                 "took over the lock from a holder that stopped renewing it",
                                 {}});
  }
  Interrupt* interrupt = deps.interrupt;
  auto stop = [interrupt, &lock] { interrupt->fire("lost the lock: " + lock.fence().why()); };
  lock.fence().on_refused(stop);
  lock.start_renewing(stop);
  // Taken at the version the record names: no one held the lock since that
  // record was written, so the read made before the lock is still the record.
  if (got->handed_over) store.trust_last_read();
  Outcome out = run_fenced(deps, lock, store, body);
  auto released = lock.release();
  // Stopped by the fence: a write was refused, or the loss interrupted the run.
  if (lock.fence().refused() > 0 || (lock.lost() && out.exit_code == k_exit_interrupted))
    return lost_lock(lock, name, out);
  if (!released && out.exit_code == k_exit_ok) out.message += " (the lock could not be released; it expires)";
  return out;
}

util::Result<plan::Plan> recorded_plan(const state::Record& record) {
  if (record.plan_text.empty())
    return util::make_error(util::ErrorKind::invalid, "the rollout record does not hold its plan");
  auto parsed = plan::parse_plan(
      record.plan_text, record.plan_path.empty() ? "<recorded plan>" : record.plan_path, record.overrides);
  if (!parsed.ok()) {
    std::string why = parsed.diagnostics.empty() ? "invalid" : parsed.diagnostics.front().to_string();
    return util::make_error(util::ErrorKind::invalid, "the recorded plan no longer parses: " + why);
  }
  plan::Plan p = std::move(*parsed.plan);
  p.source_hash = record.plan_hash;  // the record's identity of the plan, whatever the parser computes
  return p;
}

PreflightResult preflight_recorded(const plan::Plan& plan, const state::Record& record, Deps& deps) {
  plan::Plan pinned = plan;
  pinned.image = record.digest;
  Deps no_registry = deps;
  no_registry.registry = nullptr;
  auto pf = preflight(pinned, no_registry, record.ns, false);
  pf.target.digest_ref = record.digest;
  return pf;
}

}  // namespace sluice::engine
