// Rolling rollouts on kubesim, driven by the real sluice binary.
#include "scenario/engine/world.hpp"
#include "support/prometheus_process.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <mutex>
#include <thread>

using sluice::scenario::Json;
using sluice::scenario::SluiceRun;
using sluice::scenario::World;
using namespace std::chrono_literals;

namespace {
std::string image_of(const Json& deployment) {
  return deployment["spec"]["template"]["spec"]["containers"][0]["image"].get<std::string>();
}

// The plan text with a shorter progress deadline (10 s is the shortest a plan allows).
std::string with_deadline_10s(std::string yaml) {
  return yaml.replace(yaml.find("progressDeadline: 20s"), 21, "progressDeadline: 10s");
}

// Every pod of web in the namespace: image -> how many, and how many of them are ready.
struct PodCounts {
  std::map<std::string, int> pods;
  int ready = 0;
};
PodCounts web_pods(World& w) {
  PodCounts out;
  Json list = w.sim.get_object("/api/v1/namespaces/" + w.ns + "/pods?labelSelector=app%3Dweb");
  for (const auto& pod : list["items"]) {
    ++out.pods[pod["spec"]["containers"][0]["image"].get<std::string>()];
    for (const auto& c : pod["status"].value("conditions", Json::array()))
      if (c["type"] == "Ready" && c["status"] == "True") ++out.ready;
  }
  return out;
}

// ReplicaSet name -> spec.replicas: what the Deployment controller has scaled.
std::map<std::string, int> replica_sets(World& w) {
  std::map<std::string, int> out;
  Json list = w.sim.get_object("/apis/apps/v1/namespaces/" + w.ns + "/replicasets");
  for (const auto& rs : list["items"])
    out[rs["metadata"]["name"].get<std::string>()] = rs["spec"]["replicas"].get<int>();
  return out;
}

// An HTTP check's target: answers `status` and notes, at each request,
// whether the new version alone was serving: 3 ready pods, all on the
// Deployment's (new) image, no other pod of web left.
class CheckTarget {
 public:
  CheckTarget(World& w, int status) : w_(w) {
    server_.server().Get("/check", [this, status](const httplib::Request&, httplib::Response& res) {
      note();
      res.status = status;
    });
    server_.start();
  }

  // The plan lines that gate the rolling update on it (under `rolling:` and top-level).
  std::string plan_lines(int count) const {
    return "    checks: [smoke]\nchecks:\n  smoke:\n    http: {url: '" + server_.url("/check") +
           "'}\n    interval: 1s\n    count: " + std::to_string(count) + "\n";
  }

  int hits() {
    std::lock_guard lock(mutex_);
    return static_cast<int>(settled_.size());
  }
  bool all_settled() {
    std::lock_guard lock(mutex_);
    for (bool s : settled_)
      if (!s) return false;
    return true;
  }

 private:
  void note() {
    std::string image = image_of(w_.deployment("web"));
    PodCounts now = web_pods(w_);
    bool settled =
        now.pods.size() == 1 && now.pods.count(image) == 1 && now.pods[image] == 3 && now.ready == 3;
    std::lock_guard lock(mutex_);
    settled_.push_back(settled);
  }

  World& w_;
  std::mutex mutex_;
  std::vector<bool> settled_;
  sluice::testing::LoopbackServer server_;  // last: stopped before what its handler uses goes
};

// How often sluice's wait loops went to sleep (logged at -vv): a loop that
// spins instead of waiting for a change or a due check shows as thousands.
int wait_sleeps(const SluiceRun& run) {
  int n = 0;
  for (std::size_t at = run.err.find("wait: sleeping"); at != std::string::npos;
       at = run.err.find("wait: sleeping", at + 1))
    ++n;
  return n;
}

Json status_of(World& w) {
  for (const auto& e : w.sluice({"status", "web", "-n", w.ns}).events)
    if (e.contains("versions")) return e;
  return Json();
}
}  // namespace

TEST_CASE("rolling: the Deployment moves to the new digest without dropping below the floor") {
  World w;
  auto plan = w.write_plan("web.yaml", w.rolling_plan(w.image("web", "2")));

  auto run = w.sluice({"apply", plan});

  REQUIRE(run.exit_code == 0);
  std::string image = image_of(w.deployment("web"));
  CHECK(image.rfind(w.registry.host() + "/web@sha256:", 0) == 0);
  CHECK(image != w.first_image);
  CHECK(w.serving_image("web") == image);
  CHECK(w.min_ready("web") >= 3);
  auto record = Json::parse(w.configmap("sluice-web")["data"]["rollout"].get<std::string>());
  CHECK(record["phase"] == "Healthy");
  CHECK(record["digest"] == image);
}

