// `sluice apply RELEASE` over three clusters (three kubesims behind one merged
// kubeconfig) with the real docker-registry: two services in each cluster, in
// two waves. Given / when / then.
#include "scenario/engine/world.hpp"
#include "support/kubesim_clusters.hpp"
#include "support/prometheus_process.hpp"

#include <catch2/catch.hpp>

#include <yaml-cpp/yaml.h>

#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include "tree_paths.hpp"

namespace {

using sluice::scenario::Json;
using sluice::scenario::LocalRegistry;
using sluice::scenario::SluiceRun;
using sluice::test::Kubesim;
using sluice::test::KubesimClusters;

const std::vector<std::string> k_clusters = {"east", "west", "north"};
const std::vector<std::string> k_services = {"web", "api"};

sluice::test::KubesimOptions fast() {
  sluice::test::KubesimOptions o;
  o.sim_config = {{"timing", {{"controllerDelayMs", 2}, {"podDeleteMs", 5}, {"crashRestartMs", 30}}},
                  {"default", {{"startupMs", 30}}}};
  return o;
}

std::string sluice_binary() {
  const char* env = std::getenv("SLUICE_BIN");
  return env != nullptr ? env : std::string(SLUICE_BINARY_DIR) + "/sluice";
}

// Three clusters, each with Deployments and Services web and api (1 replica,
// image app:1) in namespace shop; the release record lives in east/releases.
class Regions {
 public:
  Regions() : clusters(k_clusters, fast()), kubeconfig(clusters.kubeconfig_path()) {
    old_image = registry.host() + "/app@" + registry.push("app", "1");
    for (const auto& name : k_clusters) {
      Kubesim& sim = clusters[name];
      sim.create_namespace("shop");
      for (const auto& service : k_services) {
        sim.create_deployment("shop", service, old_image, 1);
        sim.create_service("shop", service, {{"app", service}});
      }
    }
    clusters["east"].create_namespace("releases");
    for (const auto& service : k_services) write_plan(service);
  }

  std::string image(const std::string& tag) {
    registry.push("app", tag);
    return registry.host() + "/app:" + tag;
  }

  // app:TAG by digest, as the pods run it, with `behaviour` in `cluster`'s
  // simulation (kubesim keys an image's behaviour by that reference).
  std::string behave(const std::string& cluster, const std::string& tag, const Json& behaviour) {
    std::string pinned = registry.host() + "/app@" + registry.push("app", tag);
    auto set = clusters[cluster].control("PUT", "config", {{"images", {{pinned, behaviour}}}});
    REQUIRE(set.status == 200);
    return pinned;
  }

  void write_plan(const std::string& service) {
    std::ofstream(dir.file(service + ".yaml"))
        << "apiVersion: sluice/v1\nkind: Plan\nmetadata: {name: " << service
        << "}\ntarget: {deployment: " << service << ", service: " << service
        << "}\nprogressDeadline: 10s\nstrategy:\n  rolling: {maxSurge: 1, maxUnavailable: 0}\n";
  }

  // Wave `first`: both services in east; wave `rest`: both in west and north.
  std::string write_release(const std::string& image, const std::string& extra = "",
                            const std::string& third_wave = "") {
    std::string text = "apiVersion: sluice/v1\nkind: Release\nmetadata: {name: shop}\nimage: " + image +
                       "\nrecord: {context: east, namespace: releases}\n" + extra + "waves:\n";
    text += "  - name: first\n    maxParallel: 2\n    targets:\n";
    for (const auto& s : k_services)
      text += "      - {context: east, namespace: shop, plan: " + s + ".yaml}\n";
    text += "  - name: rest\n    maxParallel: 2\n    targets:\n";
    for (const auto& c : {"west", "north"})
      for (const auto& s : k_services)
        text += std::string("      - {context: ") + c + ", namespace: shop, plan: " + s + ".yaml}\n";
    text += third_wave;
    std::ofstream(dir.file("release.yaml")) << text;
    return dir.file("release.yaml");
  }

