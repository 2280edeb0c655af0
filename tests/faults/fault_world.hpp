// What the fault-injection tier adds to the scenario World: one plan per
// strategy with waits long enough to land a fault in, a running sluice
// signalled at a chosen moment of its `-o json` event stream, kubesim's fault
// rules, and the checks every case ends with (exit code, serving invariant,
// what serves afterwards, and what `sluice status -o json` records).
#pragma once

#include "scenario/engine/world.hpp"
#include "support/prometheus_process.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace sluice::faults {

using scenario::Json;
using scenario::World;

enum class Strategy { rolling, blue_green, canary };
const char* to_string(Strategy s);

// A moment in a running sluice's event stream: the `nth` event of `type`
// (on step `step` when not 0, with `result` when not empty), optionally
// followed by `writes_after` more cluster writes in kubesim's audit log
// (to land inside a step that prints nothing while it writes, such as a rollback).
struct Trigger {
  std::string type;
  int step = 0;
  int nth = 1;
  std::string result;
  int writes_after = 0;
  bool matches(const Json& event) const;
  std::string describe() const;
};
Trigger at_step(int step);         // step_started of that step: a step boundary
Trigger mid_wait(int step);        // the first progress event of a waiting step
Trigger mid_rollback(int writes);  // that many writes into the automatic rollback

// The events a running sluice has printed so far.
std::vector<Json> events_of(test::Process& p);

// Holds one case's world and the servers its plans point at.
class FaultWorld {
 public:
  explicit FaultWorld(Strategy strategy, int replicas = 3);

  World w;
  Strategy strategy;
  int replicas;

  // The plan rolling out `repo:tag` with this world's strategy. Every strategy
  // waits for its new pods; the canary also runs an HTTP analysis (3 x 1 s).
  std::string plan(const std::string& repo, const std::string& tag, const std::string& extra = "");
  // "<registry>/<repo>@sha256:..." as sluice pins it.
  std::string pinned(const std::string& repo, const std::string& tag);
  // The serving floor of every plan here: all replicas (maxUnavailable 0).
  int floor() const { return replicas; }
  // The step that waits for the new pods (rolling RollOut, blue-green WaitPreviewReady, canary
  // SetWeight).
  int wait_step() const;

  // Waits (bounded) until `p` printed the event `t` names (and the writes after it); false if it never did.
  bool wait_for(test::Process& p, const Trigger& t,
                std::chrono::milliseconds timeout = std::chrono::seconds(30));
  void fault(const Json& rule);  // POST /kubesim/v1/faults, REQUIREd to succeed
  void clear_faults();
  void latency(int ms);

  // The checks every case ends with: `image` serves alone (waited for, bounded),
  // the serving invariant held throughout, and `sluice status -o json` records
  // one of `phases` with `status_exit`, the lock free, and the digest of this rollout.
  void expect_settled(const std::string& image, const std::vector<std::string>& phases, int status_exit,
                      const std::string& digest);
  // Writes (create/update/patch/delete answered < 300) in the audit since `mark`.
  int successful_writes(std::uint64_t since);

 private:
  std::unique_ptr<testing::LoopbackServer> healthz_;
};

// The exit code Process::wait reports for a signalled sluice: 130 for
// SIGINT/SIGTERM (sluice handles them), 128+N for signals it cannot catch.
int exit_after(int signal);

}  // namespace sluice::faults