TEST_CASE("rolling: applying the same plan again changes nothing") {
  World w;
  auto plan = w.write_plan("web.yaml", w.rolling_plan(w.image("web", "2")));
  REQUIRE(w.sluice({"apply", plan}).exit_code == 0);
  auto generation = w.deployment("web")["metadata"]["generation"];

  auto again = w.sluice({"apply", plan});

  CHECK(again.exit_code == 0);
  CHECK(w.deployment("web")["metadata"]["generation"] == generation);
}

TEST_CASE("rolling: broken versions are rolled back with exit 3, the old version serving") {
  World w;
  SECTION("crash-looping: caught by the pod signal well before the deadline") {
    w.behave("web-crash", {{"crashLoop", true}});
    auto plan = w.write_plan("web.yaml", w.rolling_plan(w.image("web-crash", "1")));
    auto started = std::chrono::steady_clock::now();
    auto run = w.sluice({"apply", plan});
    REQUIRE(run.exit_code == 3);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
  }
  SECTION("image that cannot be pulled in the cluster: caught by ErrImagePull") {
    w.behave("web-pull", {{"missing", true}});
    auto plan = w.write_plan("web.yaml", w.rolling_plan(w.image("web-pull", "1")));
    auto run = w.sluice({"apply", plan});
    REQUIRE(run.exit_code == 3);
  }
  SECTION("never ready: caught by the progress deadline") {
    w.behave("web-never", {{"neverReady", true}});
    std::string yaml = w.rolling_plan(w.image("web-never", "1"));
    yaml.replace(yaml.find("progressDeadline: 20s"), 21,
                 "progressDeadline: 10s");  // the shortest a plan allows
    auto run = w.sluice({"apply", w.write_plan("web.yaml", yaml)});
    REQUIRE(run.exit_code == 3);
  }
  CHECK(image_of(w.deployment("web")) == w.first_image);
  CHECK(w.serving_image("web") == w.first_image);
  CHECK(w.min_ready("web") >= 3);
}

TEST_CASE("preflight: an image missing from the registry is exit 6 and nothing is written") {
  World w;
  std::string missing = w.registry.host() + "/web:does-not-exist";
  auto mark = w.audit_mark();

  auto run = w.sluice({"apply", w.write_plan("web.yaml", w.rolling_plan(missing))});

  REQUIRE(run.exit_code == 6);
  CHECK((*run.last())["exitCode"] == 6);
  Json log = w.sim.audit(mark);  // kept: a range-for over a temporary's member would dangle
  for (const auto& r : log["requests"]) CHECK(r["verb"] != "update");
  CHECK(w.sim.get("/api/v1/namespaces/shop/configmaps/sluice-web").status == 404);
}

TEST_CASE("rolling: checks never measure a version that does not roll out") {
  // Given a v2 that never gets ready, gated on a check that would pass
  World w;
  w.behave("web-never", {{"neverReady", true}});
  CheckTarget target(w, 200);
  auto plan = w.write_plan(
      "web.yaml", with_deadline_10s(w.rolling_plan(w.image("web-never", "1"), target.plan_lines(2))));

  // When it is applied
  auto run = w.sluice({"apply", plan});

  // Then the deadline rolls it back and the check never vouched for it
  REQUIRE(run.exit_code == 3);
  CHECK(target.hits() == 0);
  CHECK(image_of(w.deployment("web")) == w.first_image);
  CHECK(w.min_ready("web") >= 3);
}