  std::vector<std::string> args(const std::vector<std::string>& verb_args) const {
    std::vector<std::string> all{"-o", "json", "--kubeconfig", kubeconfig};
    all.insert(all.end(), verb_args.begin(), verb_args.end());
    return all;
  }

  SluiceRun sluice(const std::vector<std::string>& verb_args) {
    auto r = sluice::test::run(sluice_binary(), args(verb_args), {}, std::chrono::seconds(90));
    SluiceRun out{r.exit_code, r.out, r.err, {}};
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      auto j = Json::parse(line, nullptr, false);
      if (!j.is_discarded()) out.events.push_back(j);
    }
    return out;
  }

  std::string template_image(const std::string& cluster, const std::string& service) {
    auto d = clusters[cluster].get_object("/apis/apps/v1/namespaces/shop/deployments/" + service);
    return d["spec"]["template"]["spec"]["containers"][0]["image"].get<std::string>();
  }

  // The image every ready endpoint of the Service runs, once they settle on one (up to 10 s).
  std::string serving_image(const std::string& cluster, const std::string& service) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      Json audit = clusters[cluster].audit();
      Json last;
      for (const auto& e : audit["serving"])
        if (e["kind"] == "Service" && e["name"] == service && e["namespace"] == "shop") last = e;
      if (!last.is_null() && last["state"]["ready"].size() == 1) return last["state"]["ready"].begin().key();
      if (std::chrono::steady_clock::now() >= deadline) return "";
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  int writes_since(const std::string& cluster, std::uint64_t since) {
    int writes = 0;
    Json log = clusters[cluster].audit(since);
    for (const auto& e : log["requests"]) {
      std::string verb = e.value("verb", "");
      if (verb == "create" || verb == "update" || verb == "patch" || verb == "delete") ++writes;
    }
    return writes;
  }
  std::uint64_t mark(const std::string& cluster) {
    return clusters[cluster].audit()["next"].get<std::uint64_t>();
  }

  LocalRegistry registry;
  KubesimClusters clusters;
  sluice::test::TempDir dir;
  std::string kubeconfig;
  std::string old_image;
};

std::string digest_of(const SluiceRun& run) {
  for (const auto& e : run.events) {
    std::string message = e.value("message", "");
    auto at = message.find(" is ");
    if (message.rfind("image ", 0) == 0 && at != std::string::npos)
      return message.substr(at + 4, message.find(';') - at - 4);
  }
  return "";
}

}  // namespace

TEST_CASE("a release over three clusters and two services in two waves deploys one digest everywhere",
          "[scenario][release]") {
  Regions regions;
  std::string release = regions.write_release(regions.image("2"));

  auto run = regions.sluice({"apply", release});

  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  std::string digest = digest_of(run);
  REQUIRE(digest.find("@sha256:") != std::string::npos);
  for (const auto& cluster : k_clusters) {
    for (const auto& service : k_services) {
      INFO(cluster << "/" << service);
      CHECK(regions.template_image(cluster, service) == digest);
      CHECK(regions.serving_image(cluster, service) == digest);
    }
  }
  // Every target's events name it.
  bool tagged = false;
  for (const auto& e : run.events) tagged = tagged || e.value("target", "") == "north/shop/api";
  CHECK(tagged);
}

TEST_CASE("a failure in wave 2 rolls back wave 1 with onFailure rollbackAll", "[scenario][release]") {
  Regions regions;
  std::string image = regions.image("2");
  // Only north's cluster crash-loops the new version (pods run it by digest).
  regions.behave("north", "2", {{"crashLoop", true}});
  std::string release = regions.write_release(image, "onFailure: rollbackAll\n");

  auto run = regions.sluice({"apply", release});

  INFO(run.out << run.err);
  CHECK(run.exit_code == 3);
  for (const auto& cluster : k_clusters) {
    for (const auto& service : k_services) {
      INFO(cluster << "/" << service);
      CHECK(regions.serving_image(cluster, service) == regions.old_image);
    }
  }
}

