// Resume after kill -9, the lock between concurrent applies, and API faults.
#include "scenario/engine/world.hpp"

#include <catch2/catch.hpp>

#include <signal.h>

#include <cstdlib>
#include <optional>
#include <set>
#include <thread>
#include "tree_paths.hpp"

using sluice::scenario::Json;
using sluice::scenario::wait_for_event;
using sluice::scenario::World;

namespace {

auto step_started(int step) {
  return [step](const Json& e) { return e["type"] == "step_started" && e.value("step", 0) == step; };
}

// A rolling rollout's one step (RollOut) waiting for its pods: the wait's
// first progress event comes once the template is written.
auto rolling_out() {
  return [](const Json& e) { return e["type"] == "progress" && e.value("step", 0) == 1; };
}

void freeze(World& w, bool frozen) {
  REQUIRE(w.sim.control("PUT", "freeze", {{"frozen", frozen}}).status == 200);
}

}  // namespace

TEST_CASE("kill -9 at each blue-green step, then apply again: the rollout finishes") {
  World w;
  // CreatePreview, PointPreviewService, WaitPreviewReady, SwitchService, ScaleDownOld
  for (int step = 1; step <= 5; ++step) {
    DYNAMIC_SECTION("killed once step " << step << " started") {
      auto plan = w.write_plan("web.yaml", w.bluegreen_plan(w.image("web", "2"), true));
      auto* first = w.start_sluice({"apply", plan});
      bool seen = wait_for_event(*first, step_started(step));
      ::kill(first->pid(), SIGKILL);
      first->wait(std::chrono::seconds(5));
      INFO("step seen: " << seen);

      auto again = w.sluice({"apply", plan});

      REQUIRE(again.exit_code == 0);
      CHECK(w.serving_image("web").find("/web@sha256:") != std::string::npos);
      CHECK(w.serving_image("web") != w.first_image);
      CHECK(w.min_ready("web") >= 3);
    }
  }
}

TEST_CASE("kill -9 while waiting for the new version, then apply again: it resumes and finishes") {
  World w;
  auto plan = w.write_plan("web.yaml", w.rolling_plan(w.image("web", "2")));
  freeze(w, true);
  auto* first = w.start_sluice({"apply", plan});
  REQUIRE(wait_for_event(*first, rolling_out()));  // held there by the frozen controllers
  ::kill(first->pid(), SIGKILL);
  first->wait(std::chrono::seconds(5));
  freeze(w, false);

  auto again = w.sluice({"apply", plan});

  REQUIRE(again.exit_code == 0);
  bool resumed = false;
  for (const auto& e : again.events)
    resumed = resumed || (e["type"] == "rollout_started" && e["resumed"] == true);
  CHECK(resumed);
  CHECK(w.min_ready("web") >= 3);
}

TEST_CASE("two applies on one target: one proceeds, the other exits 5 naming the holder") {
  World w;
  auto plan = w.write_plan("web.yaml", w.rolling_plan(w.image("web", "2")));
  freeze(w, true);
  auto* first = w.start_sluice({"apply", "--lease-seconds", "3", plan});
  REQUIRE(wait_for_event(*first, rolling_out()));

  auto second = w.sluice({"apply", "--lease-seconds", "3", plan});

  CHECK(second.exit_code == 5);
  CHECK((*second.last())["message"].get<std::string>().find("locked by") != std::string::npos);
  freeze(w, false);
  CHECK(first->wait(std::chrono::seconds(30)) == 0);
}

TEST_CASE("API faults during a rollout do not change its outcome") {
  World w;
  auto plan = w.write_plan("web.yaml", w.bluegreen_plan(w.image("web", "2"), true));
  auto fault = [&](const Json& rule) { REQUIRE(w.sim.control("POST", "faults", rule).status == 201); };
  // A 5xx burst as an overloaded API server sends it (with Retry-After), and 5xx on writes without it.
  fault(
      {{"verb", "get"}, {"path", "/deployments/"}, {"count", 2}, {"status", 503}, {"retryAfterSeconds", 1}});
  fault({{"verb", "patch"}, {"path", "/scale$"}, {"count", 1}, {"status", 500}});
  fault({{"verb", "create"}, {"path", "/deployments$"}, {"count", 1}, {"status", 503}});
  fault({{"verb", "update"}, {"path", "/services/web$"}, {"count", 1}, {"status", 409}});
  fault({{"verb", "update"}, {"path", "/configmaps/"}, {"count", 2}, {"status", 409}});
  freeze(w, true);
  auto* run = w.start_sluice({"apply", plan});
  bool waiting = wait_for_event(*run, step_started(3));
  INFO(run->stdout_text() << run->stderr_text());
  REQUIRE(waiting);
  REQUIRE(w.sim.control("POST", "watches/drop").status == 200);
  freeze(w, false);

  CHECK(run->wait(std::chrono::seconds(30)) == 0);
  CHECK(w.serving_image("web") != w.first_image);
  CHECK(w.min_ready("web") >= 3);
}

