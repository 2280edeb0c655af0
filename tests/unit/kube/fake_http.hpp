// A scripted in-memory http::Client for pure unit tests of the kube client:
// answers are queued in order, requests are recorded for assertions.
#pragma once

#include <sluice/http/client.hpp>

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sluice::kube::testing {

struct FakeAnswer {
  std::optional<util::Error> error;  // a transport failure instead of an answer
  http::Response response;
  std::vector<std::string> lines;  // streamed body lines for stream()
};

class FakeHttp final : public http::Client {
 public:
  struct State {
    std::mutex mutex;
    std::deque<FakeAnswer> answers;
    std::vector<http::Request> requests;
    std::vector<http::ClientOptions> created_with;
  };

  explicit FakeHttp(std::shared_ptr<State> state) : state_(std::move(state)) {}

  util::Result<http::Response> send(const http::Request& request, const util::CancelToken*) override {
    FakeAnswer a = next(request);
    if (a.error) return *a.error;
    return a.response;
  }
  util::Result<http::Response> stream(const http::Request& request, const http::LineHandler& on_line,
                                      const util::CancelToken*) override {
    FakeAnswer a = next(request);
    if (a.error) return *a.error;
    for (const auto& line : a.lines) {
      if (!on_line(line)) break;
    }
    return a.response;
  }

 private:
  FakeAnswer next(const http::Request& request) {
    std::lock_guard lock(state_->mutex);
    state_->requests.push_back(request);
    if (state_->answers.empty()) {
      FakeAnswer a;
      a.response.status = 599;
      a.response.body = "fake: no answer scripted";
      return a;
    }
    FakeAnswer a = state_->answers.front();
    state_->answers.pop_front();
    return a;
  }
  std::shared_ptr<State> state_;
};

inline FakeAnswer answer(int status, std::string body, http::Headers headers = {}) {
  FakeAnswer a;
  a.response.status = status;
  a.response.body = std::move(body);
  a.response.headers = std::move(headers);
  return a;
}

inline FakeAnswer transport_error(util::ErrorKind kind, std::string message) {
  FakeAnswer a;
  a.error = util::make_error(kind, std::move(message));
  return a;
}

inline FakeAnswer stream_answer(std::vector<std::string> lines, int status = 200) {
  FakeAnswer a;
  a.response.status = status;
  a.lines = std::move(lines);
  return a;
}

}  // namespace sluice::kube::testing
