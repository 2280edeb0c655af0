#include "scenario/engine/world.hpp"
#include "support/prometheus_process.hpp"
#include "support/serving_invariant.hpp"

#include <sluice/util/sha256.hpp>

#include <httplib.h>

#include <exception>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include "tree_paths.hpp"

namespace sluice::scenario {

namespace {

std::string sluice_binary() {
  const char* env = std::getenv("SLUICE_BIN");
  return env != nullptr ? env : std::string(SLUICE_BINARY_DIR) + "/sluice";
}

test::KubesimOptions fast_kubesim(const std::string& admin_token, bool watch_list) {
  test::KubesimOptions o;
  const char* off = std::getenv("SLUICE_TEST_NO_WATCH_LIST");
  o.watch_list = watch_list && (off == nullptr || std::string(off) != "1");
  o.token = admin_token;
  o.tls = !admin_token.empty();  // kubectl sends bearer tokens only over HTTPS
  o.sim_config = {{"timing", {{"controllerDelayMs", 2}, {"podDeleteMs", 5}, {"crashRestartMs", 30}}},
                  {"default", {{"startupMs", 30}}}};
  return o;
}

}  // namespace

LocalRegistry::LocalRegistry() {
  int port = testing::free_loopback_port();
  host_ = "127.0.0.1:" + std::to_string(port);
  std::ofstream(dir_.file("config.yml"))
      << "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
      << "    rootdirectory: " << dir_.file("data") << "\nhttp:\n  addr: " << host_ << "\n";
  process_ = std::make_unique<test::Process>("/usr/bin/docker-registry",
                                             std::vector<std::string>{"serve", dir_.file("config.yml")});
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(0, 200000);
  // Start-up of a child we just spawned: bounded retries, at most ~10 s.
  for (int i = 0; i < 200; ++i) {
    if (auto r = client.Get("/v2/"); r && r->status == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("docker-registry did not start: " + process_->stderr_text());
}

LocalRegistry::~LocalRegistry() = default;

std::string LocalRegistry::upload_blob(const std::string& repo, const std::string& bytes) {
  std::string digest = "sha256:" + util::sha256_hex(bytes);
  httplib::Client client("http://" + host_);
  auto start = client.Post(("/v2/" + repo + "/blobs/uploads/").c_str());
  if (!start || start->status != 202) throw std::runtime_error("blob upload did not start");
  std::string location = start->get_header_value("Location");
  if (location.rfind("http", 0) == 0) location = location.substr(location.find('/', location.find("//") + 2));
  location += (location.find('?') == std::string::npos ? "?" : "&") + std::string("digest=") + digest;
  auto put = client.Put(location.c_str(), bytes, "application/octet-stream");
  if (!put || put->status != 201) throw std::runtime_error("blob upload failed");
  return digest;
}

std::string LocalRegistry::push(const std::string& repo, const std::string& tag) {
  std::string config = Json{{"architecture", "amd64"},
                            {"os", "linux"},
                            {"rootfs", {{"type", "layers"}, {"diff_ids", Json::array()}}}}
                           .dump();
  std::string layer = "layer of " + repo + ":" + tag;
  std::string config_digest = upload_blob(repo, config);
  std::string layer_digest = upload_blob(repo, layer);
  std::string manifest =
      Json{{"schemaVersion", 2},
           {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
           {"config",
            {{"mediaType", "application/vnd.oci.image.config.v1+json"},
             {"digest", config_digest},
             {"size", config.size()}}},
           {"layers", Json::array({{{"mediaType", "application/vnd.oci.image.layer.v1.tar"},
                                    {"digest", layer_digest},
                                    {"size", layer.size()}}})}}
          .dump();
  httplib::Client client("http://" + host_);
  auto put = client.Put(("/v2/" + repo + "/manifests/" + tag).c_str(), manifest,
                        "application/vnd.oci.image.manifest.v1+json");
  if (!put || put->status != 201) throw std::runtime_error("manifest push failed");
  return "sha256:" + util::sha256_hex(manifest);
}

void LocalRegistry::push_attached(const std::string& repo, const std::string& tag, const Json& layer,
                                  const std::string& content) {
  const std::string config = "{}";
  Json described = layer;
  described["digest"] = upload_blob(repo, content);
  described["size"] = content.size();
  std::string manifest = Json{{"schemaVersion", 2},
                              {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                              {"config",
                               {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                                {"digest", upload_blob(repo, config)},
                                {"size", config.size()}}},
                              {"layers", Json::array({described})}}
                             .dump();
  httplib::Client client("http://" + host_);
  auto put = client.Put(("/v2/" + repo + "/manifests/" + tag).c_str(), manifest,
                        "application/vnd.oci.image.manifest.v1+json");
  if (!put || put->status != 201) throw std::runtime_error("pushing " + tag + " failed");
}

void LocalRegistry::push_signature(const std::string& repo, const std::string& digest,
                                   const std::string& payload, const std::string& signature_base64) {
  push_attached(repo, "sha256-" + digest.substr(7) + ".sig",
                {{"mediaType", "application/vnd.dev.cosign.simplesigning.v1+json"},
                 {"annotations", {{"dev.cosignproject.cosign/signature", signature_base64}}}},
                payload);
}

void LocalRegistry::push_attestation(const std::string& repo, const std::string& digest,
                                     const std::string& envelope) {
  push_attached(repo, "sha256-" + digest.substr(7) + ".att",
                {{"mediaType", "application/vnd.dsse.envelope.v1+json"},
                 {"annotations", {{"predicateType", "cosign.sigstore.dev/attestation/v1"}}}},
                envelope);
}

World::World(int replicas, const std::string& admin_token, bool watch_list)
    : sim(fast_kubesim(admin_token, watch_list)), kubeconfig(sim.kubeconfig_path()), replicas_(replicas) {
  sim.create_namespace(ns);
  first_image = registry.host() + "/web@" + registry.push("web", "1");
  sim.create_deployment(ns, "web", first_image, replicas);
  sim.create_service(ns, "web", {{"app", "web"}});
  auto ready = test::run("/usr/bin/kubectl", {"--kubeconfig", sim.kubeconfig_path(), "-n", ns, "rollout",
                                              "status", "deployment/web", "--timeout=30s"});
  if (ready.exit_code != 0) throw std::runtime_error("initial deployment not ready: " + ready.err);
  // The Endpoints follow the Deployment a moment later; the invariant starts once they caught up.
  bool serving = testing::eventually(
      [&] {
        Json log = sim.audit();
        int total = -1;
        for (const auto& e : log["serving"])
          if (e["kind"] == "Service" && e["name"] == "web" && e["namespace"] == ns)
            total = e["state"].value("readyTotal", 0);
        serving_since = log["next"].get<std::uint64_t>();
        return total >= replicas;
      },
      std::chrono::seconds(10));
  if (!serving) throw std::runtime_error("service web never served all replicas");
}

bool wait_for_event(test::Process& p, const std::function<bool(const Json&)>& pred,
                    std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    // Asked before reading: a run that prints its last event and exits
    // between the read and the question would otherwise be missed.
    bool ended = !p.running();
    std::istringstream lines(p.stdout_text());
    for (std::string line; std::getline(lines, line);) {
      auto j = Json::parse(line, nullptr, false);
      if (!j.is_discarded() && pred(j)) return true;
    }
    if (ended) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

World::~World() {
  if (std::uncaught_exceptions() > 0) return;  // a REQUIRE already failed the test
  expect_serving_invariant(*this, "web", serving_floor < 0 ? replicas_ : serving_floor);
}

void expect_serving_invariant(World& world, const std::string& service, int floor) {
  test::expect_serving_invariant(world.sim.audit(world.serving_since), world.ns, service, floor);
}

std::string World::image(const std::string& repo, const std::string& tag) {
  registry.push(repo, tag);
  return registry.host() + "/" + repo + ":" + tag;
}

void World::behave(const std::string& repo, const Json& behaviour) {
  auto r = sim.control("PUT", "config", {{"images", {{registry.host() + "/" + repo, behaviour}}}});
  if (r.status != 200) throw std::runtime_error("setting behaviour: " + r.body.dump());
}

std::string World::write_plan(const std::string& file, const std::string& yaml) {
  std::ofstream(dir.file(file)) << yaml;
  return dir.file(file);
}

std::string World::canary_plan(const std::string& image, const std::string& strategy_body,
                               const std::string& checks) {
  return "apiVersion: sluice/v1\nkind: Plan\nmetadata:\n  name: web\ntarget:\n  namespace: " + ns +
         "\n  deployment: web\n  service: web\nimage: " + image +
         "\nprogressDeadline: 20s\nstrategy:\n  canary:\n" + strategy_body +
         (checks.empty() ? "" : "checks:\n" + checks);
}

int World::sim_port() const {
  std::string url = sim.url();
  return std::stoi(url.substr(url.rfind(':') + 1));
}

std::string World::rolling_plan(const std::string& image, const std::string& extra) {
  return "apiVersion: sluice/v1\nkind: Plan\nmetadata:\n  name: web\ntarget:\n  namespace: " + ns +
         "\n  deployment: web\n  service: web\nimage: " + image +
         "\nprogressDeadline: 20s\nstrategy:\n  rolling:\n    maxSurge: 1\n    maxUnavailable: 0\n" + extra;
}

std::string World::bluegreen_plan(const std::string& image, bool auto_promote, const std::string& extra) {
  return "apiVersion: sluice/v1\nkind: Plan\nmetadata:\n  name: web\ntarget:\n  namespace: " + ns +
         "\n  deployment: web\n  service: web\nimage: " + image +
         "\nprogressDeadline: 20s\nstrategy:\n  blueGreen:\n    previewService: web-preview\n    "
         "autoPromote: " +
         (auto_promote ? "true" : "false") + "\n    scaleDownDelay: 30s\n" + extra;
}

namespace {
std::vector<std::string> sluice_args(const World& w, const std::vector<std::string>& args) {
  std::vector<std::string> all{"-o", "json", "--kubeconfig", w.kubeconfig};
  all.insert(all.end(), args.begin(), args.end());
  return all;
}
}  // namespace

SluiceRun World::sluice(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  auto r = test::run(sluice_binary(), sluice_args(*this, args), {}, timeout);
  SluiceRun out{r.exit_code, r.out, r.err, {}};
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    auto j = Json::parse(line, nullptr, false);
    if (!j.is_discarded()) out.events.push_back(j);
  }
  return out;
}

test::Process* World::start_sluice(const std::vector<std::string>& args) {
  running_.push_back(std::make_unique<test::Process>(sluice_binary(), sluice_args(*this, args)));
  return running_.back().get();
}

Json World::deployment(const std::string& name) {
  return sim.get_object("/apis/apps/v1/namespaces/" + ns + "/deployments/" + name);
}
Json World::service(const std::string& name) {
  return sim.get_object("/api/v1/namespaces/" + ns + "/services/" + name);
}
Json World::configmap(const std::string& name) {
  return sim.get_object("/api/v1/namespaces/" + ns + "/configmaps/" + name);
}

std::string World::serving_image(const std::string& svc) {
  // A command can exit while pods it scaled down still leave the endpoints
  // (the endpoints controller runs after it): give that up to 10 s to settle.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    Json audit = sim.audit();
    Json last;
    for (const auto& e : audit["serving"])
      if (e["kind"] == "Service" && e["name"] == svc && e["namespace"] == ns) last = e;
    if (!last.is_null() && last["state"]["ready"].size() == 1) return last["state"]["ready"].begin().key();
    if (std::chrono::steady_clock::now() >= deadline) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

int World::min_ready(const std::string& svc) {
  int lowest = 1 << 30;
  bool seen_full = false;
  Json log = sim.audit();  // kept: a range-for over a temporary's member would dangle
  for (const auto& e : log["serving"]) {
    if (e["kind"] != "Service" || e["name"] != svc || e["namespace"] != ns) continue;
    int total = e["state"].value("readyTotal", 0);
    if (!seen_full) {
      seen_full = total >= replicas_;  // the start-up ramp before any rollout does not count
      continue;
    }
    lowest = std::min(lowest, total);
  }
  return lowest == (1 << 30) ? replicas_ : lowest;
}

int World::service_writes(const std::string& svc, std::uint64_t since) {
  return writes_to("/api/v1/namespaces/" + ns + "/services/" + svc, since);
}

int World::writes_to(const std::string& suffix, std::uint64_t since) {
  int writes = 0;
  Json log = sim.audit(since);
  for (const auto& e : log["requests"]) {
    std::string verb = e.value("verb", "");
    std::string path = e.value("path", "");
    bool match =
        path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
    if (match && (verb == "update" || verb == "patch")) ++writes;
  }
  return writes;
}

std::uint64_t World::audit_mark() {
  return sim.audit()["next"].get<std::uint64_t>();
}

}  // namespace sluice::scenario
