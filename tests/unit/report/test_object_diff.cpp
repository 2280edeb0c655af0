// Issue 17: the object diff `sluice diff` prints (report/object_diff.hpp):
// kubectl diff's view of live vs dry-run answer, without server bookkeeping
// and without credential-looking env values.
#include <sluice/report/object_diff.hpp>

#include <catch2/catch.hpp>

#include <sstream>

using namespace sluice::report;

namespace {

Json deployment(const std::string& image) {
  return {
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata",
       {{"name", "web"},
        {"namespace", "shop"},
        {"resourceVersion", image == "a" ? "7" : "8"},
        {"generation", image == "a" ? 1 : 2},
        {"uid", "u-1"},
        {"creationTimestamp", "2026-01-01T00:00:00Z"},
        {"managedFields", Json::array({{{"manager", "kubectl"}}})}}},
      {"spec",
       {{"replicas", 3}, {"template", {{"spec", {{"containers", {{{"name", "web"}, {"image", image}}}}}}}}}},
      {"status", {{"replicas", 3}}}};
}

}  // namespace

TEST_CASE("object diff: a changed image is one hunk, bookkeeping fields left out", "[report][dryrun]") {
  ObjectChange change{"Deployment", "shop", "web", ChangeAction::update, deployment("a"), deployment("b")};
  CHECK(unified_diff(change) ==
        "--- Deployment shop/web (live)\n"
        "+++ Deployment shop/web (dry run)\n"
        "@@ -8,5 +8,5 @@\n"
        "   template:\n"
        "     spec:\n"
        "       containers:\n"
        "-      - image: a\n"
        "+      - image: b\n"
        "         name: web\n");
}

TEST_CASE("object diff: the same object after bookkeeping is no diff", "[report][dryrun]") {
  Json after = deployment("a");
  after["metadata"]["resourceVersion"] = "99";
  after["status"]["replicas"] = 5;
  CHECK(unified_diff({"Deployment", "shop", "web", ChangeAction::update, deployment("a"), after}).empty());
}

TEST_CASE("object diff: a create says new object and adds every line", "[report][dryrun]") {
  Json svc = {
      {"kind", "Service"}, {"metadata", {{"name", "web-canary"}}}, {"spec", {{"ports", Json::array()}}}};
  CHECK(unified_diff({"Service", "shop", "web-canary", ChangeAction::create, Json(), svc}) ==
        "--- Service shop/web-canary (new object)\n"
        "+++ Service shop/web-canary (dry run)\n"
        "@@ -0,0 +1,5 @@\n"
        "+kind: Service\n"
        "+metadata:\n"
        "+  name: web-canary\n"
        "+spec:\n"
        "+  ports: []\n");
}

TEST_CASE("object diff: env values that read as credentials are redacted", "[report][dryrun]") {
  Json dep = deployment("a");
  dep["spec"]["template"]["spec"]["containers"][0]["env"] = {
      {{"name", "API_TOKEN"}, {"value", "s3cr3t"}},
      {{"name", "UPSTREAM_AUTH"}, {"value", "Bearer abc"}},
      {{"name", "LOG_LEVEL"}, {"value", "debug"}},
      {{"name", "DB_PASSWORD"}, {"valueFrom", {{"secretKeyRef", {{"name", "db"}, {"key", "pw"}}}}}}};
  std::string diff = unified_diff({"Deployment", "shop", "web", ChangeAction::create, Json(), dep});
  CHECK(diff.find("s3cr3t") == std::string::npos);
  CHECK(diff.find("abc") == std::string::npos);
  CHECK(diff.find("value: \"<redacted>\"") != std::string::npos);
  CHECK(diff.find("value: debug") != std::string::npos);
  CHECK(diff.find("name: db") != std::string::npos);  // a reference names no secret value
}

TEST_CASE("object diff: strings YAML would misread are quoted", "[report][dryrun]") {
  Json obj = {{"a", "true"}, {"b", "80"}, {"c", ""}, {"d", "x: y"}, {"e", "plain-text"}, {"f", 80}};
  CHECK(object_lines(obj) == std::vector<std::string>{"a: \"true\"", "b: \"80\"", "c: \"\"", "d: \"x: y\"",
                                                      "e: plain-text", "f: 80"});
}

TEST_CASE("object diff: text output prints each diff as is and other events as plain lines",
          "[report][dryrun]") {
  std::ostringstream out;
  auto printer = make_diff_printer(out);
  printer->emit(diff_event(
      "web", {"Deployment", "shop", "web", ChangeAction::update, deployment("a"), deployment("b")}));
  Event done{EventType::finished, "web", 0, 0, "", "dry run: 1 object would change", {{"exitCode", 0}}};
  printer->emit(done);
  CHECK(out.str().rfind("--- Deployment shop/web (live)\n", 0) == 0);
  CHECK(out.str().find("\ndry run: 1 object would change\n") != std::string::npos);
  std::ostringstream failed;
  auto failing = make_diff_printer(failed);
  failing->emit(Event{EventType::info, "web", 0, 0, "", "preflight: Deployment shop/web does not exist", {}});
  failing->emit(
      Event{EventType::finished, "web", 0, 0, "", "Deployment shop/web does not exist", {{"exitCode", 6}}});
  CHECK(failed.str() == "preflight: Deployment shop/web does not exist\n");
}
