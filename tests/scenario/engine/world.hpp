// The world a rollout scenario runs in: an in-process kubesim with fast
// timing, a real docker-registry on loopback the test pushes tiny images
// to, a namespace with a Deployment and Service, and a way to run the real
// `sluice` binary against them and read kubesim's audit log afterwards.
#pragma once

#include "support/kubesim_fixture.hpp"
#include "support/process.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sluice::scenario {

using Json = nlohmann::json;

// Debian's docker-registry on 127.0.0.1:<free port>, storage in a temp dir.
class LocalRegistry {
 public:
  LocalRegistry();
  ~LocalRegistry();
  std::string host() const { return host_; }
  // Pushes a one-layer linux/amd64 OCI image as repo:tag; returns "sha256:...".
  std::string push(const std::string& repo, const std::string& tag);
  // Attaches a Cosign signature to `digest` the way cosign stores one: the
  // simple-signing `payload` as the one layer of a manifest tagged
  // sha256-<hex>.sig, the base64 signature in its annotation.
  void push_signature(const std::string& repo, const std::string& digest, const std::string& payload,
                      const std::string& signature_base64);
  // Attaches a DSSE envelope (an in-toto attestation) to `digest` as cosign
  // does: the one layer of a manifest tagged sha256-<hex>.att.
  void push_attestation(const std::string& repo, const std::string& digest, const std::string& envelope);

 private:
  std::string upload_blob(const std::string& repo, const std::string& bytes);
  void push_attached(const std::string& repo, const std::string& tag, const Json& layer,
                     const std::string& content);
  test::TempDir dir_;
  std::string host_;
  std::unique_ptr<test::Process> process_;
};

struct SluiceRun {
  int exit_code = -1;
  std::string out;
  std::string err;
  std::vector<Json> events;  // parsed -o json lines
  const Json* last() const { return events.empty() ? nullptr : &events.back(); }
};

class World;

// Waits (bounded) until the running sluice has printed an -o json event matching `pred`;
// false when it ended or the time ran out first.
bool wait_for_event(test::Process& p, const std::function<bool(const Json&)>& pred,
                    std::chrono::milliseconds timeout = std::chrono::seconds(20));

// CHECKs that the Service's ready endpoints never dropped below `floor` (nor
// to 0) at any moment since the world first served in full
// (support/serving_invariant.hpp), naming each moment it did.
void expect_serving_invariant(World& world, const std::string& service, int floor);

class World {
 public:
  // Every scenario checks the serving invariant of Service `web` when its world
  // ends (unless the test already failed by an exception): ready endpoints
  // never below `serving_floor` (default: the replicas the world starts with)
  // and never 0. A test that breaks serving on purpose (a pod made unready by
  // hand) lowers it to what must still hold.
  ~World();
  int serving_floor = -1;

  // With `admin_token`, kubesim serves HTTPS and authenticates: that token
  // is an admin (system:masters) and every other identity gets what RBAC grants.
  // `watch_list` off: kubesim refuses watches that begin with the state, as
  // an API server without the WatchList feature does. The environment
  // variable SLUICE_TEST_NO_WATCH_LIST=1 turns it off for every world, to
  // run whole suites on sluice's list+watch fallback.
  explicit World(int replicas = 3, const std::string& admin_token = "", bool watch_list = true);

  test::Kubesim sim;
  LocalRegistry registry;
  test::TempDir dir;
  std::string ns = "shop";
  // The kubeconfig sluice runs with: kubesim's own unless a test points it elsewhere.
  std::string kubeconfig;

  // "127.0.0.1:PORT/repo:tag", pushed on first use.
  std::string image(const std::string& repo, const std::string& tag);
  // Per-image behaviour in kubesim (JSON as in docs/kubesim.md: neverReady, crashLoop, startupMs...).
  void behave(const std::string& repo, const Json& behaviour);
  std::string write_plan(const std::string& file, const std::string& yaml);
  std::string rolling_plan(const std::string& image, const std::string& extra = "");
  std::string bluegreen_plan(const std::string& image, bool auto_promote, const std::string& extra = "");
  // A canary plan: `strategy_body` is the YAML under `canary:` (indented 4), `checks` the top-level
  // `checks:` mapping body (indented 2) or empty.
  std::string canary_plan(const std::string& image, const std::string& strategy_body,
                          const std::string& checks = "");
  // The loopback port kubesim serves its API and /metrics on.
  int sim_port() const;

  // Runs `sluice -o json --kubeconfig ... <args>`.
  SluiceRun sluice(const std::vector<std::string>& args,
                   std::chrono::milliseconds timeout = std::chrono::seconds(60));
  test::Process* start_sluice(const std::vector<std::string>& args);

  Json deployment(const std::string& name);
  Json service(const std::string& name);
  Json configmap(const std::string& name);
  // The image every ready endpoint of the Service runs, once they settle on
  // one (up to 10 s), or "" when they stay mixed or none.
  std::string serving_image(const std::string& service);
  // Lowest readyTotal the Service had in the audit log from the first apply on.
  int min_ready(const std::string& service);
  // Writes to the Service in the audit log (update/patch of its path).
  int service_writes(const std::string& service, std::uint64_t since);
  // Writes (update/patch) to any object whose path ends with `suffix`, since an audit mark.
  int writes_to(const std::string& suffix, std::uint64_t since);
  std::uint64_t audit_mark();

  std::string first_image;  // what the Deployment starts with (web:1, resolved by digest)
  // Audit position once the Service first served every replica: the serving invariant counts from here.
  std::uint64_t serving_since = 0;

 private:
  std::vector<std::unique_ptr<test::Process>> running_;
  int replicas_;
};

}  // namespace sluice::scenario
