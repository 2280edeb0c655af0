// What a rollout run is given (clients, clock, output, cancellation) and the
// small waiting primitives the drivers share: an Interrupt that SIGINT, a
// lost lease or a request from another process can fire, and a Wakeup the
// driver sleeps on until a watched object changes or a check is due.
#pragma once

#include <sluice/kube/client.hpp>
#include <sluice/kube/watch.hpp>
#include <sluice/report/events.hpp>
#include <sluice/state/record.hpp>
#include <sluice/util/clock.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sluice::http {
class Client;
}
namespace sluice::registry {
class Registry;
}
namespace sluice::state {
class LeaseLock;
}

namespace sluice::engine {

// Wakes a sleeping driver: each wait sleeps on a fresh token that notify() cancels.
class Wakeup {
 public:
  void notify();
  // Sleeps on `clock` until `deadline` or notify(); false when notified.
  bool sleep_until(util::Clock& clock, util::TimePoint deadline);

 private:
  std::mutex mutex_;
  std::shared_ptr<util::CancelToken> current_ = std::make_shared<util::CancelToken>();
  bool pending_ = false;
};

// Stops a run: SIGINT/SIGTERM, a lease that could not be renewed. The token
// goes to every blocking call; the reason says why in the last line.
class Interrupt {
 public:
  void fire(const std::string& reason);
  bool fired() const { return token_.cancelled(); }
  std::string reason() const;
  const util::CancelToken& token() const { return token_; }
  // Called (once) when fired, e.g. to wake a Wakeup.
  void on_fire(std::function<void()> hook);

 private:
  util::CancelToken token_;
  mutable std::mutex mutex_;
  std::string reason_;
  std::vector<std::function<void()>> hooks_;
};

// What other processes ask of a running rollout through its record (seen on
// the watch thread): abort now, or go on past a pause. `stop()` fires on an
// abort request and on the run's own Interrupt, so every step wait wakes and
// ends; a rollback listens to the run's Interrupt alone.
class RunRequests {
 public:
  void request_abort(const std::string& by);
  void request_promote();
  bool abort_requested() const { return abort_.load(); }
  bool take_promote() { return promote_.exchange(false); }
  Interrupt& stop() { return stop_; }
  // Woken on every request (a promote ends a timed pause at once).
  void add_waker(std::weak_ptr<Wakeup> waker);

 private:
  void wake_all();
  Interrupt stop_;
  std::atomic<bool> abort_{false};
  std::atomic<bool> promote_{false};
  std::mutex mutex_;
  std::vector<std::weak_ptr<Wakeup>> wakers_;
};

// How a command sluice prints for the user (`sluice promote web -n shop`)
// reaches this rollout again from the shell that ran sluice, with the same
// kubeconfig: --context only when that shell's default context (SLUICE_CONTEXT,
// else current-context) is another one, -n only when its default namespace
// (SLUICE_NAMESPACE, else the context's) is another one. A hint that names
// flags the shell does not need is noise; one that misses a flag it needs
// reaches a different rollout, or none.
struct Reach {
  std::string context;                 // the kubeconfig context this run used ("" in tests)
  bool context_is_default = true;      // the shell reaches `context` without --context
  std::string default_ns = "default";  // where the shell lands without -n (under `context`)
};

// "`sluice promote web -n shop --context prod`", each flag only when `reach` needs it.
std::string sluice_command(const Reach& reach, const std::string& verb, const std::string& name,
                           const std::string& ns);

struct Deps {
  kube::Client* kube = nullptr;
  kube::WatchHub* hub = nullptr;
  registry::Registry* registry = nullptr;  // null: images are used as written (must already be digests)
  http::Client* http = nullptr;            // for checks; null: plans with checks fail preflight
  util::Clock* clock = &util::system_clock();
  report::Reporter* out = nullptr;
  Interrupt* interrupt = nullptr;
  Reach reach;                       // the flags a printed command needs to reach this rollout
  state::Starter starter;            // who runs this command (host, pid, user, CI job): the CLI fills it in
  state::LeaseLock* lock = nullptr;  // held while a locked command's body runs (engine/run_support.cpp)
};

struct RunOptions {
  bool abort_previous = false;           // apply: abort a different plan's unfinished rollout first
  util::Duration lease_duration{15000};  // lock lease
  std::string ns_override;               // -n
  std::string default_ns;                // the kubeconfig context's namespace: used when the plan names none
  std::string identity;                  // lock holder identity; empty: host/pid (ci job)
};

}  // namespace sluice::engine