TEST_CASE("an unreachable cluster in wave 3 fails preflight: exit 6, nothing written anywhere",
          "[scenario][release]") {
  Regions regions;
  // A fourth context whose server is a closed loopback port.
  YAML::Node config = YAML::LoadFile(regions.kubeconfig);
  YAML::Node cluster, context;
  cluster["name"] = "gone";
  cluster["cluster"]["server"] = "http://127.0.0.1:" + std::to_string(sluice::testing::free_loopback_port());
  context["name"] = "gone";
  context["context"]["cluster"] = "gone";
  context["context"]["user"] = "east";
  config["clusters"].push_back(cluster);
  config["contexts"].push_back(context);
  regions.kubeconfig = regions.dir.file("kubeconfig");
  {
    YAML::Emitter out;
    out << config;
    std::ofstream(regions.kubeconfig) << out.c_str() << "\n";
  }
  std::string release = regions.write_release(
      regions.image("2"), "",
      "  - name: last\n    targets:\n      - {context: gone, namespace: shop, plan: web.yaml}\n");
  std::map<std::string, std::uint64_t> marks;
  for (const auto& c : k_clusters) marks[c] = regions.mark(c);

  auto run = regions.sluice({"apply", release});

  INFO(run.out << run.err);
  CHECK(run.exit_code == 6);
  REQUIRE(run.last() != nullptr);
  CHECK(run.last()->value("message", "").rfind("gone/shop/web: ", 0) == 0);
  for (const auto& c : k_clusters) {
    INFO(c);
    CHECK(regions.writes_since(c, marks[c]) == 0);
  }
}

TEST_CASE("a release check's Prometheus that does not answer fails preflight: exit 6, nothing written",
          "[scenario][release]") {
  // Found in review: only the targets' plans had their Prometheus probed, so
  // wave 1 rolled out and the release failed only at its first gate.
  Regions regions;
  const std::string address = "http://127.0.0.1:" + std::to_string(sluice::testing::free_loopback_port());
  std::string release = regions.write_release(
      regions.image("2"), "checks:\n  orders:\n    prometheus: {address: '" + address +
                              "', query: vector(0)}\n    successCondition: result < 0.01\n");
  std::map<std::string, std::uint64_t> marks;
  for (const auto& c : k_clusters) marks[c] = regions.mark(c);

  auto run = regions.sluice({"apply", release});

  INFO(run.out << run.err);
  CHECK(run.exit_code == 6);
  REQUIRE(run.last() != nullptr);
  CHECK(run.last()
            ->value("message", "")
            .rfind("release check orders: Prometheus at " + address + " unreachable: ", 0) == 0);
  for (const auto& c : k_clusters) {
    INFO(c);
    CHECK(regions.writes_since(c, marks[c]) == 0);
  }
}

TEST_CASE("the release's checks, read from a real Prometheus, stop it after wave 1 and roll wave 1 back",
          "[scenario][release][prometheus]") {
  // Given: east serves traffic scraped by Debian's Prometheus, and the new
  // version fails half its requests there (pods run it by digest); the
  // targets' own plans have no checks, so only the release's gate can see it.
  Regions regions;
  std::string image = regions.image("2");
  regions.behave("east", "2", {{"errorRate", 0.5}});
  Kubesim& east = regions.clusters["east"];
  REQUIRE(east.control("PUT", "traffic", {{"defaultRate", 100}}).status == 200);
  const int east_port = std::stoi(east.url().substr(east.url().rfind(':') + 1));
  sluice::testing::PrometheusProcess prometheus(east_port);
  const std::string checks =
      "checks:\n  errors:\n    prometheus:\n      address: " + prometheus.address() +
      "\n      query: sum(rate(kubesim_http_requests_total{namespace=\"shop\", code=\"500\"}[4s])) / "
      "sum(rate(kubesim_http_requests_total{namespace=\"shop\"}[4s]))\n"
      "    successCondition: result < 0.05\n    initialDelay: 4s\n    interval: 1s\n    count: 2\n";
  std::string release = regions.write_release(image, "onFailure: rollbackAll\n" + checks);
  std::map<std::string, std::uint64_t> marks;
  for (const auto& c : {"west", "north"}) marks[c] = regions.mark(c);

  // When
  auto run = regions.sluice({"apply", release});

  // Then: the gate after wave 1 failed on the measured error ratio, wave 2
  // never started, and east serves the old version again.
  INFO(run.out << run.err);
  CHECK(run.exit_code == 3);
  REQUIRE(run.last() != nullptr);
  const std::string message = run.last()->value("message", "");
  CHECK(message.rfind("after wave first: the release's checks did not pass: check 'errors': ", 0) == 0);
  CHECK(message.find("does not meet successCondition 'result < 0.05'") !=
        std::string::npos);  // a Failure, not an Error
  CHECK(message.find("every target done was rolled back") != std::string::npos);
  for (const auto& c : {"west", "north"}) {
    INFO(c);
    CHECK(regions.writes_since(c, marks[c]) == 0);
  }
  for (const auto& service : k_services) CHECK(regions.serving_image("east", service) == regions.old_image);
}

