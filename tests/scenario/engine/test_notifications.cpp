// Notifications from the real sluice binary: receivers that fail in every way
// a network can (500, 429 with Retry-After, a hang, a dropped connection)
// leave the rollout's outcome and exit code alone, and a receiver that works
// gets the rollout's moments; planted secrets appear in no output.
#include "scenario/engine/world.hpp"
#include "support/prometheus_process.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

using sluice::scenario::Json;
using sluice::scenario::SluiceRun;
using sluice::scenario::World;
using namespace std::chrono_literals;

namespace {

// A loopback listener that, for each connection, either closes it at once
// or keeps it open without answering until the listener goes away.
class RawListener {
 public:
  explicit RawListener(bool hang) : hang_(hang) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener_, 16) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("cannot listen on loopback");
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~RawListener() {
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
    for (int fd : held_) ::close(fd);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  int accepted() const { return accepted_.load(); }

 private:
  void serve() {
    for (;;) {
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      ++accepted_;
      if (hang_) {
        held_.push_back(fd);
      } else {
        ::close(fd);
      }
    }
  }
  bool hang_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<int> accepted_{0};
  std::vector<int> held_;
  std::thread thread_;
};

struct Captured {
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> requests;  // (X-Sluice-Event or "", body)
};

const std::string k_planted = "planted-notify-secret-5150";

std::string receivers_yaml(const std::vector<std::pair<std::string, std::string>>& hooks,
                           const std::string& secret_file) {
  std::string yaml = "notifications:\n  receivers:\n";
  for (const auto& [name, url] : hooks)
    yaml += "    - name: " + name + "\n      webhook:\n        url: '" + url +
            "'\n        secret: {valueFrom: {file: " + secret_file + "}}\n";
  return yaml;
}

}  // namespace

TEST_CASE("receivers that fail, stall or hang up change neither the outcome nor the exit code",
          "[scenario][notify]") {
  World w;
  std::string secret_file = w.dir.file("hook-key");
  std::ofstream(secret_file) << k_planted << "\n";
  sluice::testing::LoopbackServer failing;
  Captured captured;
  failing.server().Post("/500", [](const httplib::Request&, httplib::Response& res) { res.status = 500; });
  failing.server().Post("/429", [](const httplib::Request&, httplib::Response& res) {
    res.status = 429;
    res.set_header("Retry-After", "1");
  });
  failing.server().Post("/ok", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(captured.mutex);
    captured.requests.emplace_back(req.get_header_value("X-Sluice-Event"), req.body);
    res.status = 204;
  });
  failing.start();
  RawListener hangs(true), closes(false);
  std::string plan = w.write_plan(
      "web.yaml", w.rolling_plan(w.image("web", "2"), receivers_yaml({{"answers-500", failing.url("/500")},
                                                                      {"answers-429", failing.url("/429")},
                                                                      {"hangs", hangs.url()},
                                                                      {"hangs-up", closes.url()},
                                                                      {"works", failing.url("/ok")}},
                                                                     secret_file)));

  SluiceRun run = w.sluice({"apply", plan}, 90s);

  INFO(run.err);
  CHECK(run.exit_code == 0);
  REQUIRE(run.last());
  CHECK((*run.last())["type"] == "finished");
  CHECK((*run.last())["exitCode"] == 0);
  // The Service serves version 2 by digest, as sluice deploys it.
  CHECK(w.serving_image("web") == w.registry.host() + "/web@" + w.registry.push("web", "2"));
  // Each failing receiver: warning lines on stderr and as info events, none about the one that works.
  for (const char* name : {"answers-500", "answers-429", "hangs", "hangs-up"})
    CHECK(run.err.find("sluice: warning: notification to receiver '" + std::string(name) + "' (webhook)") !=
          std::string::npos);
  CHECK(run.err.find("'works'") == std::string::npos);
  int failed_events = 0;
  for (const auto& e : run.events)
    if (e.value("notification", "") == "failed") ++failed_events;
  CHECK(failed_events >= 4);
  CHECK(hangs.accepted() >= 1);
  CHECK(closes.accepted() >= 1);
  {
    std::lock_guard lock(captured.mutex);
    REQUIRE(captured.requests.size() == 2);
    CHECK(captured.requests[0].first == "started");
    CHECK(Json::parse(captured.requests[0].second)["type"] == "rollout_started");
    CHECK(captured.requests[1].first == "succeeded");
  }
  CHECK(run.out.find(k_planted) == std::string::npos);
  CHECK(run.err.find(k_planted) == std::string::npos);
  CHECK(w.configmap("sluice-web").dump().find(k_planted) == std::string::npos);
}

TEST_CASE("an inline receiver secret is refused before anything is done", "[scenario][notify]") {
  World w;
  std::string plan = w.write_plan(
      "web.yaml", w.rolling_plan(w.image("web", "2"),
                                 "notifications:\n  receivers:\n    - name: chat\n      slack: {url: "
                                 "'https://hooks.slack.com/services/T/B/" +
                                     k_planted + "'}\n"));
  SluiceRun run = w.sluice({"apply", plan});
  CHECK(run.exit_code == 2);
  CHECK(run.out.find(k_planted) == std::string::npos);
  CHECK(run.err.find(k_planted) == std::string::npos);
}
