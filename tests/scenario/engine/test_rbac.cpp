// sluice with only the permissions deploy/rbac.yaml grants: kubesim with RBAC
// on, a ServiceAccount token bound to that Role, the real sluice binary.
#include "scenario/engine/world.hpp"
#include "tree_paths.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>

using sluice::scenario::Json;
using sluice::scenario::World;

namespace {

const std::string k_admin_token = "scenario-admin";

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Applies `manifest` (deploy/rbac.yaml unless given) into the world's namespace
// (as the admin) and points sluice at a kubeconfig holding a token of the
// `sluice` ServiceAccount.
void run_as_sluice_service_account(World& w, const std::string& manifest = std::string(SLUICE_SOURCE_DIR) +
                                                                           "/deploy/rbac.yaml") {
  auto applied = sluice::test::run(
      "/usr/bin/kubectl", {"--kubeconfig", w.sim.kubeconfig_path(), "-n", w.ns, "apply", "-f", manifest});
  REQUIRE(applied.exit_code == 0);
  auto token = w.sim.request("POST", "/api/v1/namespaces/" + w.ns + "/serviceaccounts/sluice/token",
                             {{"apiVersion", "authentication.k8s.io/v1"}, {"kind", "TokenRequest"}});
  REQUIRE(token.status == 201);
  const std::string config = std::regex_replace(read_text(w.sim.kubeconfig_path()), std::regex(k_admin_token),
                                                token.body["status"]["token"].get<std::string>());
  w.kubeconfig = w.dir.path() + "/sluice-sa.kubeconfig";
  std::ofstream(w.kubeconfig) << config;
}

// API calls since `mark` that kubesim refused with 403, as "VERB PATH".
std::vector<std::string> forbidden_calls(World& w, std::uint64_t mark) {
  std::vector<std::string> out;
  const Json log = w.sim.audit(mark);
  for (const auto& r : log["requests"]) {
    if (r["status"] == 403) out.push_back(r["verb"].get<std::string>() + " " + r["path"].get<std::string>());
  }
  return out;
}

int successful_writes(World& w, std::uint64_t mark) {
  int writes = 0;
  const Json log = w.sim.audit(mark);
  for (const auto& r : log["requests"]) {
    const std::string verb = r["verb"];
    const bool write = verb == "create" || verb == "update" || verb == "patch" || verb == "delete" ||
                       verb == "deletecollection";
    if (write && r["status"].get<int>() < 400) ++writes;
  }
  return writes;
}

}  // namespace

TEST_CASE("rbac: with deploy/rbac.yaml alone sluice rolls out, reports status and rolls back", "[rbac]") {
  // Given kubesim with RBAC and sluice holding a ServiceAccount token bound only to the shipped Role
  World w(3, k_admin_token);
  run_as_sluice_service_account(w);
  const auto mark = w.audit_mark();

  // When sluice checks the plan's target, runs a rolling rollout, asks for its status and rolls back
  auto plan = w.write_plan("web.yaml", w.rolling_plan(w.image("web", "2")));
  auto doctor = w.sluice({"doctor", plan});
  auto applied = w.sluice({"apply", plan});
  auto status = w.sluice({"status", "web", "-n", w.ns});
  auto back = w.sluice({"rollback", "web", "-n", w.ns});

  // Then every command succeeds and RBAC refused nothing
  CHECK(doctor.exit_code == 0);
  CHECK(applied.exit_code == 0);
  CHECK(status.exit_code == 0);
  CHECK(back.exit_code == 0);
  CHECK(forbidden_calls(w, mark).empty());
  CHECK(w.serving_image("web") == w.first_image);
}

TEST_CASE("rbac: with deploy/rbac.yaml alone sluice runs a blue-green rollout and aborts it", "[rbac]") {
  World w(3, k_admin_token);
  run_as_sluice_service_account(w);
  const auto mark = w.audit_mark();

  auto plan = w.write_plan("web.yaml", w.bluegreen_plan(w.image("web", "2"), false));
  auto paused = w.sluice({"apply", plan});
  auto aborted = w.sluice({"abort", "web", "-n", w.ns});
  auto finished = w.sluice({"apply", w.write_plan("web3.yaml", w.bluegreen_plan(w.image("web", "3"), true))});

  CHECK(paused.exit_code == 4);
  CHECK(aborted.exit_code == 0);
  CHECK(finished.exit_code == 0);
  CHECK(forbidden_calls(w, mark).empty());
  const std::string serving = w.serving_image("web");
  CHECK(serving.find("/web@sha256:") != std::string::npos);  // resolved by digest
  CHECK(serving != w.first_image);
}

