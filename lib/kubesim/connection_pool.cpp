#include <kubesim/connection_pool.hpp>

#include <algorithm>

#include <sys/socket.h>

namespace kubesim {

ConnectionPool::ConnectionPool(std::size_t core, std::size_t max, std::chrono::milliseconds linger)
    : core_(std::max<std::size_t>(core, 1)), max_(std::max(max, core_)), linger_(linger) {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < core_; ++i) start_thread();
}

ConnectionPool::~ConnectionPool() {
  shutdown();
}

void ConnectionPool::start_thread() {
  ++idle_;  // counted idle from the start, so enqueue never starts two threads for one job
  std::thread thread([this] { work(); });
  const auto id = thread.get_id();
  threads_.emplace(id, std::move(thread));
}

void ConnectionPool::enqueue(std::function<void()> job) {
  std::lock_guard lock(mutex_);
  join_exited();
  if (shutting_down_) return;
  jobs_.push_back(std::move(job));
  // Idle threads will each take one queued job; only the surplus needs a new thread.
  if (jobs_.size() > idle_ && threads_.size() < max_) start_thread();
  wake_.notify_one();
}

void ConnectionPool::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    const bool woken = wake_.wait_for(lock, linger_, [this] { return !jobs_.empty() || shutting_down_; });
    if (jobs_.empty()) {
      if (shutting_down_ || (!woken && threads_.size() > core_)) break;
      continue;
    }
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    --idle_;
    lock.unlock();
    job();
    lock.lock();
    ++idle_;
  }
  --idle_;
  if (shutting_down_) return;  // shutdown() joins the threads still in threads_
  // A lingering surplus thread leaves; the next enqueue (or shutdown) joins it.
  const auto self = threads_.find(std::this_thread::get_id());
  exited_.push_back(std::move(self->second));
  threads_.erase(self);
}

void ConnectionPool::join_exited() {
  for (auto& thread : exited_) thread.join();
  exited_.clear();
}

void ConnectionPool::shutdown() {
  std::map<std::thread::id, std::thread> running;
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
    wake_.notify_all();
    running.swap(threads_);
  }
  for (auto& [id, thread] : running) thread.join();
  std::lock_guard lock(mutex_);
  join_exited();
}

std::size_t ConnectionPool::threads() const {
  std::lock_guard lock(mutex_);
  return threads_.size();
}

void configure_connections(httplib::Server& http, std::size_t core, int& listen_socket) {
  http.new_task_queue = [core] { return new ConnectionPool(core, std::max(core, k_max_connection_threads)); };
  // cpp-httplib writes a response's headers and body separately: with Nagle
  // on, the body of every response on a reused connection waited for the
  // client's delayed ACK of the headers (about 40 ms). Accepted sockets
  // inherit the option from the listening one.
  http.set_tcp_nodelay(true);
  http.set_socket_options([&listen_socket](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_socket = sock;
  });
}

void widen_backlog(int listen_socket) {
  // cpp-httplib listens with a backlog of 5: a few hundred clients connecting
  // at once overflowed it and waited for SYN retransmits (1 s, then 3 s).
  // Calling listen() again on a listening socket only changes its backlog.
  if (listen_socket >= 0) ::listen(listen_socket, SOMAXCONN);
}

}  // namespace kubesim
