#include <sluice/kube/fenced_client.hpp>

#include <catch2/catch.hpp>

#include <vector>

using namespace sluice::kube;
using sluice::util::ManualClock;

namespace {

// Answers every request with {} and remembers the methods it was sent.
class RecordingKube final : public Client {
 public:
  std::vector<std::string> sent;
  Result<Json> request(const ApiRequest& r, const CancelToken*) override {
    sent.push_back(r.method);
    return Json::object();
  }
  sluice::util::Status watch_stream(const ApiRequest&, const std::function<bool(const WatchEvent&)>&,
                                    const CancelToken*) override {
    sent.push_back("WATCH");
    return {};
  }
  std::uint64_t requests_made() const override { return sent.size(); }
};

// Each verb once; what each answered is not the point, what reached the server is.
void every_verb(Client& client) {
  (void)client.get(k_deployments, "shop", "web");
  (void)client.create(k_configmaps, "shop", Json{{"metadata", {{"name", "a"}}}});
  (void)client.update(k_configmaps, "shop", Json{{"metadata", {{"name", "a"}}}});
  (void)client.patch(k_deployments, "shop", "web", PatchType::merge, Json::object());
  (void)client.set_scale(k_deployments, "shop", "web", 3);
  (void)client.remove(k_configmaps, "shop", "a");
  (void)client.watch(k_deployments, "shop", {}, [](const WatchEvent&) { return true; });
}

}  // namespace

TEST_CASE("a fenced client writes only while the fence is open; reads always pass") {
  RecordingKube inner;
  ManualClock clock;
  Fence fence(clock);
  FencedClient client(inner, fence);
  int refusals_seen = 0;
  fence.on_refused([&] { ++refusals_seen; });

  SECTION("never opened: only reads") {
    every_verb(client);
    CHECK(inner.sent == std::vector<std::string>{"GET", "WATCH"});
    CHECK(fence.refused() == 5);
    CHECK(refusals_seen == 5);
  }
  SECTION("open before its deadline: everything") {
    REQUIRE(fence.extend_until(clock.now() + std::chrono::seconds(10)));
    clock.advance(std::chrono::milliseconds(9999));
    every_verb(client);
    CHECK(inner.sent == std::vector<std::string>{"GET", "POST", "PUT", "PATCH", "PATCH", "DELETE", "WATCH"});
    CHECK(fence.refused() == 0);
  }
  SECTION("at its deadline: reads only, with why") {
    REQUIRE(fence.extend_until(clock.now() + std::chrono::seconds(10)));
    clock.advance(std::chrono::seconds(10));
    auto written = client.create(k_configmaps, "shop", Json{{"metadata", {{"name", "a"}}}});
    REQUIRE_FALSE(written.ok());
    CHECK(written.error().kind == sluice::util::ErrorKind::cancelled);
    CHECK(written.error().message == "write refused: the lock's lease ran out before it could be renewed");
    CHECK(client.get(k_deployments, "shop", "web").ok());
    CHECK(inner.sent == std::vector<std::string>{"GET"});
  }
  SECTION("closed: refused with the reason it was closed for") {
    REQUIRE(fence.extend_until(clock.now() + std::chrono::seconds(10)));
    fence.close("another process wrote the lock's lease");
    auto written = client.remove(k_configmaps, "shop", "a");
    REQUIRE_FALSE(written.ok());
    CHECK(written.error().message == "write refused: another process wrote the lock's lease");
    CHECK(refusals_seen == 1);
  }
}

TEST_CASE("a fence that lapsed stays lapsed, even when a late renewal would move it on") {
  ManualClock clock;
  Fence fence(clock);
  REQUIRE(fence.extend_until(clock.now() + std::chrono::seconds(1)));
  CHECK(fence.extend_until(clock.now() + std::chrono::seconds(2)));  // in time: moved on
  clock.advance(std::chrono::seconds(2));

  CHECK_FALSE(fence.extend_until(clock.now() + std::chrono::seconds(10)));
  CHECK(fence.lapsed());
  CHECK_FALSE(fence.check_write().ok());
}
