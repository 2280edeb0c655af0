#include "support/serving_invariant.hpp"

#include <catch2/catch.hpp>

namespace sluice::test {

namespace {

// The last writes before audit entry `seq`: what moved the endpoints.
std::string writes_before(const nlohmann::json& audit, int seq) {
  std::vector<std::string> lines;
  for (const auto& r : audit.value("requests", nlohmann::json::array())) {
    if (r.value("seq", 0) >= seq) break;
    const std::string verb = r.value("verb", r.value("method", ""));
    if (verb == "get" || verb == "list" || verb == "watch" || verb == "GET") continue;
    lines.push_back(r.dump());
  }
  std::string text;
  for (std::size_t i = lines.size() > 4 ? lines.size() - 4 : 0; i < lines.size(); ++i)
    text += "\n      after " + lines[i];
  return text;
}

}  // namespace

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
                  std::to_string(floor) + writes_before(audit, e.value("seq", 0)));
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
