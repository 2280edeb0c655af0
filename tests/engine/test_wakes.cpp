// Issue 15: a rollout's CPU must not follow every pod event. A wait is woken
// by the pod stream only when its answer may change (a failure signal, a pod
// gone, the stream failing); counted from the wait loop's own trace line.
#include "engine/engine_world.hpp"

#include <sluice/kube/resources.hpp>
#include <sluice/util/exit_code.hpp>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

using namespace engine_test;

namespace {

// Counts the wait loop's passes: it logs one "wait: sleeping" line per sleep.
class SleepCounter : public spdlog::sinks::base_sink<std::mutex> {
 public:
  int sleeps() const { return sleeps_.load(); }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (std::string_view(msg.payload.data(), msg.payload.size()).find("wait: sleeping") !=
        std::string_view::npos)
      ++sleeps_;
  }
  void flush_() override {}

 private:
  std::atomic<int> sleeps_{0};
};

// Routes spdlog to `sink` at trace level for the test's lifetime.
struct CapturedLog {
  std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  explicit CapturedLog(std::shared_ptr<SleepCounter> sink) {
    auto logger = std::make_shared<spdlog::logger>("wakes", std::move(sink));
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;
};

// The name of a pod running `image` that the kubelet started (it is not
// ready and never will be), or "" until there is one.
std::string started_pod_of(EngineWorld& world, const std::string& image) {
  auto pods = world.kube().list(sluice::kube::k_pods, world.ns);
  if (!pods) return "";
  for (const auto& pod : (*pods)["items"]) {
    if (pod.value("/spec/containers/0/image"_json_pointer, std::string()) != image) continue;
    if (pod.value("/status/phase"_json_pointer, std::string()) == "Running")
      return pod.value("/metadata/name"_json_pointer, std::string());
  }
  return "";
}

bool eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 500 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return done();
}

}  // namespace

TEST_CASE("engine: pod changes that cannot end a rolling wait do not wake it", "[engine][rolling][wakes]") {
  EngineWorld world;  // given web at v1, and a v2 whose pods run but never become ready
  kubesim::ImageBehaviour never_ready;
  never_ready.never_ready = true;
  world.sim().config().set_behaviour("example.test/web-v2", never_ready);
  auto sink = std::make_shared<SleepCounter>();
  CapturedLog captured(sink);
  engine::Outcome out;
  std::thread applying([&] {
    out = world.apply(EngineWorld::plan(k_v2, "  rolling:\n    maxSurge: 1\n    maxUnavailable: 0\n"));
  });
  std::string pod;
  bool waiting =
      eventually([&] { return !(pod = started_pod_of(world, k_v2)).empty() && sink->sleeps() > 0; });
  // The Deployment's status settles on its one unavailable new pod.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  constexpr int k_touches = 30;  // when the waited-on pod changes in ways that say nothing new
  const int before = sink->sleeps();
  for (int i = 0; waiting && i < k_touches; ++i) {
    // Straight into the store: the API refuses this pod's updates (issue: a
    // metadata-only patch of a pod fails kubesim's spec immutability check).
    auto current = world.sim().store().get("pods", world.ns, pod);
    REQUIRE(current.ok());
    Json touched = *current;
    touched["metadata"]["annotations"]["touched"] = std::to_string(i);
    CHECK(world.sim().store().update("pods", touched).ok());
  }
  // The last touch has reached the rollout's own stream once its wait would have judged it.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const int woken = sink->sleeps() - before;
  world.interrupt("test over");
  applying.join();

  REQUIRE(waiting);
  CHECK(out.exit_code == sluice::k_exit_interrupted);
  // then the wait slept through them (before: one pass per touch, 30)
  CHECK(woken < 5);
}
