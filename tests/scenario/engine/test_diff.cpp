// Issue 17: `sluice diff` and `apply --dry-run` with the real binary: the diff
// of apply's first step from a server-side dry run, in text and as -o json
// events, the exit codes, and from kubesim's audit that every write carried
// dryRun and nothing was stored (no lock, no record, the image unchanged).
#include "scenario/engine/world.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>

using sluice::scenario::Json;
using sluice::scenario::SluiceRun;
using sluice::scenario::World;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The writes kubesim logged since `mark`, and how many of them were dry runs.
std::pair<int, int> writes_and_dry_runs(World& w, std::uint64_t mark) {
  int writes = 0;
  int dry = 0;
  Json log = w.sim.audit(mark);  // kept: a range-for over a temporary's member would dangle
  for (const auto& e : log["requests"]) {
    std::string verb = e.value("verb", "");
    if (verb != "create" && verb != "update" && verb != "patch" && verb != "delete") continue;
    ++writes;
    dry += e.value("dryRun", false) ? 1 : 0;
  }
  return {writes, dry};
}

std::vector<Json> events_of(const SluiceRun& run, const std::string& type) {
  std::vector<Json> found;
  for (const auto& e : run.events)
    if (e.value("type", "") == type) found.push_back(e);
  return found;
}

// `sluice` without `-o json`: the text a person reads.
sluice::test::RunResult sluice_text(World& w, const std::vector<std::string>& args) {
  const char* bin = std::getenv("SLUICE_BIN");
  std::vector<std::string> all{"--kubeconfig", w.kubeconfig};
  all.insert(all.end(), args.begin(), args.end());
  return sluice::test::run(bin != nullptr ? bin : "sluice", all, {}, std::chrono::seconds(60));
}

}  // namespace

TEST_CASE("diff and apply --dry-run show the first step's change and write nothing", "[dryrun][rolling]") {
  World w;  // given web running web:1 and web:2 in the registry
  std::string next = w.image("web", "2");
  auto plan = w.write_plan("web.yaml", w.rolling_plan(next));
  std::string before = w.deployment("web")["metadata"]["resourceVersion"];
  auto mark = w.audit_mark();

  SECTION("diff -o json: one diff event naming the new digest, exit 0; 11 with --exit-code") {
    auto run = w.sluice({"diff", plan});
    INFO(run.out + run.err);
    CHECK(run.exit_code == 0);
    auto diffs = events_of(run, "diff");
    REQUIRE(diffs.size() == 1);
    CHECK(diffs[0]["kind"] == "Deployment");
    CHECK(diffs[0]["namespace"] == "shop");
    CHECK(diffs[0]["name"] == "web");
    CHECK(diffs[0]["action"] == "update");
    std::string digest = w.registry.host() + "/web@sha256:";
    // quoted: a plain YAML scalar cannot start with a digit
    CHECK(contains(diffs[0]["diff"], "\n-      - image: \"" + w.first_image + "\"\n"));
    CHECK(contains(diffs[0]["diff"], "\n+      - image: \"" + digest));
    REQUIRE(run.last() != nullptr);
    CHECK((*run.last())["type"] == "finished");
    CHECK((*run.last())["outcome"] == "Unchanged");
    CHECK(w.sluice({"diff", plan, "--exit-code"}).exit_code == 11);
  }
  SECTION("diff as text: the unified diff itself, then a summary line") {
    auto run = sluice_text(w, {"diff", plan});
    INFO(run.out + run.err);
    CHECK(run.exit_code == 0);
    CHECK(run.out.rfind("--- Deployment shop/web (live)\n+++ Deployment shop/web (dry run)\n@@ ", 0) == 0);
    CHECK(contains(run.out,
                   "\ndry run: apply's first step would change 1 object (update Deployment web); "
                   "nothing was changed\n"));
  }
  SECTION("apply --dry-run -o json: the same diff event, no rollout started, exit 0") {
    auto run = w.sluice({"apply", plan, "--dry-run"});
    INFO(run.out + run.err);
    CHECK(run.exit_code == 0);
    CHECK(events_of(run, "diff").size() == 1);
    CHECK(events_of(run, "rollout_started").empty());
    CHECK(events_of(run, "step_started").empty());
  }
  // then nothing was stored: every write a dry run, no lock, no record, web unchanged
  auto [writes, dry] = writes_and_dry_runs(w, mark);
  CHECK(writes > 0);
  CHECK(dry == writes);
  CHECK(w.deployment("web")["metadata"]["resourceVersion"] == before);
  CHECK(w.sim.get("/api/v1/namespaces/shop/configmaps/sluice-web").status == 404);
  CHECK(w.sim.get("/apis/coordination.k8s.io/v1/namespaces/shop/leases/sluice-web").status == 404);
}

TEST_CASE("diff of the image already live says no change and exits 0, even with --exit-code",
          "[dryrun][rolling]") {
  World w;
  auto plan = w.write_plan("web.yaml", w.rolling_plan(w.first_image));
  auto run = w.sluice({"diff", plan, "--exit-code"});
  CHECK(run.exit_code == 0);
  CHECK(events_of(run, "diff").empty());
  REQUIRE(run.last() != nullptr);
  CHECK((*run.last())["message"] == "no change: web already runs " + w.first_image);
}

TEST_CASE("diff against an unreachable cluster exits 6 with one line", "[dryrun]") {
  World w(1);
  std::string kubeconfig = w.dir.path() + "/unreachable.kubeconfig";
  std::ofstream(kubeconfig)
      << "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "
         "'http://127.0.0.1:1'}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\n"
         "current-context: c\nusers:\n- name: u\n  user: {token: t}\n";
  auto plan = w.write_plan("web.yaml", w.rolling_plan(w.image("web", "2")));
  w.kubeconfig = kubeconfig;
  auto run = sluice_text(w, {"diff", plan});
  INFO(run.out + run.err);
  CHECK(run.exit_code == 6);
  CHECK(run.out.rfind("preflight: reading Deployment shop/web: ", 0) == 0);
  CHECK(std::count(run.out.begin(), run.out.end(), '\n') == 1);
}
