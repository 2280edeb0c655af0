// The httpRoute director's reading and writing of region weights.
#include <sluice/drill/route_weights.hpp>

#include <catch2/catch.hpp>

using nlohmann::json;
using sluice::drill::route_weights;
using sluice::drill::set_route_weights;
using Weights = std::map<std::string, int>;

namespace {

const sluice::drill::RegionBackends k_backends = {{"eu", "web-eu"}, {"us", "web-us"}};

json route() {
  return json::parse(R"({"spec": {"rules": [
      {"matches": [{"path": {"type": "PathPrefix", "value": "/admin"}}], "backendRefs": [{"name": "admin", "port": 80}]},
      {"backendRefs": [{"name": "web-eu", "port": 80, "weight": 70}, {"name": "web-us", "port": 80}]}]}})");
}

}  // namespace

TEST_CASE("a route's region weights are read from the first rule naming them", "[drill]") {
  auto weights = route_weights(route(), k_backends);
  REQUIRE(weights);
  CHECK(*weights == Weights{{"eu", 70}, {"us", 1}});
}

TEST_CASE("a route lacking a region's backend is refused with why", "[drill]") {
  json partial = route();
  partial["spec"]["rules"][1]["backendRefs"].erase(1);
  auto weights = route_weights(partial, k_backends);
  REQUIRE_FALSE(weights);
  CHECK(weights.error().message == "region 'us' has no backendRef named 'web-us' beside the other regions'");
  auto none = route_weights(json::parse(R"({"spec": {"rules": []}})"), k_backends);
  REQUIRE_FALSE(none);
  CHECK(none.error().message == "no rule has a backendRef of any region");
}

TEST_CASE("setting region weights changes only the regions' backendRefs", "[drill]") {
  json changed = route();
  CHECK(set_route_weights(changed, k_backends, {{"eu", 0}, {"us", 100}}) == 2);
  CHECK(changed["spec"]["rules"][1]["backendRefs"][0]["weight"] == 0);
  CHECK(changed["spec"]["rules"][1]["backendRefs"][1]["weight"] == 100);
  CHECK(changed["spec"]["rules"][0] == route()["spec"]["rules"][0]);
  CHECK(set_route_weights(changed, k_backends, {{"eu", 0}, {"us", 100}}) == 0);
}
