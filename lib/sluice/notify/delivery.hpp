// Sending notifications without ever holding up a rollout: a bounded queue
// drained by one background thread, a timeout on each request, a few retries
// with backoff on 429, 5xx and dropped connections (Retry-After honoured),
// and at exit a bounded wait after which what is left is given up.
#pragma once

#include <sluice/http/client.hpp>
#include <sluice/util/clock.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace sluice::notify {

using util::Duration;

struct DeliveryOptions {
  std::size_t queue_limit = 64;
  Duration request_timeout{5000};
  Duration connect_timeout{2000};
  int max_attempts = 3;
  Duration base_delay{500};
  Duration max_delay{5000};  // a longer Retry-After is cut to this
};

struct Delivery {
  std::string receiver;  // its name
  std::string kind;      // "slack", ...
  http::Request request;
};

// A delivery given up: `why` is already redacted.
struct DeliveryFailure {
  std::string receiver;
  std::string kind;
  std::string why;
  int attempts = 0;
};

// The wait before attempt `attempt + 1` after attempt `attempt` (1-based)
// got `response` (or `error` when there was no answer), or nullopt to give
// up: retried are 429, 5xx and timeouts or refused/dropped connections;
// never other statuses, TLS failures or cancellation. Retry-After is honoured
// up to max_delay. `random01` in [0, 1) drives the jitter.
std::optional<Duration> retry_delay(const DeliveryOptions& options, int attempt,
                                    const http::Response* response, const util::Error* error,
                                    util::WallTime now, double random01);

class Dispatcher {
 public:
  using FailureHandler = std::function<void(const DeliveryFailure&)>;

  // `on_failure` is called on the sending thread (or in post, for a full queue).
  Dispatcher(http::Client& client, util::Clock& clock, DeliveryOptions options, FailureHandler on_failure);
  ~Dispatcher();  // finish(0) unless finished
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Queues `delivery` and returns at once; a full queue drops it (a failure).
  void post(Delivery delivery);

  // Waits at most `budget` on the clock for everything queued to be sent,
  // then cancels what is under way and gives up the rest (a failure each).
  void finish(Duration budget);

 private:
  void run();
  void deliver(const Delivery& delivery);
  std::optional<std::string> attempt_once(const Delivery& delivery, int attempt, Duration& wait);

  http::Client& client_;
  util::Clock& clock_;
  DeliveryOptions options_;
  FailureHandler on_failure_;
  std::mutex mutex_;
  std::condition_variable work_;
  std::deque<Delivery> queue_;
  bool busy_ = false;
  bool draining_ = false;
  bool stopping_ = false;
  bool finished_ = false;
  util::CancelToken idle_;   // cancelled once draining and nothing is left
  util::CancelToken abort_;  // cancelled when the exit budget is spent
  std::thread thread_;
};

}  // namespace sluice::notify
