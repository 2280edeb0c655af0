// Where a rollout is found, run with the real binary: -n/--context flags,
// SLUICE_NAMESPACE/SLUICE_CONTEXT, the plan's target, the kubeconfig
// context's namespace (docs/commands.md, "Namespace and context"); the
// commands sluice prints carry just the flags that reach the same rollout
// from the same shell; --timeout bounds apply and status --watch (exit 10).
#include "scenario/engine/world.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include "tree_paths.hpp"

using sluice::scenario::Json;
using sluice::scenario::wait_for_event;
using sluice::scenario::World;
using sluice::test::RunResult;

namespace {

std::string sluice_bin() {
  const char* env = std::getenv("SLUICE_BIN");
  return env != nullptr ? env : std::string(SLUICE_BINARY_DIR) + "/sluice";
}

// kubesim's kubeconfig (one context, `kubesim`, namespace default), with
// `extra` appended to its contexts and its context's namespace set to `ns`.
std::string kubeconfig(World& w, const std::string& ns, const std::string& extra = "") {
  std::ifstream in(w.sim.kubeconfig_path());
  std::string config((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  config.replace(config.find("namespace: default"), 18, "namespace: " + ns);
  config.insert(config.find("current-context:"), extra);
  return w.write_plan("kubeconfig-" + ns, config);
}

// A second context on the same cluster whose namespace is the world's.
std::string shop_context(const World& w) {
  return "- name: sim-shop\n  context:\n    cluster: kubesim\n    user: kubesim\n    namespace: " + w.ns +
         "\n";
}

// Runs `sluice -o json --kubeconfig <config> args...` with `env` ("K=V") added.
RunResult sluice_with(const std::string& config, const std::vector<std::string>& args,
                      const std::vector<std::string>& env = {}) {
  std::vector<std::string> all{"-o", "json", "--kubeconfig", config};
  all.insert(all.end(), args.begin(), args.end());
  return sluice::test::run(sluice_bin(), all, env, std::chrono::seconds(60));
}

// The `sluice ...` command quoted in the last event's message, e.g. "sluice rollback web -n shop".
std::string printed_command(const RunResult& run) {
  std::string last = run.out.substr(run.out.rfind('{'));
  std::string message = Json::parse(last).value("message", "");
  auto start = message.find("`sluice ");
  if (start == std::string::npos) return "";
  return message.substr(start + 1, message.find('`', start + 1) - start - 1);
}

std::vector<std::string> words(const std::string& command) {
  std::istringstream in(command);
  return {std::istream_iterator<std::string>(in), std::istream_iterator<std::string>()};
}

std::string without_namespace(std::string plan, const std::string& ns) {
  std::string line = "  namespace: " + ns + "\n";
  return plan.replace(plan.find(line), line.size(), "");
}

auto pause_started = [](const Json& e) {
  return e["type"] == "step_started" && e.value("stepName", "").find("Pause") != std::string::npos;
};

}  // namespace

TEST_CASE("a plan without target.namespace: every verb finds its rollout in the context's namespace") {
  // Given a kubeconfig whose context's namespace is the target's, and a plan that names none
  World w;
  std::string config = kubeconfig(w, w.ns);
  auto plan = w.write_plan("web.yaml", without_namespace(w.bluegreen_plan(w.image("web", "2"), false), w.ns));

  // When it is applied with no -n, it pauses there, and the printed command needs no -n
  auto applied = sluice_with(config, {"apply", plan});
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 4);
  CHECK(applied.out.find("waiting for `sluice promote web`") != std::string::npos);

  // Then status, promote, history, abort and rollback reach it without -n, and with -n
  CHECK(sluice_with(config, {"status", "web"}).exit_code == 4);
  CHECK(sluice_with(config, {"status", "web", "-n", w.ns}).exit_code == 4);
  auto elsewhere = sluice_with(config, {"status", "web", "-n", "default"});
  CHECK(elsewhere.exit_code == 2);
  CHECK(elsewhere.err == "sluice status: no rollout named web in namespace default\n");
  CHECK(sluice_with(config, {"promote", "web"}).exit_code == 0);
  CHECK(sluice_with(config, {"history", "web"}).exit_code == 0);
  auto abort = sluice_with(config, {"abort", "web"});
  CHECK(abort.exit_code == 2);
  CHECK(printed_command(abort) == "sluice rollback web");
  CHECK(sluice_with(config, {"rollback", "web"}).exit_code == 0);
  auto history = sluice_with(config, {"history", "web", "-n", w.ns});
  CHECK(history.exit_code == 0);
  CHECK(std::count(history.out.begin(), history.out.end(), '\n') == 2);
  CHECK(w.serving_image("web") == w.first_image);
}

TEST_CASE("printed commands carry -n and --context only where the shell's defaults miss the rollout") {
  // Given a healthy rollout in shop, and a kubeconfig whose current context `kubesim` has namespace
  // default while its context `sim-shop` has namespace shop
  World w;
  std::string config = kubeconfig(w, "default", shop_context(w));
  auto plan = w.write_plan("web.yaml", w.rolling_plan(w.image("web", "2")));
  REQUIRE(sluice_with(config, {"apply", plan}).exit_code == 0);

  // When `abort` finds nothing to abort and names `rollback` instead, from different shells
  auto hint = [&](const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    auto run = sluice_with(config, args, env);
    INFO(run.out << run.err);
    CHECK(run.exit_code == 2);
    return printed_command(run);
  };

  // Then the command names exactly the flags that shell needs
  CHECK(hint({"abort", "web", "-n", w.ns}) == "sluice rollback web -n shop");
  CHECK(hint({"abort", "web", "--context", "sim-shop"}) == "sluice rollback web --context sim-shop");
  CHECK(hint({"abort", "web"}, {"SLUICE_CONTEXT=sim-shop"}) == "sluice rollback web");
  CHECK(hint({"abort", "web"}, {"SLUICE_NAMESPACE=shop"}) == "sluice rollback web");
  CHECK(hint({"abort", "web", "--context", "kubesim", "-n", w.ns}, {"SLUICE_CONTEXT=sim-shop"}) ==
        "sluice rollback web -n shop --context kubesim");
  // and a flag beats its variable
  CHECK(hint({"abort", "web", "-n", w.ns}, {"SLUICE_NAMESPACE=nowhere"}) == "sluice rollback web -n shop");

  // When a plan chooses the context (and through it the namespace) and pauses
  std::string text = without_namespace(w.bluegreen_plan(w.image("web", "3"), false), w.ns);
  text.replace(text.find("  deployment:"), 0, "  context: sim-shop\n");
  auto paused = sluice_with(config, {"apply", w.write_plan("web-ctx.yaml", text)});
  REQUIRE(paused.exit_code == 4);

  // Then the printed promote names the context, and run as printed it reaches the rollout
  std::string promote = printed_command(paused);
  CHECK(promote == "sluice promote web --context sim-shop");
  auto args = words(promote);
  args.erase(args.begin());
  CHECK(sluice_with(config, args).exit_code == 0);
  CHECK(sluice_with(config, {"status", "web", "--context", "sim-shop"}).exit_code == 0);
}

TEST_CASE("apply --timeout stops a rollout as SIGINT does: exit 10, saved, lock released, resumable") {
  // Given a canary plan with a long pause at 50%
  World w(4);
  auto plan = w.write_plan(
      "web.yaml", w.canary_plan(w.image("web", "2"),
                                "    steps:\n      - setWeight: 50\n      - pause: {duration: 10m}\n"));

  // When it is applied with a timeout far shorter than the pause
  auto run = w.sluice({"apply", plan, "--timeout", "5s"}, std::chrono::seconds(60));

  // Then it exits 10 saying why, the lock is released and the record still in progress
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 10);
  CHECK((*run.last())["message"] == "interrupted (--timeout 5s ran out)");
  CHECK((*run.last())["meaning"] ==
        "--timeout ran out; state saved, lock released: `sluice apply` again resumes, `sluice abort` rolls "
        "back");
  CHECK(w.sim.get("/apis/coordination.k8s.io/v1/namespaces/" + w.ns + "/leases/sluice-web").status == 404);
  auto status = w.sluice({"status", "web", "-n", w.ns});
  CHECK(status.exit_code == 130);  // abandoned: no process runs it
  CHECK(status.events.back()["rollout"]["phase"] == "Progressing");
  // and abort takes it back to the stable version
  CHECK(w.sluice({"abort", "web", "-n", w.ns}).exit_code == 0);
  CHECK(w.serving_image("web") == w.first_image);
}

