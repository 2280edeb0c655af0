#include "local_servers.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

namespace sluice::testing {
namespace {

// A bound, listening socket on 127.0.0.1 with a kernel-chosen port.
int listen_loopback(int backlog, int& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(fd, backlog) != 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    throw std::runtime_error("cannot listen on 127.0.0.1");
  }
  port = ntohs(addr.sin_port);
  return fd;
}

// Starts a non-blocking connect; the socket stays queued at the listener.
int connect_nonblocking(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  return fd;
}

bool wait_readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) > 0;
}

}  // namespace

HttpTestServer::HttpTestServer(const TlsCerts* certs, bool require_client_cert) {
  if (certs == nullptr) {
    server_ = std::make_unique<httplib::Server>();
    scheme_ = "http";
  } else {
    const char* client_ca = require_client_cert ? certs->ca_cert.c_str() : nullptr;
    server_ = std::make_unique<httplib::SSLServer>(certs->server_cert.c_str(), certs->server_key.c_str(),
                                                   client_ca);
    scheme_ = "https";
  }
  if (!server_->is_valid()) throw std::runtime_error("httplib server setup failed");
  // Bounds teardown: an idle keep-alive connection holds a worker this long.
  server_->set_keep_alive_timeout(1);
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("httplib cannot bind 127.0.0.1");
}

void HttpTestServer::start() {
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

HttpTestServer::~HttpTestServer() {
  release_.cancel();
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string HttpTestServer::url(const std::string& path) const {
  return scheme_ + "://127.0.0.1:" + std::to_string(port_) + path;
}

FullBacklogPort::FullBacklogPort() {
  // Backlog 0 leaves room for one queued connection; the filler takes it.
  listener_ = listen_loopback(0, port_);
  filler_ = connect_nonblocking(port_);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

FullBacklogPort::~FullBacklogPort() {
  ::close(filler_);
  ::close(listener_);
}

SilentServer::SilentServer() {
  listener_ = listen_loopback(16, port_);
}

SilentServer::~SilentServer() {
  ::close(listener_);
}

ScriptedServer::ScriptedServer(std::string reply, bool hold_open)
    : reply_(std::move(reply)), hold_open_(hold_open) {
  listener_ = listen_loopback(16, port_);
  thread_ = std::thread([this] { serve(); });
}

ScriptedServer::~ScriptedServer() {
  stop_.cancel();
  thread_.join();
  ::close(listener_);
}

void ScriptedServer::serve() {
  while (!stop_.cancelled()) {
    if (!wait_readable(listener_, 20)) continue;
    int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) continue;
    answer(connection);
    ::close(connection);
  }
}

void ScriptedServer::answer(int connection) {
  std::string head;
  char buffer[4096];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (head.find("\r\n\r\n") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    if (!wait_readable(connection, 50)) continue;
    auto n = ::recv(connection, buffer, sizeof(buffer), 0);
    if (n <= 0) return;
    head.append(buffer, static_cast<size_t>(n));
  }
  ++requests_;
  ::send(connection, reply_.data(), reply_.size(), MSG_NOSIGNAL);
  if (hold_open_) stop_.wait_until(std::chrono::steady_clock::now() + std::chrono::seconds(10));
}

SlowRelay::SlowRelay(int target_port, std::chrono::milliseconds delay)
    : target_port_(target_port), delay_(delay) {
  listener_ = listen_loopback(16, port_);
  thread_ = std::thread([this] { serve(); });
}

SlowRelay::~SlowRelay() {
  stop_.cancel();
  thread_.join();
  ::close(listener_);
}

void SlowRelay::serve() {
  while (!stop_.cancelled()) {
    if (!wait_readable(listener_, 20)) continue;
    int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    pipe(client);
    ::close(client);
  }
}

void SlowRelay::pipe(int client) {
  // The client's first bytes (a TLS ClientHello, a request) wait in the socket meanwhile.
  if (stop_.wait_until(std::chrono::steady_clock::now() + delay_)) return;
  int upstream = connect_nonblocking(target_port_);
  pollfd writable{upstream, POLLOUT, 0};
  if (::poll(&writable, 1, 2000) <= 0) {
    ::close(upstream);
    return;
  }
  ::fcntl(upstream, F_SETFL, ::fcntl(upstream, F_GETFL) & ~O_NONBLOCK);
  char buffer[16384];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!stop_.cancelled() && std::chrono::steady_clock::now() < deadline) {
    pollfd both[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    if (::poll(both, 2, 20) <= 0) continue;
    bool open = true;
    for (int i = 0; i < 2 && open; ++i) {
      if ((both[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      auto n = ::recv(both[i].fd, buffer, sizeof(buffer), 0);
      open = n > 0 && ::send(both[1 - i].fd, buffer, static_cast<size_t>(n), MSG_NOSIGNAL) == n;
    }
    if (!open) break;
  }
  ::close(upstream);
}

}  // namespace sluice::testing
