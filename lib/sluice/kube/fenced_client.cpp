#include <sluice/kube/fenced_client.hpp>

namespace sluice::kube {

bool Fence::lapsed_locked() const {
  return closed_ || !deadline_ || clock_.now() >= *deadline_;
}

bool Fence::extend_until(util::TimePoint deadline) {
  std::lock_guard lock(mutex_);
  // Opening a never-opened fence is the acquisition itself; after that only
  // a fence that has not lapsed may be moved on.
  if (closed_ || (deadline_ && clock_.now() >= *deadline_)) return false;
  if (!deadline_ || deadline > *deadline_) deadline_ = deadline;
  return true;
}

void Fence::close(const std::string& why) {
  std::lock_guard lock(mutex_);
  if (closed_) return;
  closed_ = true;
  why_ = why;
}

bool Fence::lapsed() const {
  std::lock_guard lock(mutex_);
  return lapsed_locked();
}

std::string Fence::why() const {
  std::lock_guard lock(mutex_);
  if (!closed_ && deadline_ && clock_.now() >= *deadline_)
    return "the lock's lease ran out before it could be renewed";
  return why_;
}

void Fence::on_refused(std::function<void()> hook) {
  std::lock_guard lock(mutex_);
  on_refused_ = std::move(hook);
}

util::Status Fence::check_write() {
  std::function<void()> hook;
  {
    std::lock_guard lock(mutex_);
    if (!lapsed_locked()) return {};
    hook = on_refused_;
  }
  ++refused_;
  if (hook) hook();
  return util::make_error(util::ErrorKind::cancelled, "write refused: " + why());
}

namespace {

bool is_write(const std::string& method) {
  return method != "GET" && method != "HEAD";
}

}  // namespace

FencedClient::FencedClient(Client& inner, Fence& fence) : inner_(inner), fence_(fence) {
  inner_.set_write_gate([&fence] { return fence.check_write(); });
}

FencedClient::~FencedClient() {
  inner_.set_write_gate(nullptr);
}

Result<Json> FencedClient::request(const ApiRequest& request, const CancelToken* cancel) {
  if (is_write(request.method)) {
    // Checked as late as this layer can: just before the request goes to the transport.
    if (auto allowed = fence_.check_write(); !allowed) return allowed.error();
  }
  return inner_.request(request, cancel);
}

util::Status FencedClient::watch_stream(const ApiRequest& request,
                                        const std::function<bool(const WatchEvent&)>& on_event,
                                        const CancelToken* cancel) {
  return inner_.watch_stream(request, on_event, cancel);
}

}  // namespace sluice::kube
