#include "faults/fault_world.hpp"

#include <catch2/catch.hpp>

#include <signal.h>

#include <sstream>
#include <thread>

namespace sluice::faults {

const char* to_string(Strategy s) {
  switch (s) {
    case Strategy::rolling: return "rolling";
    case Strategy::blue_green: return "blueGreen";
    case Strategy::canary: return "canary";
  }
  return "?";
}

bool Trigger::matches(const Json& e) const {
  if (e.value("type", "") != type) return false;
  if (step != 0 && e.value("step", 0) != step) return false;
  return result.empty() || e.value("result", "") == result;
}

std::string Trigger::describe() const {
  std::string out = type;
  if (!result.empty()) out += "(" + result + ")";
  if (step != 0) out += " of step " + std::to_string(step);
  if (nth != 1) out += " #" + std::to_string(nth);
  if (writes_after != 0) out += " + " + std::to_string(writes_after) + " writes";
  return out;
}

Trigger at_step(int step) {
  return Trigger{"step_started", step, 1, "", 0};
}
Trigger mid_wait(int step) {
  return Trigger{"progress", step, 1, "", 0};
}
Trigger mid_rollback(int writes) {
  return Trigger{"step_finished", 0, 1, "failed", writes};
}

int exit_after(int signal) {
  return signal == SIGINT || signal == SIGTERM ? 130 : 128 + signal;
}

std::vector<Json> events_of(test::Process& p) {
  std::vector<Json> out;
  std::istringstream lines(p.stdout_text());
  for (std::string line; std::getline(lines, line);) {
    auto j = Json::parse(line, nullptr, false);
    if (!j.is_discarded()) out.push_back(std::move(j));
  }
  return out;
}

FaultWorld::FaultWorld(Strategy s, int replica_count)
    : w(replica_count), strategy(s), replicas(replica_count) {
  // Each new pod takes a while to start, so every wait lasts long enough to land a fault in.
  w.behave("web", {{"startupMs", 250}});
  if (strategy != Strategy::canary) return;
  healthz_ = std::make_unique<testing::LoopbackServer>();
  healthz_->server().Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  healthz_->start();
}

std::string FaultWorld::plan(const std::string& repo, const std::string& tag, const std::string& extra) {
  std::string image = w.image(repo, tag);
  switch (strategy) {
    case Strategy::rolling: return w.write_plan("web.yaml", w.rolling_plan(image, extra));
    case Strategy::blue_green: return w.write_plan("web.yaml", w.bluegreen_plan(image, true, extra));
    case Strategy::canary: break;
  }
  return w.write_plan(
      "web.yaml", w.canary_plan(image,
                                "    steps:\n      - setWeight: 34\n      - analysis: {checks: [healthz]}\n"
                                "      - setWeight: 100\n",
                                "  healthz:\n    http:\n      url: " + healthz_->url("/healthz") +
                                    "\n    interval: 1s\n    count: 3\n") +
                      extra);
}

std::string FaultWorld::pinned(const std::string& repo, const std::string& tag) {
  return w.registry.host() + "/" + repo + "@" + w.registry.push(repo, tag);
}

int FaultWorld::wait_step() const {
  switch (strategy) {
    case Strategy::rolling: return 1;
    case Strategy::blue_green: return 3;
    case Strategy::canary: return 2;
  }
  return 1;
}

bool FaultWorld::wait_for(test::Process& p, const Trigger& t, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  bool seen = false;
  while (!seen && std::chrono::steady_clock::now() < until) {
    int count = 0;
    for (const auto& e : events_of(p)) count += t.matches(e) ? 1 : 0;
    seen = count >= t.nth;
    if (!seen && !p.running()) return false;
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (!seen || t.writes_after == 0) return seen;
  auto mark = w.audit_mark();
  while (std::chrono::steady_clock::now() < until) {
    if (successful_writes(mark) >= t.writes_after) return true;
    if (!p.running()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

void FaultWorld::fault(const Json& rule) {
  auto r = w.sim.control("POST", "faults", rule);
  INFO(r.body.dump());
  REQUIRE(r.status == 201);
}

void FaultWorld::clear_faults() {
  REQUIRE(w.sim.control("DELETE", "faults").status == 200);
}

void FaultWorld::latency(int ms) {
  REQUIRE(w.sim.control("PUT", "latency", {{"ms", ms}}).status == 200);
}

int FaultWorld::successful_writes(std::uint64_t since) {
  int writes = 0;
  Json log = w.sim.audit(since);  // kept: a range-for over a temporary's member would dangle
  for (const auto& r : log["requests"]) {
    std::string verb = r.value("verb", "");
    bool write = verb == "create" || verb == "update" || verb == "patch" || verb == "delete" ||
                 verb == "deletecollection";
    if (write && r.value("status", 0) < 300) ++writes;
  }
  return writes;
}

namespace {
Json last_serving(World& w) {
  Json log = w.sim.audit(w.serving_since);
  Json last;
  for (const auto& e : log["serving"])
    if (e["kind"] == "Service" && e["name"] == "web") last = e["state"];
  return last;
}
}  // namespace

void FaultWorld::expect_settled(const std::string& image, const std::vector<std::string>& phases,
                                int status_exit, const std::string& digest) {
  bool alone = testing::eventually([&] { return w.serving_image("web") == image; }, std::chrono::seconds(15));
  INFO("expected " << image << " alone behind the Service; it serves " << last_serving(w).dump());
  CHECK(alone);
  scenario::expect_serving_invariant(w, "web", floor());
  auto status = w.sluice({"status", "web", "-n", w.ns});
  auto j = Json::parse(status.out, nullptr, false);
  INFO("sluice status -o json: " << status.out << status.err);
  REQUIRE(j.is_object());
  CHECK(status.exit_code == status_exit);
  CHECK(j["exitCode"] == status_exit);
  std::string phase = j["rollout"].value("phase", "");
  CHECK_THAT(phases, Catch::Matchers::VectorContains(phase));
  CHECK(j["rollout"]["digest"] == digest);
  CHECK(j["lockHolder"] == "");
}

}  // namespace sluice::faults
