// kubesim's connection layer: Nagle's algorithm off on accepted sockets, and
// a connection pool that grows so open watches cannot starve other requests.
#include <kubesim/connection_pool.hpp>
#include <kubesim/server.hpp>

#include <catch2/catch.hpp>

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using kubesim::Json;
using Clock = std::chrono::steady_clock;

namespace {

kubesim::ServerOptions api_only() {
  kubesim::ServerOptions options;
  options.run_controllers = false;
  return options;
}

int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  return fd;
}

void send_all(int fd, const std::string& text) {
  REQUIRE(::send(fd, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size()));
}

// Reads one whole response with a Content-Length body from a keep-alive connection.
std::string read_response(int fd) {
  std::string text;
  char buffer[4096];
  for (;;) {
    const auto end = text.find("\r\n\r\n");
    if (end != std::string::npos) {
      const auto length = text.find("Content-Length: ");
      REQUIRE(length != std::string::npos);
      const auto size = std::stoul(text.substr(length + 16));
      if (text.size() >= end + 4 + size) return text;
    }
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    REQUIRE(n > 0);
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

// The server's end of every connection to `port` in this process (the
// server runs in-process): sockets bound to the port that do not listen.
std::vector<int> accepted_sockets(int port) {
  std::vector<int> found;
  for (int fd = 3; fd < 4096; ++fd) {
    sockaddr_in local{};
    socklen_t size = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &size) != 0) continue;
    if (local.sin_family != AF_INET || ntohs(local.sin_port) != port) continue;
    int listening = 0;
    socklen_t option_size = sizeof listening;
    ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &option_size);
    if (listening == 0) found.push_back(fd);
  }
  return found;
}

bool nagle_off(int fd) {
  int on = 0;
  socklen_t size = sizeof on;
  return ::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &size) == 0 && on != 0;
}

std::vector<int> wait_for_accepted(int port) {
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  auto found = accepted_sockets(port);
  while (found.empty() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    found = accepted_sockets(port);
  }
  return found;
}

}  // namespace

TEST_CASE("kubesim turns Nagle's algorithm off on accepted connections", "[kubesim][connections]") {
  SECTION("http") {
    kubesim::Server server(api_only());
    REQUIRE(server.start().ok());
    const int client = connect_to(server.port());
    const auto accepted = wait_for_accepted(server.port());
    REQUIRE(accepted.size() == 1);
    CHECK(nagle_off(accepted.front()));
    ::close(client);
  }
  SECTION("https") {
    auto options = api_only();
    options.tls = true;
    kubesim::Server server(options);
    REQUIRE(server.start().ok());
    const int client = connect_to(server.port());
    const auto accepted = wait_for_accepted(server.port());
    REQUIRE(accepted.size() == 1);
    CHECK(nagle_off(accepted.front()));
    ::close(client);
  }
}