// Removes the rule on `resource` from the Role `sluice` (as the admin).
void drop_rule(World& w, const std::string& resource) {
  const std::string role_path = "/apis/rbac.authorization.k8s.io/v1/namespaces/" + w.ns + "/roles/sluice";
  Json role = w.sim.get_object(role_path);
  Json rules = Json::array();
  for (const auto& rule : role["rules"]) {
    if (rule["resources"] != Json{resource}) rules.push_back(rule);
  }
  REQUIRE(rules.size() + 1 == role["rules"].size());
  role["rules"] = rules;
  REQUIRE(w.sim.request("PUT", role_path, role).status == 200);
}

TEST_CASE("rbac: the Role `doctor --print-role` prints is enough to roll out, and doctor says so", "[rbac]") {
  // Given the ServiceAccount, Role and RoleBinding that `sluice doctor --print-role PLAN` prints
  World w(3, k_admin_token);
  auto plan = w.write_plan("web.yaml", w.rolling_plan(w.image("web", "2")));
  auto printed = w.sluice({"doctor", "--print-role", plan});
  REQUIRE(printed.exit_code == 0);
  const std::string manifest = w.dir.path() + "/printed-role.yaml";
  std::ofstream(manifest) << printed.out;
  run_as_sluice_service_account(w, manifest);
  const auto mark = w.audit_mark();

  // When sluice checks the plan and rolls it out as that ServiceAccount
  auto doctor = w.sluice({"doctor", plan});
  auto applied = w.sluice({"apply", plan});

  // Then doctor found every permission granted, and RBAC refused nothing
  CHECK(doctor.exit_code == 0);
  CHECK(doctor.out.find("a rollout needs are allowed") != std::string::npos);
  CHECK(applied.exit_code == 0);
  CHECK(forbidden_calls(w, mark).empty());
}

TEST_CASE("rbac: doctor names each permission the Role lacks and exits as a failed preflight", "[rbac]") {
  World w(3, k_admin_token);
  run_as_sluice_service_account(w);
  drop_rule(w, "leases");
  auto doctor = w.sluice({"doctor", w.write_plan("web.yaml", w.rolling_plan(w.image("web", "2")))});
  CHECK(doctor.exit_code == 6);
  CHECK(doctor.out.find("create leases.coordination.k8s.io") != std::string::npos);
  CHECK(doctor.out.find("delete leases.coordination.k8s.io") != std::string::npos);
  CHECK(doctor.out.find("deployments") == std::string::npos);  // only what is refused
  CHECK(doctor.out.find("--print-role") != std::string::npos);
}

TEST_CASE("rbac: without permission on leases sluice stops before writing and names what was refused",
          "[rbac]") {
  // Given the shipped Role without its leases rule
  World w(3, k_admin_token);
  run_as_sluice_service_account(w);
  drop_rule(w, "leases");
  const auto mark = w.audit_mark();

  // When sluice applies a rollout
  auto run = w.sluice({"apply", w.write_plan("web.yaml", w.rolling_plan(w.image("web", "2")))});

  // Then it exits as a refused preflight, with one line naming the verb and resource, and wrote nothing
  CHECK(run.exit_code == 6);
  REQUIRE(run.last() != nullptr);
  CHECK((*run.last())["message"] ==
        "taking the lock: creating lease sluice-web: leases.coordination.k8s.io is forbidden: "
        "User "
        "\"system:serviceaccount:shop:sluice\" cannot create resource \"leases\" in API group "
        "\"coordination.k8s.io\" "
        "in the namespace \"shop\"");
  CHECK(run.out.find('\n') == run.out.size() - 1);  // one line: the finished event
  CHECK(successful_writes(w, mark) == 0);
  CHECK(w.deployment("web")["spec"]["template"]["spec"]["containers"][0]["image"] == w.first_image);
}