TEST_CASE("a release killed mid-way resumes: targets done are not redone", "[scenario][release]") {
  Regions regions;
  std::string image = regions.image("2");
  // West starts the new version slowly, so the kill lands while wave 2 runs.
  regions.behave("west", "2", {{"startupMs", 4000}});
  std::string release = regions.write_release(image);
  sluice::test::Process first(sluice_binary(), regions.args({"apply", release, "--lease-seconds", "2"}));
  REQUIRE(sluice::scenario::wait_for_event(first, [](const Json& e) {
    return e.value("type", "") == "rollout_started" && e.value("target", "").rfind("west/", 0) == 0;
  }));
  ::kill(first.pid(), SIGKILL);
  (void)first.wait(std::chrono::seconds(10));
  std::uint64_t east_mark = regions.mark("east");

  auto second = regions.sluice({"apply", release, "--lease-seconds", "2"});

  INFO(second.out << second.err);
  CHECK(second.exit_code == 0);
  bool wave_one_empty = false;
  for (const auto& e : second.events)
    wave_one_empty = wave_one_empty || e.value("message", "") == "wave 1 first: 0 target(s) to run";
  CHECK(wave_one_empty);
  // East's Deployments were not written again (only the release record and lock were).
  Json log = regions.clusters["east"].audit(east_mark);
  for (const auto& e : log["requests"]) {
    std::string verb = e.value("verb", "");
    if (verb != "create" && verb != "update" && verb != "patch") continue;
    CHECK(e.value("path", "").find("/deployments/") == std::string::npos);
  }
  for (const auto& cluster : k_clusters)
    for (const auto& service : k_services)
      CHECK(regions.template_image(cluster, service).find("@sha256:") != std::string::npos);
}

TEST_CASE("status and history of a release read its record from the context it names",
          "[scenario][release][status]") {
  Regions regions;
  std::string release = regions.write_release(regions.image("2"));
  auto text = [&](const std::vector<std::string>& verb) {
    std::vector<std::string> all{"--kubeconfig", regions.kubeconfig};
    all.insert(all.end(), verb.begin(), verb.end());
    return sluice::test::run(sluice_binary(), all, {}, std::chrono::seconds(30));
  };

  auto never = text({"status", release});
  CHECK(never.exit_code == 2);
  CHECK(never.err == "sluice status: no release named shop in namespace releases\n");
  auto never_history = text({"history", release});
  CHECK(never_history.exit_code == 2);
  CHECK(never_history.err == "sluice history: no release named shop in namespace releases\n");

  auto applied = regions.sluice({"apply", release});
  REQUIRE(applied.exit_code == 0);
  std::string digest = digest_of(applied);

  auto status = text({"status", release});
  INFO(status.out << status.err);
  CHECK(status.exit_code == 0);
  CHECK(status.out.rfind("release shop: Succeeded — every target serves " + digest + "\n", 0) == 0);
  CHECK(status.out.find("  target   rest         north/shop/api                   rolling    Done\n") !=
        std::string::npos);
  auto json = regions.sluice({"status", release});
  CHECK(json.exit_code == 0);
  REQUIRE(json.events.size() == 1);
  CHECK(json.events[0]["exitCode"] == 0);
  CHECK(json.events[0]["release"]["digest"] == digest);
  REQUIRE(json.events[0]["release"]["targets"].size() == 6);
  for (const auto& t : json.events[0]["release"]["targets"]) CHECK(t["outcome"] == "Done");

  // A second apply of the same release: history lists both runs, oldest first.
  REQUIRE(regions.sluice({"apply", release}).exit_code == 0);
  auto history = regions.sluice({"history", release});
  INFO(history.out << history.err);
  CHECK(history.exit_code == 0);
  REQUIRE(history.events.size() == 2);
  CHECK(history.events[0]["phase"] == "Succeeded");
  CHECK(history.events[1]["phase"] == "Succeeded");
  CHECK(history.events[1]["digest"] == digest);
  auto history_text = text({"history", release});
  CHECK(history_text.exit_code == 0);
  CHECK(history_text.out.find("Succeeded   ") == 0);
  CHECK(history_text.out.find(digest + "  6/6 target(s) done  — every target serves " + digest + "\n") !=
        std::string::npos);
}

