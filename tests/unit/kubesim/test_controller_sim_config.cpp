// SimConfig: per-image behaviour lookup and the JSON form of --config files.
#include <kubesim/sim_config.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>

using namespace kubesim;
using Json = nlohmann::json;

TEST_CASE("behaviour_for tries the exact image, then the repository, then the default", "[sim_config]") {
  SimConfig config;
  ImageBehaviour slow;
  slow.startup_ms = 900;
  ImageBehaviour broken;
  broken.never_ready = true;
  config.set_behaviour("registry.local:5000/web", slow);
  config.set_behaviour("registry.local:5000/web:v2", broken);
  CHECK(config.behaviour_for("registry.local:5000/web:v2").never_ready);
  CHECK(config.behaviour_for("registry.local:5000/web:v1").startup_ms == 900);
  CHECK(config.behaviour_for("registry.local:5000/web@sha256:0123abcd").startup_ms == 900);
  CHECK(config.behaviour_for("registry.local:5000/web:v2@sha256:0123abcd").never_ready);
  CHECK(config.behaviour_for("registry.local:5000/api:v1").startup_ms == ImageBehaviour{}.startup_ms);
}

TEST_CASE("apply_json reads the documented shape; image entries start from the default", "[sim_config]") {
  SimConfig config;
  auto ok = config.apply_json(Json::parse(R"({
    "timing": {"controllerDelayMs": 1, "podDeleteMs": 2},
    "default": {"startupMs": 30},
    "images": {"web:bad": {"neverReady": true}, "web:crash": {"crashLoop": true, "errorRate": 0.5}},
    "frozen": true
  })"));
  REQUIRE(ok.ok());
  CHECK(config.timing().controller_delay_ms == 1);
  CHECK(config.timing().pod_delete_ms == 2);
  CHECK(config.timing().crash_restart_ms == Timing{}.crash_restart_ms);
  CHECK(config.frozen());
  CHECK(config.behaviour_for("web:bad").never_ready);
  CHECK(config.behaviour_for("web:bad").startup_ms == 30);
  CHECK(config.behaviour_for("web:crash").error_rate == 0.5);
  Json dumped = config.to_json();
  CHECK(dumped["images"]["web:bad"]["neverReady"] == true);
  CHECK(dumped["default"]["startupMs"] == 30);
  CHECK(dumped["timing"]["podDeleteMs"] == 2);

  SimConfig copy;
  copy.load_json(dumped);
  CHECK(copy.to_json() == dumped);
}

TEST_CASE("apply_json names the wrong field and changes nothing", "[sim_config]") {
  SimConfig config;
  struct Row {
    const char* json;
    const char* message;
  };
  const Row rows[] = {
      {R"({"images": {"web:v2": {"startupMs": -1}}})",
       "images.web:v2.startupMs: must be a non-negative integer (milliseconds)"},
      {R"({"images": {"web:v2": {"slow": true}}})", "images.web:v2.slow: unknown field"},
      {R"({"timing": {"podDeleteMs": "5"}})",
       "timing.podDeleteMs: must be a non-negative integer (milliseconds)"},
      {R"({"default": {"errorRate": 2}})", "default.errorRate: must be a number from 0 to 1"},
      {R"({"frozen": "yes"})", "frozen: must be true or false"},
      {R"({"images": []})", "images: must be an object"},
      {R"({"timeing": {}})", "timeing: unknown field"},
      {R"([1])", "config: must be an object"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.json);
    auto result = config.apply_json(Json::parse(row.json));
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message == row.message);
  }
  CHECK(config.to_json() == SimConfig{}.to_json());
  CHECK_THROWS_AS(config.load_json(Json::parse(R"({"frozen": 1})")), std::invalid_argument);
}

TEST_CASE("listeners hear every change until removed", "[sim_config]") {
  SimConfig config;
  int calls = 0;
  int id = config.add_listener([&] { ++calls; });
  config.set_frozen(true);
  config.set_timing(Timing{});
  REQUIRE(config.apply_json(Json::object()).ok());
  CHECK(calls == 3);
  config.remove_listener(id);
  config.reset();
  CHECK(calls == 3);
  CHECK_FALSE(config.frozen());
}
