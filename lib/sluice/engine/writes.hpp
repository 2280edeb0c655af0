// The cluster writes the strategy drivers share. Each one re-reads what it
// changes and carries the resourceVersion it read, so it is safe to repeat
// after a 409, a transient failure or a killed run (state/guarded_write.hpp).
#pragma once

#include <sluice/engine/driver.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace sluice::engine {

// The step result for a write that failed: interrupted when cancelled, a
// rollback when the API stayed unavailable through retries, else a human is needed.
StepResult failed_write(const util::Error& e, const std::string& what);

// Sets the selector of Service `name`; no write when it already has it.
util::Status set_selector(Driver& d, const std::string& name, const nlohmann::json& selector);

// Creates Deployment `body`, or takes over the one a killed run already created.
util::Status create_or_adopt(Driver& d, const nlohmann::json& body);

// Sets an absolute replica count through the scale subresource.
util::Status scale(Driver& d, const std::string& deployment, int replicas);

// Applies `change` to Deployment `name` as read now, re-reading on 409.
util::Status update_deployment(Driver& d, const std::string& name,
                               const std::function<void(nlohmann::json&)>& change);

// Points Service `name` at `selector`, creating it (with the ports of the
// target Service, labelled as sluice's) when it does not exist yet.
util::Status ensure_service(Driver& d, const std::string& name, const nlohmann::json& selector);

// The pod-template-hash of `deployment`'s current ReplicaSet, from the ReplicaSets it owns.
util::Result<std::string> current_hash(Driver& d, const nlohmann::json& deployment);

// `selector` without the labels sluice adds (version, pod-template-hash).
nlohmann::json base_selector(nlohmann::json selector);

// `selector` pinned to the pods of `deployment`'s current ReplicaSet by its
// pod-template-hash; unchanged when it already names a version or a hash.
util::Result<nlohmann::json> pinned_selector(Driver& d, const nlohmann::json& deployment,
                                             const nlohmann::json& selector);

}  // namespace sluice::engine
