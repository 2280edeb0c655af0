#include <sluice/engine/driver.hpp>
#include <sluice/engine/objects.hpp>
#include <sluice/engine/wait.hpp>
#include <sluice/engine/writes.hpp>

#include <sluice/kube/resources.hpp>
#include <sluice/state/guarded_write.hpp>

namespace sluice::engine {

using Json = nlohmann::json;

namespace {
util::Error interrupted() {
  return util::make_error(util::ErrorKind::cancelled, "interrupted");
}
}  // namespace

StepResult failed_write(const util::Error& e, const std::string& what) {
  if (e.kind == util::ErrorKind::cancelled) return {StepStatus::interrupted, e.message};
  // The API stayed unavailable through the retries: nothing is known to be
  // wrong with the target, so roll back (which itself retries) rather than
  // page a human; a rollback that cannot finish is what needs one.
  if (state::retryable_for_guarded_write(e.kind) && e.kind != util::ErrorKind::conflict)
    return StepResult::rollback(what + ": " + e.message);
  return {StepStatus::needs_human, what + ": " + e.message};
}

Writes::Writes(kube::Client& kube, std::string ns, util::Clock& clock, CancelSource cancel,
               kube::WatchHub* hub)
    : kube_(kube), ns_(std::move(ns)), clock_(clock), cancel_(std::move(cancel)), hub_(hub) {}

namespace {
std::string known_key(const kube::ResourceRef& resource, const std::string& name) {
  return resource.plural + "/" + name;
}
}  // namespace

void Writes::know(const kube::ResourceRef& resource, const Json& object) {
  std::string name = object.value("/metadata/name"_json_pointer, std::string());
  if (name.empty() || object.value("/metadata/resourceVersion"_json_pointer, std::string()).empty()) return;
  known_[known_key(resource, name)] = object;
}

void Writes::forget(const kube::ResourceRef& resource) {
  std::string prefix = resource.plural + "/";
  for (auto it = known_.begin(); it != known_.end();)
    it = it->first.rfind(prefix, 0) == 0 ? known_.erase(it) : std::next(it);
}

std::optional<Json> Writes::take_known(const kube::ResourceRef& resource, const std::string& name) {
  auto it = known_.find(known_key(resource, name));
  if (it == known_.end()) return std::nullopt;
  Json object = std::move(it->second);
  known_.erase(it);  // used once: a 409 re-reads
  return object;
}

void Writes::after_update(const kube::ResourceRef& resource, const Json& written) {
  std::string name = written.value("/metadata/name"_json_pointer, std::string());
  if (resource.plural != kube::k_deployments.plural) return know(resource, written);
  remember(name, written);
  if (hub_ != nullptr) hub_->seed_named(kube::k_deployments, ns_, written);
}

template <class Fn>
util::Status Writes::guarded(Fn&& fn) {
  const util::CancelToken& cancel = cancel_();
  return state::retry_guarded_write(
      [&]() -> util::Status {
        if (cancel.cancelled()) return interrupted();
        return fn();
      },
      clock_, &cancel);
}

util::Status Writes::modify(const kube::ResourceRef& resource, const std::string& name,
                            const std::function<bool(Json&)>& change) {
  return guarded([&]() -> util::Status {
    std::optional<Json> known = take_known(resource, name);
    auto object = known ? util::Result<Json>(std::move(*known)) : kube_.get(resource, ns_, name);
    if (!object) return object.error();
    bool changed = change(*object);
    // "Already as wanted" is only believed of a fresh read, not of what we knew.
    if (!changed && known) {
      object = kube_.get(resource, ns_, name);
      if (!object) return object.error();
      changed = change(*object);
    }
    if (!changed) return {};
    auto written = kube_.update(resource, ns_, *object);
    if (!written) return written.error();
    after_update(resource, *written);
    return {};
  });
}

void Writes::remember(const std::string& deployment, const Json& written) {
  written_[deployment] = Written{written.value("/metadata/generation"_json_pointer, 0LL), -1};
}

bool Writes::caught_up(const Json& deployment) const {
  auto it = written_.find(deployment.value("/metadata/name"_json_pointer, std::string()));
  if (it == written_.end()) return true;
  if (deployment.value("/metadata/generation"_json_pointer, 0LL) < it->second.generation) return false;
  return it->second.replicas < 0 ||
         deployment.value("/spec/replicas"_json_pointer, -1) == it->second.replicas;
}

util::Status Writes::update_deployment(const std::string& name, const std::function<void(Json&)>& change) {
  return modify(kube::k_deployments, name, [&](Json& dep) {
    change(dep);
    return true;
  });
}

util::Status Writes::set_selector(const std::string& name, const Json& selector) {
  return modify(kube::k_services, name, [&](Json& svc) {
    if (svc.value("/spec/selector"_json_pointer, Json()) == selector) return false;  // already there
    svc["spec"]["selector"] = selector;
    return true;
  });
}

util::Status Writes::create_or_adopt(const Json& body) {
  std::string name = body["metadata"]["name"].get<std::string>();
  return guarded([&]() -> util::Status {
    auto created = kube_.create(kube::k_deployments, ns_, body);
    if (created) return {};
    if (created.error().kind != util::ErrorKind::already_exists) return created.error();
    auto dep = kube_.get(kube::k_deployments, ns_, name);
    if (!dep) return dep.error();
    (*dep)["spec"] = body["spec"];
    auto written = kube_.update(kube::k_deployments, ns_, *dep);
    if (!written) return written.error();
    remember(name, *written);
    return {};
  });
}

util::Status Writes::scale(const std::string& deployment, int replicas) {
  // An absolute replica count is idempotent, so transient failures are retried too.
  known_.erase(known_key(kube::k_deployments, deployment));  // the scale moves its resourceVersion on
  return guarded([&]() -> util::Status {
    auto done = kube_.set_scale(kube::k_deployments, ns_, deployment, replicas);
    if (!done) return done.error();
    written_[deployment].replicas = replicas;
    return {};
  });
}

util::Status Writes::remove_unless(const kube::ResourceRef& resource, const std::string& name,
                                   const std::function<bool(const Json&)>& keep) {
  return guarded([&]() -> util::Status {
    auto existing = kube_.get(resource, ns_, name);
    if (!existing)
      return existing.error().kind == util::ErrorKind::not_found ? util::Status{} : existing.error();
    if (keep(*existing)) return {};
    kube::DeleteOptions options;
    options.propagation = kube::Propagation::background;
    options.precondition_resource_version = existing->value("/metadata/resourceVersion"_json_pointer, "");
    auto removed = kube_.remove(resource, ns_, name, options);
    if (!removed && removed.error().kind != util::ErrorKind::not_found) return removed.error();
    written_.erase(name);
    return {};
  });
}

util::Status Writes::create(const kube::ResourceRef& resource, const Json& object) {
  auto created = kube_.create(resource, ns_, object);
  if (!created) return created.error();
  return {};
}

Json base_selector(Json selector) {
  if (!selector.is_object()) return Json::object();
  selector.erase(k_version_label);
  selector.erase("pod-template-hash");
  return selector;
}

util::Status ensure_service(Driver& d, const std::string& name, const Json& selector) {
  auto existing = d.deps().kube->get(kube::k_services, d.ns(), name);
  if (existing) return d.writes().set_selector(name, selector);
  if (existing.error().kind != util::ErrorKind::not_found) return existing.error();
  Json svc = sluice_service(name, d.ns(), d.plan().name, selector, d.target().service);
  auto created = d.writes().create(kube::k_services, svc);
  if (!created && created.error().kind == util::ErrorKind::already_exists)
    return d.writes().set_selector(name, selector);  // created meanwhile (a killed run's retry)
  return created;
}

state::Version serving_version(Driver& d, const nlohmann::json& deployment) {
  state::Version v;
  v.deployment = deployment.value("/metadata/name"_json_pointer, std::string());
  v.image = container_image(deployment, d.target().container);
  v.revision = current_revision(deployment);
  v.template_spec = deployment.at("spec").at("template");
  // The pods stream the wait needs anyway knows the hash; the ReplicaSets only when it cannot tell.
  if (auto from_pods = template_hash_of_pods(d, deployment, v.image)) {
    v.pod_template_hash = *from_pods;
  } else if (auto hash = current_hash(d, deployment)) {
    v.pod_template_hash = *hash;
  }
  return v;
}

util::Result<std::string> current_hash(Driver& d, const Json& deployment) {
  auto labels = deployment.value("/spec/selector/matchLabels"_json_pointer, Json::object());
  kube::ListOptions opts;
  opts.label_selector = selector_string(labels);
  auto rs = d.deps().kube->list_all(kube::k_replicasets, d.ns(), opts);
  if (!rs) return rs.error();
  std::string hash = current_template_hash(deployment, rs->items);
  if (hash.empty()) {
    return util::make_error(util::ErrorKind::not_found,
                            "no current ReplicaSet for " + deployment.value("/metadata/name"_json_pointer,
                                                                            std::string("the deployment")));
  }
  return hash;
}

util::Result<Json> pinned_selector(Driver& d, const Json& deployment, const Json& selector) {
  if (selector.contains(k_version_label) || selector.contains("pod-template-hash")) return selector;
  auto hash = current_hash(d, deployment);
  if (!hash) return hash.error();
  return selector_with(selector, "pod-template-hash", *hash);
}

}  // namespace sluice::engine
