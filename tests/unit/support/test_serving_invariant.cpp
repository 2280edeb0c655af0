// The serving-invariant helper the scenario and faults tiers rely on: it must
// catch a dip in ready endpoints, or every rollout test using it proves nothing.
#include "support/serving_invariant.hpp"

#include <catch2/catch.hpp>

using nlohmann::json;
using sluice::test::serving_violations;

namespace {

json service_record(int seq, const std::string& name, int v1, int v2) {
  json ready = json::object();
  if (v1 > 0) ready["web:1"] = v1;
  if (v2 > 0) ready["web:2"] = v2;
  return {{"kind", "Service"},
          {"namespace", "shop"},
          {"name", name},
          {"seq", seq},
          {"time", "2026-11-28T01:30:05.123Z"},
          {"state", {{"ready", ready}, {"readyTotal", v1 + v2}}}};
}

json audit_of(std::vector<json> serving) {
  return {{"requests", json::array()}, {"serving", serving}, {"next", 100}};
}

}  // namespace

TEST_CASE("serving invariant: a rollout that kept every endpoint ready passes") {
  auto audit = audit_of({service_record(1, "web", 3, 0), service_record(2, "web", 3, 1),
                         service_record(3, "web", 2, 1), service_record(4, "web", 0, 3)});

  CHECK(serving_violations(audit, "shop", "web", 3).empty());
}

TEST_CASE("serving invariant: ready endpoints below the floor are reported with their moment") {
  auto audit = audit_of(
      {service_record(1, "web", 3, 0), service_record(2, "web", 2, 0), service_record(3, "web", 2, 1)});

  auto violations = serving_violations(audit, "shop", "web", 3);

  REQUIRE(violations.size() == 1);
  CHECK(violations[0] ==
        "seq 2 at 2026-11-28T01:30:05.123Z: 2 ready endpoints ({\"web:1\":2}), below the floor of 3");
}

TEST_CASE("serving invariant: no ready endpoint at all is a violation even with a floor of 0") {
  auto audit = audit_of({service_record(7, "web", 0, 0)});

  auto violations = serving_violations(audit, "shop", "web", 0);

  REQUIRE(violations.size() == 1);
  CHECK(violations[0] == "seq 7 at 2026-11-28T01:30:05.123Z: no ready endpoint");
}

TEST_CASE("serving invariant: only the named Service in the named namespace counts") {
  auto other = service_record(2, "web-preview", 0, 0);
  auto elsewhere = service_record(3, "web", 0, 0);
  elsewhere["namespace"] = "other";
  json deployment{
      {"kind", "Deployment"}, {"namespace", "shop"}, {"name", "web"}, {"seq", 4}, {"state", {{"ready", 0}}}};
  auto audit = audit_of({service_record(1, "web", 3, 0), other, elsewhere, deployment});

  CHECK(serving_violations(audit, "shop", "web", 3).empty());
}
