#include <sluice/notify/notifier.hpp>

#include <sluice/http/secret_registry.hpp>

#include <algorithm>
#include <ostream>

namespace sluice::notify {

NotifyingReporter::NotifyingReporter(report::Reporter& inner, const plan::Notifications& receivers,
                                     const SecretLookup& lookup, http::Client& client, util::Clock& clock,
                                     std::ostream& warnings, NotifierOptions options)
    : inner_(inner), clock_(clock), warnings_(warnings), options_(std::move(options)) {
  for (const auto& spec : receivers.receivers) {
    auto ready = make_ready(spec, lookup);
    if (ready) {
      ready_.push_back(std::move(*ready));
    } else {
      warn(spec.name, plan::to_string(spec.kind), "not used: " + ready.error().message);
    }
  }
  for (std::size_t i = 0; i < ready_.size(); ++i) {
    dispatchers_.push_back(std::make_unique<Dispatcher>(
        client, clock, options_.delivery,
        [this](const DeliveryFailure& f) { warn(f.receiver, f.kind, "not delivered: " + f.why); }));
  }
}

NotifyingReporter::~NotifyingReporter() {
  finish_all(Duration{0});
}

// The receivers send in parallel: one budget for all of them, not one each.
void NotifyingReporter::finish_all(Duration budget) {
  auto deadline = clock_.now() + budget;
  for (auto& dispatcher : dispatchers_) {
    auto left = std::chrono::duration_cast<Duration>(deadline - clock_.now());
    dispatcher->finish(std::max(left, Duration{0}));
  }
}

void NotifyingReporter::warn(const std::string& receiver, const std::string& kind, const std::string& text) {
  std::string line =
      http::redact_registered("notification to receiver '" + receiver + "' (" + kind + ") " + text);
  // Called on the sending threads too: the rollout's name is filled in on emit, where facts are kept.
  report::Event event{report::EventType::info,
                      "",
                      0,
                      0,
                      "",
                      line,
                      {{"receiver", receiver}, {"receiverKind", kind}, {"notification", "failed"}}};
  std::lock_guard lock(pending_mutex_);
  warnings_ << "sluice: warning: " << line << "\n" << std::flush;
  pending_.push_back(std::move(event));
}

void NotifyingReporter::emit_warnings_locked() {
  std::vector<report::Event> events;
  {
    std::lock_guard lock(pending_mutex_);
    events.swap(pending_);
  }
  for (auto& event : events) {
    if (event.rollout.empty()) event.rollout = options_.facts.rollout;
    inner_.emit(event);
  }
}

void NotifyingReporter::post_notice(const report::Event& event, plan::NotifyOn on) {
  Notice notice{on, event, report::to_json(event, clock_.wall_now()), options_.facts, clock_.wall_now()};
  for (std::size_t i = 0; i < ready_.size(); ++i) {
    const auto& spec = ready_[i].spec;
    if (auto request = request_for(ready_[i], notice))
      dispatchers_[i]->post({spec.name, plan::to_string(spec.kind), std::move(*request)});
  }
}

void NotifyingReporter::emit(const report::Event& event) {
  std::lock_guard lock(mutex_);
  emit_warnings_locked();
  learn(options_.facts, event);
  if (auto on = classify(event); on && !ready_.empty()) post_notice(event, *on);
  if (event.type == report::EventType::finished && !dispatchers_.empty()) {
    finish_all(options_.flush_budget);
    emit_warnings_locked();
  }
  inner_.emit(event);
}

}  // namespace sluice::notify
