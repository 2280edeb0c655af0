// Many Deployments at once: the controllers keep up without work that grows
// with the number of objects per event. The full size (200 Deployments x 10
// replicas = 2,000 pods) is tagged [.scale] and run by hand:
//   unit_tests "[.scale]" -d yes
#include "test_controller_harness.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <mutex>

using namespace kubesim_test;

namespace {

// Progress is tracked from store events, not by listing: a list copies every
// object under the store's lock and would itself slow the cluster down.
void roll_out_many(int deployments, int replicas, std::chrono::milliseconds limit) {
  Cluster cluster(50);
  std::mutex mutex;
  std::map<std::string, std::string> done_with;  // Deployment -> image it finished rolling out
  long long pods = 0;
  auto observation = cluster.observe([&](const kubesim::WatchEvent& event) {
    std::lock_guard lock(mutex);
    if (event.resource == "pods" && event.type != "MODIFIED") pods += event.type == "ADDED" ? 1 : -1;
    if (event.resource != "deployments.apps") return;
    std::string image = event.object["spec"]["template"]["spec"]["containers"][0]["image"];
    done_with[event.object["metadata"]["name"]] = rollout_done(event.object) ? image : "";
  });
  auto all_done = [&](const std::string& image) {
    std::lock_guard lock(mutex);
    if (pods != deployments * replicas || done_with.size() != static_cast<std::size_t>(deployments))
      return false;
    for (const auto& [name, finished] : done_with) {
      if (finished != image) return false;
    }
    return true;
  };
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < deployments; ++i) {
    REQUIRE(
        cluster.store.create("deployments.apps", deployment("app" + std::to_string(i), "web:1", replicas)));
  }
  REQUIRE(cluster.wait_for([&] { return all_done("web:1"); }, limit));
  auto created = std::chrono::steady_clock::now();
  for (int i = 0; i < deployments; ++i) {
    cluster.change("deployments.apps", "app" + std::to_string(i),
                   [](Json& d) { d["spec"]["template"]["spec"]["containers"][0]["image"] = "web:2"; });
  }
  REQUIRE(cluster.wait_for([&] { return all_done("web:2"); }, limit));
  auto updated = std::chrono::steady_clock::now();
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  WARN(deployments << " Deployments x " << replicas << " replicas: created and available in "
                   << duration_cast<milliseconds>(created - started).count()
                   << " ms, all rolled to a new image in "
                   << duration_cast<milliseconds>(updated - created).count() << " ms");
}

}  // namespace

TEST_CASE("20 Deployments roll out and update together", "[controllers]") {
  roll_out_many(20, 5, 30s);
}

TEST_CASE("200 Deployments with 2,000 pods roll out and update", "[.scale]") {
  roll_out_many(200, 10, 120s);
}
