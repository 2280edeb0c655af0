// Shared pieces of the notify unit tests: a notice as a rollout would produce
// it, and an in-memory HTTP client that answers from a script.
#pragma once

#include <sluice/http/client.hpp>
#include <sluice/notify/notice.hpp>

#include <deque>
#include <mutex>
#include <vector>

namespace notify_test {

using namespace sluice;

inline notify::RolloutFacts web_facts() {
  notify::RolloutFacts facts;
  facts.rollout = "web";
  facts.context = "prod";
  facts.ns = "shop";
  facts.strategy = "canary";
  facts.image = "registry.example.com/shop/web:2";
  facts.digest = "registry.example.com/shop/web@sha256:9f00";
  facts.step = 3;
  facts.steps = 6;
  facts.step_name = "Analysis(errors)";
  return facts;
}

// 2026-11-28T01:02:03Z
inline util::WallTime at() {
  using namespace std::chrono;
  return sys_days{2026y / 11 / 28} + 1h + 2min + 3s;
}

inline notify::Notice notice(plan::NotifyOn on, report::EventType type, std::string message) {
  report::Event event{type, "web", 3, 6, "Analysis(errors)", std::move(message), report::Json::object()};
  return notify::Notice{on, event, report::to_json(event, at()), web_facts(), at()};
}

// Answers each send with the next scripted result (the last one repeats) and keeps every request.
class ScriptedClient final : public http::Client {
 public:
  explicit ScriptedClient(std::vector<util::Result<http::Response>> script)
      : script_(script.begin(), script.end()) {}

  util::Result<http::Response> send(const http::Request& request, const util::CancelToken* cancel) override {
    std::lock_guard lock(mutex_);
    requests.push_back(request);
    if (cancel != nullptr && cancel->cancelled())
      return util::make_error(util::ErrorKind::cancelled, "cancelled");
    auto next = script_.front();
    if (script_.size() > 1) script_.pop_front();
    return next;
  }
  util::Result<http::Response> stream(const http::Request&, const http::LineHandler&,
                                      const util::CancelToken*) override {
    return util::make_error(util::ErrorKind::internal, "not streamed");
  }
  std::size_t sent() {
    std::lock_guard lock(mutex_);
    return requests.size();
  }

  std::vector<http::Request> requests;

 private:
  std::mutex mutex_;
  std::deque<util::Result<http::Response>> script_;
};

inline http::Response status(int code, http::Headers headers = {}) {
  return http::Response{code, std::move(headers), ""};
}

}  // namespace notify_test