// The one timing check issue 15 asks for. Nagle's stall is a delayed ACK
// (Linux's minimum is 40 ms) on the second and third request of every round;
// without it a request takes well under a millisecond on loopback. So the
// best of five rounds' medians against 30 ms tells the two apart even when a
// loaded machine (CI shares 2 cores) stalls a round or two: a 7 ms median was
// seen under load against the 5 ms the issue names.
TEST_CASE("three requests on one keep-alive connection each answer without a delayed-ACK stall",
          "[kubesim][connections]") {
  kubesim::Server server(api_only());
  REQUIRE(server.start().ok());
  double best_median = 1e9;
  for (int round = 0; round < 5 && best_median >= 5.0; ++round) {
    const int client = connect_to(server.port());
    std::vector<double> millis;
    for (int i = 0; i < 3; ++i) {
      const auto start = Clock::now();
      send_all(client, "GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      const std::string response = read_response(client);
      millis.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      REQUIRE(response.rfind("HTTP/1.1 200", 0) == 0);
    }
    ::close(client);
    std::sort(millis.begin(), millis.end());
    best_median = std::min(best_median, millis[1]);
  }
  INFO("best median of a round of three: " << best_median << " ms");
  CHECK(best_median < 30.0);
}

namespace {

constexpr std::size_t k_watches = 1000;

// The test holds both ends of every watch: twice as many descriptors.
bool enough_descriptors() {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  const rlim_t wanted = 2 * k_watches + 256;
  if (limit.rlim_cur >= wanted) return true;
  limit.rlim_cur = std::min(limit.rlim_max, wanted);
  return ::setrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur >= wanted;
}

Json watch_counts(int port) {
  httplib::Client control("127.0.0.1", port);
  auto res = control.Get("/kubesim/v1/watches");
  return res && res->status == 200 ? Json::parse(res->body) : Json{{"open", 0}, {"queued", 0}};
}

std::size_t open_watches(int port) {
  return watch_counts(port)["open"].get<std::size_t>();
}

bool wait_for_open_watches(int port, std::size_t wanted) {
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (open_watches(port) < wanted) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

// Reads from a watch until `needle` arrives, the stream ends, or 10 s pass.
std::string read_until(int fd, const std::string& needle) {
  std::string text;
  char buffer[4096];
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (text.find(needle) == std::string::npos && Clock::now() < deadline) {
    pollfd readable{fd, POLLIN, 0};
    if (::poll(&readable, 1, 100) <= 0) continue;
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}

// The watch ended by the server: the last chunk of its response arrived.
bool stream_ends(int fd) {
  return read_until(fd, "0\r\n\r\n").find("0\r\n\r\n") != std::string::npos;
}

}  // namespace

TEST_CASE("kubesim serves a thousand open watches and still answers other requests",
          "[kubesim][connections]") {
  if (!enough_descriptors()) {
    WARN("skipped: RLIMIT_NOFILE is below " << 2 * k_watches + 256);
    return;
  }
  auto options = api_only();
  options.threads = 8;  // far fewer than the watches: the pool must grow
  kubesim::Server server(options);
  REQUIRE(server.start().ok());
  std::vector<int> watches;
  for (std::size_t i = 0; i < k_watches; ++i) {
    watches.push_back(connect_to(server.port()));
    send_all(watches.back(),
             "GET /api/v1/namespaces/default/configmaps?watch=true HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  }
  REQUIRE(wait_for_open_watches(server.port(), k_watches));

  httplib::Client client("127.0.0.1", server.port());
  const Json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "after-watches"}}}};
  auto created = client.Post("/api/v1/namespaces/default/configmaps", cm.dump(), "application/json");
  REQUIRE(created);
  CHECK(created->status == 201);
  std::size_t told = 0;  // every watch, not a sample: a stuck one would hide among the rest
  for (const int fd : watches) told += read_until(fd, "after-watches").find("\"ADDED\"") != std::string::npos;
  CHECK(told == k_watches);

  // Stopping ends every watch at once; the connections then close as their
  // clients close them (an idle keep-alive connection would hold stop() for
  // up to the 30 s keep-alive timeout).
  std::thread stopping([&server] { server.stop(); });
  CHECK(stream_ends(watches.front()));
  CHECK(stream_ends(watches.back()));
  for (const int fd : watches) ::close(fd);
  stopping.join();
}

TEST_CASE("each watch is handed only the events its selector picks, not every event of its kind",
          "[kubesim][connections]") {
  // A fleet of rollouts in one namespace: one watch per object, by name.
  constexpr int k_scoped = 50;
  kubesim::Server server(api_only());
  REQUIRE(server.start().ok());
  const auto queued_before = watch_counts(server.port())["queued"].get<std::uint64_t>();
  std::vector<int> watches;
  for (int i = 0; i < k_scoped; ++i) {
    watches.push_back(connect_to(server.port()));
    send_all(watches.back(),
             "GET /api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3Dcm-" +
                 std::to_string(i) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  }
  REQUIRE(wait_for_open_watches(server.port(), k_scoped));

  httplib::Client client("127.0.0.1", server.port());
  for (int i = 0; i < k_scoped; ++i) {
    const Json cm = {
        {"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "cm-" + std::to_string(i)}}}};
    auto created = client.Post("/api/v1/namespaces/default/configmaps", cm.dump(), "application/json");
    REQUIRE(created);
    REQUIRE(created->status == 201);
  }
  int own_event = 0;
  for (int i = 0; i < k_scoped; ++i) {
    const std::string name = "\"name\":\"cm-" + std::to_string(i) + "\"";
    own_event += read_until(watches[static_cast<std::size_t>(i)], name).find(name) != std::string::npos;
  }
  CHECK(own_event == k_scoped);
  // One hand-over per watch (its own object), not one per watch and ConfigMap (2500).
  CHECK(watch_counts(server.port())["queued"].get<std::uint64_t>() - queued_before == k_scoped);
  for (const int fd : watches) ::close(fd);
}

TEST_CASE("the connection pool starts a thread for a job when none is idle, and lets it go",
          "[kubesim][connections]") {
  kubesim::ConnectionPool pool(2, 16, std::chrono::milliseconds(20));
  std::atomic<int> running{0};
  std::atomic<bool> release{false};
  for (int i = 0; i < 6; ++i) {
    pool.enqueue([&] {
      ++running;
      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
  }
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (running < 6 && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CHECK(running.load() == 6);  // all at once: none waits behind another
  CHECK(pool.threads() == 6);
  release = true;
  while (pool.threads() > 2 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK(pool.threads() == 2);
  pool.shutdown();
  CHECK(pool.threads() == 0);
}

TEST_CASE("the connection pool queues jobs beyond its maximum", "[kubesim][connections]") {
  kubesim::ConnectionPool pool(1, 2);
  std::atomic<int> running{0};
  std::atomic<int> done{0};
  std::atomic<bool> release{false};
  for (int i = 0; i < 3; ++i) {
    pool.enqueue([&] {
      ++running;
      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      ++done;
    });
  }
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (running < 2 && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CHECK(pool.threads() == 2);
  release = true;
  pool.shutdown();  // runs the queued job first
  CHECK(done.load() == 3);
}
