#include <sluice/engine/objects.hpp>
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

util::Status set_selector(Driver& d, const std::string& name, const Json& selector) {
  auto& kube = *d.deps().kube;
  return state::retry_guarded_write(
      [&]() -> util::Status {
        if (d.cancel().cancelled()) return interrupted();
        auto svc = kube.get(kube::k_services, d.ns(), name);
        if (!svc) return svc.error();
        if (svc->value("/spec/selector"_json_pointer, Json()) == selector) return {};  // already there
        (*svc)["spec"]["selector"] = selector;
        auto written = kube.update(kube::k_services, d.ns(), *svc);
        if (!written) return written.error();
        return {};
      },
      *d.deps().clock, &d.cancel());
}

util::Status create_or_adopt(Driver& d, const Json& body) {
  auto& kube = *d.deps().kube;
  std::string name = body["metadata"]["name"].get<std::string>();
  return state::retry_guarded_write(
      [&]() -> util::Status {
        if (d.cancel().cancelled()) return interrupted();
        auto created = kube.create(kube::k_deployments, d.ns(), body);
        if (created) return {};
        if (created.error().kind != util::ErrorKind::already_exists) return created.error();
        auto dep = kube.get(kube::k_deployments, d.ns(), name);
        if (!dep) return dep.error();
        (*dep)["spec"] = body["spec"];
        auto written = kube.update(kube::k_deployments, d.ns(), *dep);
        if (!written) return written.error();
        return {};
      },
      *d.deps().clock, &d.cancel());
}

util::Status scale(Driver& d, const std::string& deployment, int replicas) {
  // An absolute replica count is idempotent, so transient failures are retried too.
  return state::retry_guarded_write(
      [&]() -> util::Status {
        if (d.cancel().cancelled()) return interrupted();
        auto done = d.deps().kube->set_scale(kube::k_deployments, d.ns(), deployment, replicas);
        if (!done) return done.error();
        return {};
      },
      *d.deps().clock, &d.cancel());
}

util::Status update_deployment(Driver& d, const std::string& name, const std::function<void(Json&)>& change) {
  auto& kube = *d.deps().kube;
  return state::retry_guarded_write(
      [&]() -> util::Status {
        if (d.cancel().cancelled()) return interrupted();
        auto dep = kube.get(kube::k_deployments, d.ns(), name);
        if (!dep) return dep.error();
        change(*dep);
        auto written = kube.update(kube::k_deployments, d.ns(), *dep);
        if (!written) return written.error();
        return {};
      },
      *d.deps().clock, &d.cancel());
}

Json base_selector(Json selector) {
  if (!selector.is_object()) return Json::object();
  selector.erase(k_version_label);
  selector.erase("pod-template-hash");
  return selector;
}

util::Status ensure_service(Driver& d, const std::string& name, const Json& selector) {
  auto existing = d.deps().kube->get(kube::k_services, d.ns(), name);
  if (existing) return set_selector(d, name, selector);
  if (existing.error().kind != util::ErrorKind::not_found) return existing.error();
  Json ports = d.target().service.value("/spec/ports"_json_pointer, Json::array());
  for (auto& p : ports) p.erase("nodePort");
  Json svc{{"apiVersion", "v1"},
           {"kind", "Service"},
           {"metadata",
            {{"name", name},
             {"namespace", d.ns()},
             {"labels", {{"app.kubernetes.io/managed-by", "sluice"}, {k_rollout_label, d.plan().name}}}}},
           {"spec", {{"selector", selector}, {"ports", ports}}}};
  auto created = d.deps().kube->create(kube::k_services, d.ns(), svc);
  if (!created && created.error().kind == util::ErrorKind::already_exists)
    return set_selector(d, name, selector);  // created meanwhile (a killed run's retry)
  if (!created) return created.error();
  return {};
}

util::Result<std::string> current_hash(Driver& d, const Json& deployment) {
  auto labels = deployment.value("/spec/selector/matchLabels"_json_pointer, Json::object());
  kube::ListOptions opts;
  opts.label_selector = selector_string(labels);
  auto rs = d.deps().kube->list_all(kube::k_replicasets, d.ns(), opts);
  if (!rs) return rs.error();
  std::string hash = current_template_hash(deployment, rs->items);
  if (hash.empty())
    return util::make_error(util::ErrorKind::not_found,
                            "no current ReplicaSet for " + deployment.value("/metadata/name"_json_pointer,
                                                                            std::string("the deployment")));
  return hash;
}

util::Result<Json> pinned_selector(Driver& d, const Json& deployment, const Json& selector) {
  if (selector.contains(k_version_label) || selector.contains("pod-template-hash")) return selector;
  auto hash = current_hash(d, deployment);
  if (!hash) return hash.error();
  return selector_with(selector, "pod-template-hash", *hash);
}

}  // namespace sluice::engine