TEST_CASE("status --watch --timeout stops watching a rollout that has not settled: exit 10") {
  // Given a canary that a CI job is running, in a long pause at 50%
  World w(4);
  auto plan = w.write_plan(
      "web.yaml", w.canary_plan(w.image("web", "2"),
                                "    steps:\n      - setWeight: 50\n      - pause: {duration: 10m}\n"));
  auto* ci = w.start_sluice({"apply", plan, "--lease-seconds", "5"});
  REQUIRE(wait_for_event(*ci, pause_started));

  // When status watches it with a timeout
  auto watched = w.sluice({"status", "web", "-n", w.ns, "--watch", "--timeout", "2s"});

  // Then the watch ends with 10, and the rollout goes on under its process
  CHECK(watched.exit_code == 10);
  CHECK(watched.err == "sluice status: --timeout 2s ran out before web settled\n");
  CHECK(ci->running());
  CHECK(w.sluice({"abort", "web", "-n", w.ns, "--lease-seconds", "5"}).exit_code == 0);
  auto ci_exit = ci->wait(std::chrono::seconds(20));
  REQUIRE(ci_exit.has_value());
  CHECK(*ci_exit == 3);
}

TEST_CASE("the abandoned-rollout note and the different-plan refusal name the rollout and its -n") {
  // Given a canary in shop left in progress by a run its --timeout stopped, and a shell whose
  // default namespace is `default`
  World w(4);
  std::string config = kubeconfig(w, "default");
  std::string text = w.canary_plan(w.image("web", "2"),
                                   "    steps:\n      - setWeight: 50\n      - pause: {duration: 10m}\n");
  auto plan = w.write_plan("web.yaml", text);
  auto run = sluice_with(config, {"apply", plan, "--timeout", "5s"});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 10);

  // When status is read as text
  auto status = sluice::test::run(sluice_bin(), {"--kubeconfig", config, "status", "web", "-n", w.ns}, {},
                                  std::chrono::seconds(60));
  INFO(status.out << status.err);
  CHECK(status.exit_code == 130);

  // Then its note says which plan resumes it and which rollout abort rolls back, with -n
  CHECK(status.out.find("  note     no process is running this rollout: `sluice apply " + plan +
                        " -n shop` resumes it, `sluice abort web -n shop` rolls it back\n") !=
        std::string::npos);

  // When a different plan for the same rollout is applied
  auto other = sluice_with(config, {"apply", w.write_plan("web-other.yaml", text + "# another plan\n")});
  INFO(other.out << other.err);
  CHECK(other.exit_code == 2);

  // Then the refusal names the abort that reaches the recorded rollout
  CHECK(printed_command(other) == "sluice abort web -n shop");
}