TEST_CASE("rolling: checks measure once the new version alone serves, then sluice stops waiting") {
  // Given a v2 whose pods take a second to start, gated on two measurements a second apart
  World w;
  w.behave("web-slow", {{"startupMs", 1000}});
  CheckTarget target(w, 200);
  auto plan = w.write_plan("web.yaml", w.rolling_plan(w.image("web-slow", "1"), target.plan_lines(2)));

  // When it is applied (-vv logs each wait)
  auto run = w.sluice({"-vv", "apply", plan});

  // Then both measurements were taken with every new pod available and the old ones gone
  REQUIRE(run.exit_code == 0);
  CHECK(target.hits() == 2);
  CHECK(target.all_settled());
  // and the waits slept until a change or a due check: tens of times, not a busy loop
  CHECK(wait_sleeps(run) > 0);
  CHECK(wait_sleeps(run) < 400);
  auto record = Json::parse(w.configmap("sluice-web")["data"]["rollout"].get<std::string>());
  CHECK_FALSE(record["next"]["podTemplateHash"].get<std::string>().empty());
  CHECK_FALSE(record["previous"]["podTemplateHash"].get<std::string>().empty());
  CHECK(record["next"]["podTemplateHash"] != record["previous"]["podTemplateHash"]);
  CHECK(w.min_ready("web") >= 3);
}

TEST_CASE("rolling: a pause mid-rollout holds the Deployment until promote or abort") {
  // Given a v2 whose pods take 6 s to start: the 10 s deadline passes mid-rollout, rollback is manual
  World w;
  w.behave("web-slow", {{"startupMs", 6000}});
  std::string v2 = w.image("web-slow", "1");
  auto plan =
      w.write_plan("web.yaml", with_deadline_10s(w.rolling_plan(v2, "rollback: {automatic: false}\n")));

  // When it is applied
  auto run = w.sluice({"apply", plan});

  // Then it is held (exit 8: failed, automatic rollback off) with the Deployment held where it was:
  // no ReplicaSet moves meanwhile
  REQUIRE(run.exit_code == 8);
  CHECK(w.deployment("web")["spec"]["paused"] == true);
  auto held = replica_sets(w);
  std::this_thread::sleep_for(7s);  // an unheld rollout would have started another pod by now
  CHECK(replica_sets(w) == held);
  Json status = status_of(w);
  CHECK(status["exitCode"] == 8);
  CHECK(status["rollout"]["pauseReason"] == "failed");
  REQUIRE(status["versions"].size() == 1);
  CHECK(status["versions"][0]["held"] == true);

  SECTION("abort rolls it back and releases it") {
    auto aborted = w.sluice({"abort", "web", "-n", w.ns});
    REQUIRE(aborted.exit_code == 0);
    CHECK(image_of(w.deployment("web")) == w.first_image);
    CHECK_FALSE(w.deployment("web")["spec"].value("paused", false));
    CHECK(w.serving_image("web") == w.first_image);
  }
  SECTION("promote releases it and the rollout finishes") {
    auto promoted = w.sluice({"promote", "web", "-n", w.ns});
    REQUIRE(promoted.exit_code == 0);
    CHECK_FALSE(w.deployment("web")["spec"].value("paused", false));
    CHECK(w.serving_image("web") == image_of(w.deployment("web")));
    CHECK(w.serving_image("web") != w.first_image);
  }
  CHECK(w.min_ready("web") >= 3);
}

TEST_CASE(
    "rolling: a failed check with manual rollback leaves the rolled-out Deployment as it is until abort") {
  // Given a v2 that rolls out over a few seconds and a check that fails it; rollback is manual
  World w;
  w.behave("web-slow", {{"startupMs", 1000}});
  CheckTarget target(w, 500);
  auto plan = w.write_plan(
      "web.yaml",
      w.rolling_plan(w.image("web-slow", "1"), target.plan_lines(1) + "rollback: {automatic: false}\n"));

  // When it is applied
  auto run = w.sluice({"apply", plan});

  // Then it is held (exit 8) after the check judged the fully rolled-out version, and nothing moves after
  REQUIRE(run.exit_code == 8);
  CHECK(target.hits() == 1);
  CHECK(target.all_settled());
  std::string v2 = image_of(w.deployment("web"));
  CHECK(v2 != w.first_image);
  auto held = replica_sets(w);
  auto mark = w.audit_mark();
  std::this_thread::sleep_for(3s);
  CHECK(replica_sets(w) == held);
  CHECK(w.writes_to("/deployments/web", mark) == 0);
  CHECK(image_of(w.deployment("web")) == v2);

  // and abort brings the old version back
  auto aborted = w.sluice({"abort", "web", "-n", w.ns});
  REQUIRE(aborted.exit_code == 0);
  CHECK(image_of(w.deployment("web")) == w.first_image);
  CHECK(w.serving_image("web") == w.first_image);
  CHECK(w.min_ready("web") >= 3);
}