namespace {

std::string sluice_binary() {
  const char* env = std::getenv("SLUICE_BIN");
  return env != nullptr ? env : std::string(SLUICE_BINARY_DIR) + "/sluice";
}

Json lease(World& w) {
  return w.sim.get_object("/apis/coordination.k8s.io/v1/namespaces/" + w.ns + "/leases/sluice-web");
}

std::string record_phase(World& w) {
  return Json::parse(w.configmap("sluice-web")["data"]["rollout"].get<std::string>())["phase"];
}

bool is_write(const Json& request) {
  static const std::set<std::string> writes{"create", "update", "patch", "delete", "deletecollection"};
  return writes.count(request.value("verb", "")) > 0;
}

// sluice names its process in the User-Agent: "sluice/V (host/pid N ...)".
bool sent_by(const Json& request, int pid) {
  return request.value("userAgent", "").find("/pid " + std::to_string(pid) + " ") != std::string::npos;
}

// The audit sequence number of the first lease write `pid` made that the server accepted.
std::optional<std::uint64_t> lease_taken_at(const Json& audit, int pid) {
  for (const auto& r : audit["requests"])
    if (sent_by(r, pid) && is_write(r) && r["status"] == 200 &&
        r.value("path", "").find("/leases/sluice-web") != std::string::npos)
      return r["seq"].get<std::uint64_t>();
  return std::nullopt;
}

struct Takeover {
  std::string strategy;
  std::string plan;
  std::string waiting_step;  // a step that writes nothing while it waits
};

}  // namespace

TEST_CASE("a holder stalled past its lease makes no write after the takeover and exits 8") {
  World w;
  std::string image = w.image("web", "2");
  std::vector<Takeover> cases{
      {"rolling", w.rolling_plan(image), "RollOut"},
      {"blueGreen", w.bluegreen_plan(image, true), "WaitPreviewReady"},
      {"canary",
       w.canary_plan(image,
                     "    steps:\n      - setWeight: 50\n      - pause: {duration: 8s}\n"
                     "      - setWeight: 100\n"),
       "Pause(8s)"}};
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.strategy) {
      // Given a first apply waiting in a step, then stalled (SIGSTOP) past its 2 s lease
      auto plan = w.write_plan("web.yaml", c.plan);
      if (c.strategy != "canary") freeze(w, true);
      auto* first = w.start_sluice({"apply", "--lease-seconds", "2", plan});
      REQUIRE(wait_for_event(*first, [&](const Json& e) {
        return e["type"] == "step_started" && e.value("stepName", "") == c.waiting_step;
      }));
      ::kill(first->pid(), SIGSTOP);

      // When a second apply takes the lock over and the first is continued
      auto* second = w.start_sluice({"apply", "--lease-seconds", "2", plan});
      bool took_over = second->wait_for_output("took over the lock", std::chrono::seconds(20));
      ::kill(first->pid(), SIGCONT);
      INFO(second->stdout_text() << second->stderr_text());
      REQUIRE(took_over);
      auto first_code = first->wait(std::chrono::seconds(30));
      freeze(w, false);

      // Then the first stops with exit 9, naming the new holder, and wrote nothing after the takeover
      INFO(first->stdout_text() << first->stderr_text());
      CHECK(first_code == 9);
      CHECK(first->stdout_text().find("another deploy took the lock") != std::string::npos);
      Json audit = w.sim.audit();
      auto taken = lease_taken_at(audit, second->pid());
      REQUIRE(taken);
      int first_requests = 0;
      std::vector<std::string> late_writes;
      for (const auto& r : audit["requests"]) {
        if (!sent_by(r, first->pid())) continue;
        ++first_requests;
        if (is_write(r) && r["seq"].get<std::uint64_t>() > *taken)
          late_writes.push_back(r.value("verb", "") + " " + r.value("path", ""));
      }
      CHECK(first_requests > 0);
      CHECK(late_writes.empty());
      for (const auto& write : late_writes) UNSCOPED_INFO("write after the takeover: " << write);
      // And the new holder finishes the rollout
      CHECK(second->wait(std::chrono::seconds(60)) == 0);
    }
  }
}

