// Rolling rollouts on kubesim, driven by the real sluice binary.
#include "scenario/engine/world.hpp"

#include <catch2/catch.hpp>

using sluice::scenario::Json;
using sluice::scenario::World;

namespace {
std::string image_of(const Json& deployment) {
  return deployment["spec"]["template"]["spec"]["containers"][0]["image"].get<std::string>();
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
