#include <sluice/report/status.hpp>

#include <catch2/catch.hpp>

#include <sstream>

using namespace sluice;

namespace {

state::HistoryEntry entry(int id, state::RecordPhase phase, const std::string& message) {
  state::HistoryEntry e;
  e.rollout_id = id;
  e.phase = phase;
  e.digest = "sha256:abc";
  e.finished_at = "2026-01-01T00:00:00Z";
  e.started_by = "host/pid 7";
  e.message = message;
  return e;
}

}  // namespace

TEST_CASE("print_history shows one line per finished rollout, oldest first") {
  std::ostringstream out;
  report::print_history({entry(1, state::RecordPhase::healthy, ""),
                         entry(2, state::RecordPhase::rolled_back, "errors too high")},
                        out, false);
  CHECK(out.str() ==
        "#1    Healthy     2026-01-01T00:00:00Z  sha256:abc  by host/pid 7\n"
        "#2    RolledBack  2026-01-01T00:00:00Z  sha256:abc  by host/pid 7  — errors too high\n");
}

TEST_CASE("print_history in JSON leaves the pod template out") {
  auto e = entry(3, state::RecordPhase::healthy, "");
  e.version.template_spec = nlohmann::json{{"spec", "big"}};
  std::ostringstream out;
  report::print_history({e}, out, true);
  auto line = nlohmann::json::parse(out.str());
  CHECK(line["rolloutId"] == 3);
  CHECK_FALSE(line["version"].contains("template"));
}

// Used to throw (and exit 1) in JSON: it erased planText from a null "rollout".
TEST_CASE("print_status without a record says so, in text and JSON") {
  state::StatusView view;
  view.exit_code = 0;
  std::ostringstream text, json;
  report::print_status(view, text, false);
  report::print_status(view, json, true);
  CHECK(text.str() == "no rollout recorded\n");
  auto j = nlohmann::json::parse(json.str());
  CHECK(j["exitCode"] == 0);
  CHECK(j["lockHolder"] == "");
}
