// The task queue behind kubesim's HTTP server: each accepted connection is a
// task that holds a thread until the client closes it, and an open watch
// never closes. A fixed pool therefore hangs every client once as many
// watches are open as it has threads; this pool keeps `core` threads and
// starts another whenever no thread is idle, up to `max`.
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace kubesim {

class ConnectionPool : public httplib::TaskQueue {
 public:
  // Threads above `core` end after `linger` without work.
  ConnectionPool(std::size_t core, std::size_t max,
                 std::chrono::milliseconds linger = std::chrono::seconds(10));
  ~ConnectionPool() override;
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  void enqueue(std::function<void()> job) override;
  // Runs the queued jobs, then joins every thread.
  void shutdown() override;

  std::size_t threads() const;

 private:
  void start_thread();
  void work();
  void join_exited();

  const std::size_t core_;
  const std::size_t max_;
  const std::chrono::milliseconds linger_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  std::map<std::thread::id, std::thread> threads_;
  std::vector<std::thread> exited_;
  std::size_t idle_ = 0;
  bool shutting_down_ = false;
};

// Past this many connection threads, new connections wait for one to free up.
constexpr std::size_t k_max_connection_threads = 4096;

// Serves each connection from a ConnectionPool of `core` threads kept ready
// (growing to k_max_connection_threads), with Nagle's algorithm off, and
// records the listening socket in `listen_socket` for widen_backlog.
void configure_connections(httplib::Server& http, std::size_t core, int& listen_socket);

// After binding: lets a fleet of clients connect at once.
void widen_backlog(int listen_socket);

}  // namespace kubesim