TEST_CASE("SIGINT or SIGTERM right after `finished` keeps the run's exit code") {
  World w;
  int tag = 2;
  for (int signal : {SIGINT, SIGTERM}) {
    for (int round = 0; round < 3; ++round) {
      DYNAMIC_SECTION("signal " << signal << ", round " << round) {
        // Given a rollout that has just printed its `finished` event
        auto plan = w.write_plan("web.yaml", w.rolling_plan(w.image("web", std::to_string(tag++))));
        auto* run = w.start_sluice({"apply", plan});
        int code = -1;
        bool finished = wait_for_event(*run, [&](const Json& e) {
          if (e["type"] != "finished") return false;
          code = e["exitCode"].get<int>();
          return true;
        });
        // When the signal arrives during teardown
        ::kill(run->pid(), signal);

        // Then the process exits with the code it announced, not a crash
        INFO(run->stdout_text());  // a run that never finished shows where it stopped
        REQUIRE(finished);
        auto exit_code = run->wait(std::chrono::seconds(20));
        INFO(run->stderr_text());
        CHECK(exit_code == code);
      }
    }
  }
}

TEST_CASE("apply with a closed stdout (| head -1) finishes the rollout and releases the lock") {
  World w;
  auto plan = w.write_plan("web.yaml", w.rolling_plan(w.image("web", "2")));

  // When the reader of sluice's output goes away after the first line (SIGPIPE
  // back to its default: the test runner ignores it, and children inherit that)
  auto run = sluice::test::run(
      "/bin/bash",
      {"-c", "env --default-signal=PIPE \"$0\" \"$@\" | head -1 >/dev/null; exit ${PIPESTATUS[0]}",
       sluice_binary(), "-o", "json", "--kubeconfig", w.sim.kubeconfig_path(), "apply", plan});

  // Then the rollout still finishes with its own code, the record is final and the lock free
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(record_phase(w) == "Healthy");
  // Released with the final record write (issue 15): the record names the Lease's version then,
  // the Lease is still that version (nothing renewed it since), and status calls the lock free
  Json rollout = Json::parse(w.configmap("sluice-web")["data"]["rollout"].get<std::string>());
  CHECK(rollout["releasedLock"]["leaseResourceVersion"] == lease(w)["metadata"]["resourceVersion"]);
  bool shown = false;
  for (const auto& e : w.sluice({"status", "web", "-n", w.ns}).events) {
    if (!e.contains("lockHolder")) continue;
    shown = true;
    CHECK(e["lockHolder"] == "");
  }
  CHECK(shown);
}

TEST_CASE("SIGINT during preflight exits 130") {
  World w;
  auto plan = w.write_plan("web.yaml", w.rolling_plan(w.image("web", "2")));
  // Given a slow API server: the Deployment read (preflight's first call; the
  // Namespace is read only when the Deployment is missing) takes 5 s
  REQUIRE(w.sim
              .control("POST", "faults",
                       {{"verb", "get"},
                        {"path", "/namespaces/shop/deployments/web$"},
                        {"count", 1},
                        {"status", 0},
                        {"latencyMs", 5000}})
              .status == 201);
  auto* run = w.start_sluice({"apply", plan});
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // well into that read

  // When SIGINT arrives
  ::kill(run->pid(), SIGINT);

  // Then sluice says it was interrupted (exit 130, in its own `finished` event) without waiting
  auto started = std::chrono::steady_clock::now();
  auto code = run->wait(std::chrono::seconds(20));
  INFO(run->stderr_text());
  INFO(run->stdout_text());
  CHECK(code == 130);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
  CHECK(run->stdout_text().find("\"exitCode\":130") != std::string::npos);
}

TEST_CASE("two applies with the same host name and pid cannot both hold the lock") {
  // Given two CI containers: separate PID namespaces (both sluice are pid 1), one host name
  if (sluice::test::run("/usr/bin/unshare", {"-Urpfu", "--mount-proc", "true"}).exit_code != 0) {
    WARN("user namespaces are not available here; the same-pid case cannot be staged");
    return;
  }
  World w;
  auto plan = w.write_plan("web.yaml", w.rolling_plan(w.image("web", "2")));
  auto in_container = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv{"-Urpfu",
                                  "--mount-proc",
                                  "/bin/sh",
                                  "-c",
                                  "hostname ci-runner && exec \"$@\"",
                                  "sh",
                                  sluice_binary(),
                                  "-o",
                                  "json",
                                  "--kubeconfig",
                                  w.sim.kubeconfig_path()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  };
  freeze(w, true);
  sluice::test::Process first("/usr/bin/unshare", in_container({"apply", "--lease-seconds", "3", plan}));
  REQUIRE(wait_for_event(first, rolling_out()));
  std::string holder = lease(w)["spec"]["holderIdentity"];
  REQUIRE(holder.rfind("ci-runner/pid 1", 0) == 0);

  // When the second applies while the first renews
  auto second = sluice::test::run("/usr/bin/unshare", in_container({"apply", "--lease-seconds", "3", plan}));

  // Then the second is refused, naming the first
  INFO(second.out << second.err);
  CHECK(second.exit_code == 5);
  CHECK(second.out.find("locked by " + holder) != std::string::npos);
  freeze(w, false);
  CHECK(first.wait(std::chrono::seconds(30)) == 0);
}
