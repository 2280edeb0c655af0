#include "support/serving_invariant.hpp"

#include <catch2/catch.hpp>

namespace sluice::test {

std::vector<std::string> serving_violations(const nlohmann::json& audit, const std::string& ns,
                                            const std::string& service, int floor) {
  std::vector<std::string> out;
  for (const auto& e : audit.value("serving", nlohmann::json::array())) {
    if (e.value("kind", "") != "Service" || e.value("namespace", "") != ns || e.value("name", "") != service)
      continue;
    const auto state = e.value("state", nlohmann::json::object());
    int total = state.value("readyTotal", 0);
    if (total >= floor && total > 0) continue;
    std::string moment = "seq " + std::to_string(e.value("seq", 0)) + " at " + e.value("time", "?") + ": ";
    if (total == 0) {
      out.push_back(moment + "no ready endpoint");
      continue;
    }
    out.push_back(moment + std::to_string(total) + " ready endpoints (" +
                  state.value("ready", nlohmann::json::object()).dump() + "), below the floor of " +
                  std::to_string(floor));
  }
  return out;
}

void expect_serving_invariant(const nlohmann::json& audit, const std::string& ns, const std::string& service,
                              int floor) {
  auto violations = serving_violations(audit, ns, service, floor);
  std::string listed;
  for (const auto& v : violations) listed += "\n  " + v;
  INFO("serving invariant of service " << ns << "/" << service << " (floor " << floor << "):" << listed);
  CHECK(violations.empty());
}

}  // namespace sluice::test