TEST_CASE("abort of a running release aborts its targets in progress; the apply rolls back the rest",
          "[scenario][release][abort]") {
  Regions regions;
  std::string image = regions.image("2");
  // West starts the new version slowly, so the abort lands while wave 2 runs there.
  regions.behave("west", "2", {{"startupMs", 2000}});
  std::string release = regions.write_release(image, "onFailure: rollbackAll\n");
  sluice::test::Process apply(sluice_binary(), regions.args({"apply", release, "--lease-seconds", "2"}));
  REQUIRE(sluice::scenario::wait_for_event(apply, [](const Json& e) {
    return e.value("type", "") == "rollout_started" && e.value("target", "").rfind("west/", 0) == 0;
  }));

  auto abort = regions.sluice({"abort", release, "--lease-seconds", "2"});
  auto apply_exit = apply.wait(std::chrono::seconds(60));

  INFO(abort.out << abort.err);
  CHECK(abort.exit_code == 0);
  CHECK(apply_exit == std::optional<int>(3));
  for (const auto& cluster : k_clusters) {
    for (const auto& service : k_services) {
      INFO(cluster << "/" << service);
      CHECK(regions.serving_image(cluster, service) == regions.old_image);
    }
  }
  auto status = regions.sluice({"status", release});
  CHECK(status.exit_code == 3);
  REQUIRE(status.events.size() == 1);
  CHECK(status.events[0]["release"]["phase"] == "RolledBack");
  // Nothing left to abort afterwards.
  auto again = regions.sluice({"abort", release});
  CHECK(again.exit_code == 2);
  REQUIRE(again.last() != nullptr);
  CHECK(again.last()->value("message", "") == "release shop is RolledBack: nothing to abort");
}

TEST_CASE("onFailure hold leaves the targets done as they are and exits 4", "[scenario][release][hold]") {
  Regions regions;
  std::string image = regions.image("2");
  std::string pinned = regions.behave("north", "2", {{"crashLoop", true}});
  std::string release = regions.write_release(image, "onFailure: hold\n");

  auto run = regions.sluice({"apply", release});

  INFO(run.out << run.err);
  CHECK(run.exit_code == 4);
  // East (wave 1) keeps the new digest; north rolled itself back.
  for (const auto& service : k_services) {
    CHECK(regions.serving_image("east", service) == pinned);
    CHECK(regions.serving_image("north", service) == regions.old_image);
  }
  auto status = regions.sluice({"status", release});
  CHECK(status.exit_code == 4);
  REQUIRE(status.events.size() == 1);
  CHECK(status.events[0]["release"]["phase"] == "Held");
}

