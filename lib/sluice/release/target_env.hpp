// The clients one target of a release runs with: a kube client and watches
// for its own kubeconfig context, its own HTTP client, an Interrupt the
// release fires to stop this target alone (and that the release's own
// interrupt fires too), and a reporter whose events carry the target.
#pragma once

#include <sluice/engine/context.hpp>
#include <sluice/kube/config.hpp>
#include <sluice/report/events.hpp>

#include <memory>
#include <mutex>
#include <string>

namespace sluice::http {
class Client;
}

namespace sluice::release {

// Serializes the events of targets running at once onto one reporter.
class SharedReporter final : public report::Reporter {
 public:
  explicit SharedReporter(report::Reporter& out) : out_(out) {}
  void emit(const report::Event& event) override;

 private:
  std::mutex mutex_;
  report::Reporter& out_;
};

// What every target shares: the clock, where events go, who runs this, and
// the release's own interrupt (SIGINT/SIGTERM, --timeout).
struct SharedDeps {
  util::Clock* clock = nullptr;
  SharedReporter* out = nullptr;
  engine::Interrupt* interrupt = nullptr;
  state::Starter starter;
  http::Client* http = nullptr;  // checks; one client, thread-safe, or null
};

class TargetEnv {
 public:
  ~TargetEnv();
  // `name` is how events name the target: "context/namespace/deployment".
  static util::Result<std::unique_ptr<TargetEnv>> create(const kube::LoadOptions& kubeconfig,
                                                         const std::string& context, const std::string& name,
                                                         const SharedDeps& shared);
  engine::Deps& deps() { return deps_; }
  // Stops this target's run (and nothing else): it saves its state and returns.
  void interrupt(const std::string& why) { interrupt_->fire(why); }
  // A fresh interrupt for what follows a stop (an abort or a rollback of this
  // target), still fired by the release's own.
  void rearm();
  const std::string& name() const { return name_; }
  // The kubeconfig context this target's clients were built for.
  const kube::Config& config() const;
  // This target's current interrupt, e.g. to learn when its lock is lost.
  engine::Interrupt& own_interrupt() { return *interrupt_; }

 private:
  TargetEnv() = default;
  struct Parts;
  std::unique_ptr<Parts> parts_;
  std::shared_ptr<engine::Interrupt> interrupt_;
  engine::Interrupt* release_interrupt_ = nullptr;
  std::string name_;
  engine::Deps deps_;
};

}  // namespace sluice::release
