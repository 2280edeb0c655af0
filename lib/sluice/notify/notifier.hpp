// Notifications as an observer of the rollout's events: a Reporter that
// passes every event on unchanged and hands the ones receivers asked for to
// the Dispatcher. Sending never holds up the rollout; on `finished` it waits
// a bounded time for what is queued, then reports each delivery given up as
// one warning line and one `info` event, before `finished` itself.
#pragma once

#include <sluice/notify/delivery.hpp>
#include <sluice/notify/notice.hpp>
#include <sluice/notify/receivers.hpp>
#include <sluice/report/events.hpp>

#include <iosfwd>
#include <memory>
#include <mutex>
#include <vector>

namespace sluice::notify {

struct NotifierOptions {
  RolloutFacts facts;  // context and namespace known before any event
  DeliveryOptions delivery{};
  Duration flush_budget{3000};  // the longest `finished` waits for deliveries
};

class NotifyingReporter final : public report::Reporter {
 public:
  // `receivers` are read (make_ready) here: one that cannot be is a warning
  // line and an event, and is left out.
  NotifyingReporter(report::Reporter& inner, const plan::Notifications& receivers, const SecretLookup& lookup,
                    http::Client& client, util::Clock& clock, std::ostream& warnings,
                    NotifierOptions options);
  ~NotifyingReporter() override;

  void emit(const report::Event& event) override;

 private:
  void post_notice(const report::Event& event, plan::NotifyOn on);
  void warn(const std::string& receiver, const std::string& kind, const std::string& text);
  void emit_warnings_locked();
  void finish_all(Duration budget);

  report::Reporter& inner_;
  util::Clock& clock_;
  std::ostream& warnings_;
  NotifierOptions options_;
  std::vector<ReadyReceiver> ready_;
  std::mutex mutex_;                    // emit may be called from several threads
  std::mutex pending_mutex_;            // failures arrive on the sending thread
  std::vector<report::Event> pending_;  // warnings not yet emitted as events
  // One per receiver, so a receiver that hangs delays no other.
  std::vector<std::unique_ptr<Dispatcher>> dispatchers_;
};

}  // namespace sluice::notify
