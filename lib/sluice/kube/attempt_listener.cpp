#include <sluice/kube/attempt_listener.hpp>

namespace sluice::kube {

namespace {

class ListeningTransport final : public http::Client, public AttemptListener {
 public:
  ListeningTransport(std::unique_ptr<http::Client> inner, AttemptHook hook)
      : inner_(std::move(inner)), hook_(std::move(hook)) {}

  http::Result<http::Response> send(const http::Request& request, const util::CancelToken* cancel) override {
    return inner_->send(request, cancel);
  }
  http::Result<http::Response> stream(const http::Request& request, const http::LineHandler& on_line,
                                      const util::CancelToken* cancel) override {
    return inner_->stream(request, on_line, cancel);
  }
  void attempt(const ApiAttempt& attempt) override { hook_(attempt); }

 private:
  std::unique_ptr<http::Client> inner_;
  AttemptHook hook_;
};

}  // namespace

std::unique_ptr<http::Client> listening_transport(std::unique_ptr<http::Client> inner, AttemptHook hook) {
  return std::make_unique<ListeningTransport>(std::move(inner), std::move(hook));
}

}  // namespace sluice::kube