TEST_CASE("failures within a wave's failureBudget let the release go on", "[scenario][release][budget]") {
  Regions regions;
  std::string image = regions.image("2");
  std::string pinned = regions.behave("north", "2", {{"crashLoop", true}});
  // Wave rest has four targets; north's two fail, within a budget of 2; a third wave follows.
  std::string release = regions.write_release(
      image, "onFailure: rollbackAll\n",
      "  - name: last\n    targets:\n      - {context: west, namespace: shop, plan: extra.yaml}\n");
  std::string text;
  {
    std::ifstream in(release);
    std::stringstream all;
    all << in.rdbuf();
    text = all.str();
  }
  auto at = text.find("  - name: rest\n    maxParallel: 2\n");
  REQUIRE(at != std::string::npos);
  text.insert(at + std::string("  - name: rest\n    maxParallel: 2\n").size(), "    failureBudget: 2\n");
  std::ofstream(release) << text;
  regions.clusters["west"].create_deployment("shop", "extra", regions.old_image, 1);
  regions.clusters["west"].create_service("shop", "extra", {{"app", "extra"}});
  regions.write_plan("extra");

  auto run = regions.sluice({"apply", release});

  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  REQUIRE(run.last() != nullptr);
  CHECK(run.last()->value("message", "") == "release shop: every target serves " + digest_of(run) +
                                                " but 2 "
                                                "that failed within their wave's failureBudget");
  CHECK(regions.serving_image("west", "extra") == pinned);  // the wave after the budgeted failures ran
  for (const auto& service : k_services) {
    CHECK(regions.serving_image("east", service) == pinned);
    CHECK(regions.serving_image("north", service) == regions.old_image);
  }
  auto status = regions.sluice({"status", release});
  REQUIRE(status.events.size() == 1);
  int failed = 0;
  for (const auto& t : status.events[0]["release"]["targets"]) failed += t["outcome"] == "Failed" ? 1 : 0;
  CHECK(failed == 2);
}

TEST_CASE("two applies of one release: exactly one proceeds, the other exits 5",
          "[scenario][release][lock]") {
  Regions regions;
  std::string image = regions.image("2");
  regions.behave("west", "2", {{"startupMs", 8000}});
  std::string release = regions.write_release(image);
  sluice::test::Process first(sluice_binary(), regions.args({"apply", release}));
  REQUIRE(sluice::scenario::wait_for_event(first, [](const Json& e) {
    return e.value("type", "") == "rollout_started" && e.value("target", "").rfind("west/", 0) == 0;
  }));

  auto second = regions.sluice({"apply", release});
  auto first_exit = first.wait(std::chrono::seconds(60));

  INFO(second.out << second.err);
  CHECK(second.exit_code == 5);
  REQUIRE(second.last() != nullptr);
  CHECK(second.last()->value("message", "").rfind("rollout release.shop is locked by ", 0) == 0);
  CHECK(first_exit == std::optional<int>(0));
}

TEST_CASE("SIGINT during a release exits 130; the record says which targets were stopped",
          "[scenario][release][sigint]") {
  Regions regions;
  std::string image = regions.image("2");
  regions.behave("west", "2", {{"startupMs", 3000}});
  std::string release = regions.write_release(image);
  sluice::test::Process apply(sluice_binary(), regions.args({"apply", release, "--lease-seconds", "2"}));
  REQUIRE(sluice::scenario::wait_for_event(apply, [](const Json& e) {
    return e.value("type", "") == "rollout_started" && e.value("target", "").rfind("west/", 0) == 0;
  }));

  ::kill(apply.pid(), SIGINT);
  auto exit = apply.wait(std::chrono::seconds(30));

  CHECK(exit == std::optional<int>(130));
  auto status = regions.sluice({"status", release});
  CHECK(status.exit_code == 130);
  REQUIRE(status.events.size() == 1);
  CHECK(status.events[0]["release"]["phase"] == "Progressing");
  CHECK(status.events[0]["abandoned"] == true);
  // No target is left Running: each is Done, Stopped (its own record saved) or Pending.
  for (const auto& t : status.events[0]["release"]["targets"]) {
    INFO(t.dump());
    CHECK(t["outcome"] != "Running");
    if (t["outcome"] != "Stopped") continue;
    auto target = regions.sluice({"--context", t["context"].get<std::string>(), "status",
                                  t["rollout"].get<std::string>(), "-n", "shop"});
    CHECK(target.exit_code == 130);  // its own record: in progress, resumable
  }
  auto again = regions.sluice({"apply", release, "--lease-seconds", "2"});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
}
