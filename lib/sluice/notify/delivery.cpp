#include <sluice/notify/delivery.hpp>

#include <sluice/http/retry.hpp>
#include <sluice/http/secret_registry.hpp>

#include <random>

namespace sluice::notify {

namespace {

bool retryable_error(const util::Error& error) {
  return error.kind == util::ErrorKind::timeout || error.kind == util::ErrorKind::unavailable ||
         error.kind == util::ErrorKind::server_error || error.kind == util::ErrorKind::too_many_requests;
}

double jitter() {
  thread_local std::mt19937 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

}  // namespace

std::optional<Duration> retry_delay(const DeliveryOptions& options, int attempt,
                                    const http::Response* response, const util::Error* error,
                                    util::WallTime now, double random01) {
  if (attempt >= options.max_attempts) return std::nullopt;
  std::optional<Duration> retry_after;
  if (response != nullptr) {
    if (response->status != 429 && response->status < 500) return std::nullopt;
    retry_after = http::parse_retry_after(response->header("Retry-After"), now);
  } else if (error == nullptr || !retryable_error(*error)) {
    return std::nullopt;
  }
  http::RetryPolicy policy{options.max_attempts, options.base_delay, options.max_delay, {}};
  return http::backoff_delay(policy, attempt, retry_after, random01);
}

Dispatcher::Dispatcher(http::Client& client, util::Clock& clock, DeliveryOptions options,
                       FailureHandler on_failure)
    : client_(client), clock_(clock), options_(options), on_failure_(std::move(on_failure)) {
  thread_ = std::thread([this] { run(); });
}

Dispatcher::~Dispatcher() {
  finish(Duration{0});
}

void Dispatcher::post(Delivery delivery) {
  {
    std::lock_guard lock(mutex_);
    if (!draining_ && queue_.size() < options_.queue_limit) {
      queue_.push_back(std::move(delivery));
      work_.notify_one();
      return;
    }
  }
  on_failure_({delivery.receiver, delivery.kind, "not sent: too many notifications queued", 0});
}

void Dispatcher::finish(Duration budget) {
  {
    std::lock_guard lock(mutex_);
    if (finished_) return;
    finished_ = true;
    draining_ = true;
    if (queue_.empty() && !busy_) idle_.cancel();
  }
  if (budget.count() > 0) clock_.sleep_for(budget, &idle_);
  abort_.cancel();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_.notify_all();
  thread_.join();
}

void Dispatcher::run() {
  for (;;) {
    Delivery next;
    {
      std::unique_lock lock(mutex_);
      work_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;
      next = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
    }
    deliver(next);
    std::lock_guard lock(mutex_);
    busy_ = false;
    if (draining_ && queue_.empty()) idle_.cancel();
  }
}

void Dispatcher::deliver(const Delivery& delivery) {
  for (int attempt = 1;; ++attempt) {
    if (abort_.cancelled()) {
      on_failure_({delivery.receiver, delivery.kind, "not sent: sluice was exiting", attempt - 1});
      return;
    }
    Duration wait{0};
    auto failed = attempt_once(delivery, attempt, wait);
    if (!failed) return;
    if (wait.count() < 0 || !clock_.sleep_for(wait, &abort_)) {
      on_failure_({delivery.receiver, delivery.kind, http::redact_registered(*failed), attempt});
      return;
    }
  }
}

// nullopt when delivered; else why the attempt failed, with `wait` the delay
// before the next one (negative: give up).
std::optional<std::string> Dispatcher::attempt_once(const Delivery& delivery, int attempt, Duration& wait) {
  http::Request request = delivery.request;
  request.timeout = options_.request_timeout;
  request.connect_timeout = options_.connect_timeout;
  request.max_attempts = 1;  // retried here, on this clock, cancellable at exit
  auto sent = client_.send(request, &abort_);
  std::optional<Duration> delay;
  std::string why;
  if (sent && sent->status >= 200 && sent->status < 300) return std::nullopt;
  if (sent) {
    why = "HTTP " + std::to_string(sent->status);
    delay = retry_delay(options_, attempt, &*sent, nullptr, clock_.wall_now(), jitter());
  } else {
    why = sent.error().message;
    delay = retry_delay(options_, attempt, nullptr, &sent.error(), clock_.wall_now(), jitter());
  }
  wait = delay.value_or(Duration{-1});
  return why + " (attempt " + std::to_string(attempt) + " of " + std::to_string(options_.max_attempts) + ")";
}

}  // namespace sluice::notify
