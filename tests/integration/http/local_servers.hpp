// Servers on 127.0.0.1 for the HTTP client tests: a cpp-httplib server
// (plain or TLS, optionally requiring a client certificate) and raw sockets
// that misbehave on purpose (never accept, never answer, cut a stream).
#pragma once

#include "support/tls_certs.hpp"

#include <sluice/util/clock.hpp>

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

namespace sluice::testing {

class HttpTestServer {
 public:
  // Plain HTTP without certs; TLS with `certs`; mutual TLS when also
  // `require_client_cert` (clients must present a cert signed by certs->ca).
  explicit HttpTestServer(const TlsCerts* certs = nullptr, bool require_client_cert = false);
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  httplib::Server& routes() { return *server_; }  // add handlers, then start()
  void start();
  std::string url(const std::string& path) const;
  int port() const { return port_; }
  // Handlers that stall on purpose wait on this (bounded), so teardown is quick.
  const util::CancelToken& released() const { return release_; }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::string scheme_;
  int port_ = 0;
  std::thread thread_;
  util::CancelToken release_;
};

// A port whose accept queue is full: SYNs are dropped, connect() hangs.
class FullBacklogPort {
 public:
  FullBacklogPort();
  ~FullBacklogPort();
  int port() const { return port_; }

 private:
  int listener_ = -1;
  int filler_ = -1;
  int port_ = 0;
};

// Accepts connections (the kernel completes the handshake) but never reads
// or answers: a server that hangs.
class SilentServer {
 public:
  SilentServer();
  ~SilentServer();
  int port() const { return port_; }

 private:
  int listener_ = -1;
  int port_ = 0;
};

// Answers every connection with `reply` verbatim after reading the request
// head, then closes (or, with hold_open, keeps the socket open until
// destroyed). Counts the requests it saw.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::string reply, bool hold_open = false);
  ~ScriptedServer();
  int port() const { return port_; }
  int requests() const { return requests_.load(); }

 private:
  void serve();
  void answer(int connection);

  std::string reply_;
  bool hold_open_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<int> requests_{0};
  util::CancelToken stop_;
  std::thread thread_;
};

// A TCP relay to 127.0.0.1:`target_port` that holds each new connection for
// `delay` before it connects onwards and pipes bytes both ways: a slow TLS
// handshake or a slow proxy, as seen by the client. One connection at a time.
class SlowRelay {
 public:
  SlowRelay(int target_port, std::chrono::milliseconds delay);
  ~SlowRelay();
  SlowRelay(const SlowRelay&) = delete;
  SlowRelay& operator=(const SlowRelay&) = delete;
  int port() const { return port_; }

 private:
  void serve();
  void pipe(int client);

  int target_port_;
  std::chrono::milliseconds delay_;
  int listener_ = -1;
  int port_ = 0;
  util::CancelToken stop_;
  std::thread thread_;
};

}  // namespace sluice::testing
