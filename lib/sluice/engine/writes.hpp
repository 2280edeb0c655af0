// The cluster writes the strategy drivers share. Each one re-reads what it
// changes and carries the resourceVersion it read, so it is safe to repeat
// after a 409, a transient failure or a killed run (state/guarded_write.hpp).
#pragma once

#include <sluice/engine/step_result.hpp>
#include <sluice/kube/client.hpp>
#include <sluice/kube/resources.hpp>
#include <sluice/kube/watch.hpp>
#include <sluice/state/record.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace sluice::engine {

class Driver;

// The cluster writes a run makes in its namespace, without the rest of the
// Driver. Each re-reads what it changes and carries the resourceVersion it
// read (state/guarded_write.hpp); every one stops when the run's current
// cancel token (steps or rollback) fires.
class Writes {
 public:
  using CancelSource = std::function<const util::CancelToken&()>;
  // With a hub, a Deployment this run writes is watched from the write's
  // answer on (WatchHub::seed_named) rather than listed again.
  Writes(kube::Client& kube, std::string ns, util::Clock& clock, CancelSource cancel,
         kube::WatchHub* hub = nullptr);

  // `object` as just read: the next modify of it writes against its
  // resourceVersion without reading it again (a 409 re-reads). Services keep
  // the answer of each write; a Deployment's status moves on its own.
  void know(const kube::ResourceRef& resource, const nlohmann::json& object);
  // Forgets what was known of `resource`: a wait lets controllers move it on.
  void forget(const kube::ResourceRef& resource);

  // The one guarded read-modify-write: reads `name`, lets `change` edit it
  // (false: already as wanted, nothing written), updates; re-reads on 409.
  util::Status modify(const kube::ResourceRef& resource, const std::string& name,
                      const std::function<bool(nlohmann::json&)>& change);
  // Applies `change` to Deployment `name` as read now.
  util::Status update_deployment(const std::string& name, const std::function<void(nlohmann::json&)>& change);
  // Sets the selector of Service `name`; no write when it already has it.
  util::Status set_selector(const std::string& name, const nlohmann::json& selector);
  // Creates Deployment `body`, or takes over the one a killed run already created.
  util::Status create_or_adopt(const nlohmann::json& body);
  // Sets an absolute replica count through the scale subresource.
  util::Status scale(const std::string& deployment, int replicas);
  // Deletes `name` (in the background) unless `keep` accepts it as read now;
  // the read's resourceVersion is the precondition, so a change made
  // meanwhile is re-read, never deleted unseen. Already gone: done.
  util::Status remove_unless(const kube::ResourceRef& resource, const std::string& name,
                             const std::function<bool(const nlohmann::json&)>& keep);
  // Creates `object` of `resource`; AlreadyExists is an error the caller may expect.
  util::Status create(const kube::ResourceRef& resource, const nlohmann::json& object);

  // False while `deployment` (as a watch delivered it) is older than this
  // run's last write to it: a wait must not judge a Deployment by the state
  // before the change it waits for (the write's answer can beat the watch).
  bool caught_up(const nlohmann::json& deployment) const;

 private:
  struct Written {
    long long generation = 0;  // of the object an update returned
    int replicas = -1;         // set by the last scale, when it came after the last update
  };
  void remember(const std::string& deployment, const nlohmann::json& written);
  std::optional<nlohmann::json> take_known(const kube::ResourceRef& resource, const std::string& name);
  void after_update(const kube::ResourceRef& resource, const nlohmann::json& written);
  template <class Fn>
  util::Status guarded(Fn&& fn);
  kube::Client& kube_;
  std::string ns_;
  util::Clock& clock_;
  CancelSource cancel_;
  std::map<std::string, Written> written_;
  kube::WatchHub* hub_;
  std::map<std::string, nlohmann::json> known_;  // "plural/name" -> object
};

// The step result for a write that failed: interrupted when cancelled, a
// rollback when the API stayed unavailable through retries, else a human is needed.
StepResult failed_write(const util::Error& e, const std::string& what);

// Points Service `name` at `selector`, creating it (with the ports of the
// target Service, labelled as sluice's) when it does not exist yet.
util::Status ensure_service(Driver& d, const std::string& name, const nlohmann::json& selector);

// The version `deployment` serves now, as a record keeps it (without the
// Service selector, which each strategy reads its own way). The
// pod-template-hash is left empty when its ReplicaSets could not be read.
state::Version serving_version(Driver& d, const nlohmann::json& deployment);

// The pod-template-hash of `deployment`'s current ReplicaSet, from the ReplicaSets it owns.
util::Result<std::string> current_hash(Driver& d, const nlohmann::json& deployment);

// `selector` without the labels sluice adds (version, pod-template-hash).
nlohmann::json base_selector(nlohmann::json selector);

// `selector` pinned to the pods of `deployment`'s current ReplicaSet by its
// pod-template-hash; unchanged when it already names a version or a hash.
util::Result<nlohmann::json> pinned_selector(Driver& d, const nlohmann::json& deployment,
                                             const nlohmann::json& selector);

}  // namespace sluice::engine
