#include <kubesim/cluster_objects.hpp>
#include <kubesim/controllers.hpp>

#include <kubesim/controller_context.hpp>
#include <kubesim/deployment_controller.hpp>
#include <kubesim/endpoints_controller.hpp>
#include <kubesim/garbage_collector.hpp>
#include <kubesim/hpa_controller.hpp>
#include <kubesim/kube_object.hpp>
#include <kubesim/kubelet.hpp>
#include <kubesim/replicaset_controller.hpp>

#include <spdlog/spdlog.h>

#include <charconv>
#include <thread>

namespace kubesim {

namespace {

constexpr int k_workers = 2;

struct WorkItem {
  std::string kind;
  std::string resource;  // gc only
  std::string ns;
  std::string name;
};

WorkItem parse_work_key(const std::string& key) {
  WorkItem item;
  std::size_t colon = key.find(':');
  item.kind = key.substr(0, colon);
  std::string rest = key.substr(colon + 1);
  if (item.kind == k_work_gc) {
    std::size_t second = rest.find(':');
    item.resource = rest.substr(0, second);
    rest = rest.substr(second + 1);
  }
  std::size_t slash = rest.find('/');
  item.ns = rest.substr(0, slash);
  item.name = rest.substr(slash + 1);
  return item;
}

std::uint64_t resource_version_of(const Json& object) {
  std::string text = string_at(object, "/metadata/resourceVersion");
  std::uint64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace

struct Controllers::Impl {
  Impl(Store& s, SimConfig& c, const sluice::util::Clock& clk)
      : store(s),
        config(c),
        clock(clk),
        queue(clk, [&c] { return c.frozen(); }),
        events(s, clk),
        ctx{s, c, index, queue, clk, readiness, observed, events},
        deployments(ctx),
        replicasets(ctx),
        kubelet(ctx),
        endpoints(ctx),
        hpas(ctx),
        gc(ctx) {}

  void on_event(const WatchEvent& event);
  void route(const WatchEvent& event);
  void on_pod_event(const WatchEvent& event, const ObjectPtr& before);
  void enqueue_gc_of_dependents(const Json& owner);
  void enqueue_gc_of_owners(const Json& dependent);
  void process(const std::string& key);
  void reconcile(const std::string& key);
  void prime();

  Store& store;
  SimConfig& config;
  const sluice::util::Clock& clock;
  ObjectIndex index;
  ReadinessLog readiness;
  ObservedVersion observed;
  WorkQueue queue;
  EventRecorder events;
  ControllerContext ctx;
  DeploymentController deployments;
  ReplicaSetController replicasets;
  Kubelet kubelet;
  EndpointsController endpoints;
  HpaController hpas;
  GarbageCollector gc;

  std::mutex lifecycle;
  bool started = false;
  bool stopped = false;
  int store_listener = -1;
  int config_listener = -1;
  std::vector<std::thread> workers;
};

void Controllers::Impl::enqueue_gc_of_dependents(const Json& owner) {
  for (const auto& [resource, dependent] : index.dependents_of(uid_of(owner))) {
    queue.add_after(
        work_key(std::string(k_work_gc) + ":" + resource, namespace_of(*dependent), name_of(*dependent)),
        ctx.reaction());
  }
  // Kinds the index does not hold (ConfigMaps, Secrets, Services...) are owned
  // too: the real garbage collector watches every resource with ownerReferences.
  // Pods and Events, the bulk of all deletions (the event recorder drops its
  // oldest events), own nothing a client creates: not worth a scan.
  if (owner.value("kind", "") == "Pod" || owner.value("kind", "") == "Event") return;
  const std::string uid = uid_of(owner);
  for (const ResourceType* each : store.types().all()) {
    const ResourceType& type = *each;
    if (!type.namespaced || ObjectIndex::indexes(type.key())) continue;
    for (const Json& dependent : store.list(type.key(), namespace_of(owner), owned_by(uid)).first) {
      queue.add_after(
          work_key(std::string(k_work_gc) + ":" + type.key(), namespace_of(dependent), name_of(dependent)),
          ctx.reaction());
    }
  }
}

void Controllers::Impl::enqueue_gc_of_owners(const Json& dependent) {
  if (!has_at(dependent, "/metadata/ownerReferences")) return;
  for (const Json& ref : dependent["metadata"]["ownerReferences"]) {
    for (const ResourceType& type : resource_types()) {
      if (!type.namespaced || type.kind != string_at(ref, "/kind") ||
          type.api_version() != string_at(ref, "/apiVersion"))
        continue;
      queue.add_after(work_key(std::string(k_work_gc) + ":" + type.key(), namespace_of(dependent),
                               string_at(ref, "/name")),
                      ctx.reaction());
    }
  }
}

void Controllers::Impl::on_event(const WatchEvent& event) {
  try {
    route(event);
  } catch (const std::exception& e) {
    // An object of a shape the controllers do not expect must not take the writer (an API request) down.
    spdlog::warn("kubesim controllers: ignoring {} {}: {}", event.type, event.resource, e.what());
  }
  observed.saw(event.resource_version);  // only after the index holds it and the work is queued
}

void Controllers::Impl::route(const WatchEvent& event) {
  auto change = index.apply(event);
  if (!change.applied && ObjectIndex::indexes(event.resource)) return;
  const Json& object = event.object;
  const std::string ns = namespace_of(object);
  const std::string name = name_of(object);
  const bool deleted = event.type == "DELETED";
  const sluice::util::Duration delay = ctx.reaction();
  if (event.resource == "namespaces" && event.type == "ADDED") ensure_namespace_objects(store, name);
  if (deleted) enqueue_gc_of_dependents(object);
  if (deleted) enqueue_gc_of_owners(object);  // an owner deleting in foreground may wait for this one
  if (!deleted && deleting_in_foreground(object)) {
    queue.add_after(work_key(std::string(k_work_gc) + ":" + event.resource, ns, name), delay);
  }
  if (!deleted && ObjectIndex::indexes(event.resource) && gc.has_missing_owner(object)) {
    queue.add_after(work_key(std::string(k_work_gc) + ":" + event.resource, ns, name), delay);
  }
  if (event.resource == k_deployments) {
    if (deleted) deployments.forget(uid_of(object));
    ctx.enqueue(k_work_deployment, ns, name, delay);
    hpas.enqueue_for_deployment(ns, name);
  } else if (event.resource == k_replicasets) {
    ctx.enqueue(k_work_replicaset, ns, name, delay);
    const Json* owner = controller_ref(object);
    if (owner != nullptr && string_at(*owner, "/kind") == "Deployment") {
      ctx.enqueue(k_work_deployment, ns, string_at(*owner, "/name"), delay);
    }
  } else if (event.resource == k_pods) {
    on_pod_event(event, change.before);
  } else if (event.resource == k_services) {
    ctx.enqueue(k_work_service, ns, name, delay);
  } else if (event.resource == k_hpas) {
    if (deleted) hpas.forget(uid_of(object));
    if (!deleted) ctx.enqueue(k_work_hpa, ns, name, delay);
  } else if (event.resource == k_endpoints && deleted) {
    ctx.enqueue(k_work_service, ns, name, delay);  // recreated if its Service still selects pods
  }
}

void Controllers::Impl::on_pod_event(const WatchEvent& event, const ObjectPtr& before) {
  const Json& pod = event.object;
  const std::string ns = namespace_of(pod);
  const sluice::util::Duration delay = ctx.reaction();
  if (event.type == "DELETED") {
    kubelet.forget(uid_of(pod));
    readiness.forget(uid_of(pod));
  } else {
    ctx.enqueue(k_work_pod, ns, name_of(pod), delay);
  }
  if (const Json* owner = controller_ref(pod);
      owner != nullptr && string_at(*owner, "/kind") == "ReplicaSet") {
    std::string rs_name = string_at(*owner, "/name");
    ctx.enqueue(k_work_replicaset, ns, rs_name, delay);
    // Recreate waits for the old pods to be gone, which no ReplicaSet status shows.
    ObjectPtr rs = event.type == "DELETED" ? index.get(k_replicasets, ns, rs_name) : nullptr;
    const Json* deployment = rs ? controller_ref(*rs) : nullptr;
    if (deployment != nullptr) ctx.enqueue(k_work_deployment, ns, string_at(*deployment, "/name"), delay);
  }
  // Every pod event looks at every Service of its namespace: no copies here.
  static const Json no_labels = Json::object();
  const Json& labels = has_at(pod, "/metadata/labels") ? pod["metadata"]["labels"] : no_labels;
  const Json& old_labels =
      before && has_at(*before, "/metadata/labels") ? (*before)["metadata"]["labels"] : no_labels;
  for (const ObjectPtr& service : index.list(k_services, ns)) {
    if (!has_at(*service, "/spec/selector")) continue;
    const Json& selector = (*service)["spec"]["selector"];
    if (!selector.is_object() || selector.empty()) continue;
    if (map_selector_matches(selector, labels) || (before && map_selector_matches(selector, old_labels))) {
      ctx.enqueue(k_work_service, ns, name_of(*service), delay);
    }
  }
}

void Controllers::Impl::process(const std::string& key) {
  try {
    reconcile(key);
  } catch (const std::exception& e) {
    // The worker threads are a top level: an unexpected object shape is logged and retried later.
    spdlog::warn("kubesim controllers: {}: {}", key, e.what());
    queue.add_after(key, sluice::util::Duration(1000));
  }
}

void Controllers::Impl::reconcile(const std::string& key) {
  WorkItem item = parse_work_key(key);
  sluice::util::Status status;
  if (item.kind == k_work_deployment) {
    status = deployments.sync(item.ns, item.name);
  } else if (item.kind == k_work_replicaset) {
    status = replicasets.sync(item.ns, item.name);
  } else if (item.kind == k_work_pod) {
    status = kubelet.sync(item.ns, item.name);
  } else if (item.kind == k_work_service) {
    status = endpoints.sync(item.ns, item.name);
  } else if (item.kind == k_work_hpa) {
    status = hpas.sync(item.ns, item.name);
  } else if (item.kind == k_work_gc) {
    status = gc.sync(item.resource, item.ns, item.name);
  }
  if (status) return;
  // A conflict means another writer got there first: sync again from the fresh state.
  bool conflict = status.error().kind == sluice::util::ErrorKind::conflict;
  if (!conflict) spdlog::debug("kubesim: {}: {}", key, status.error().message);
  queue.add_after(
      key, conflict ? sluice::util::Duration(1) : std::max(ctx.reaction(), sluice::util::Duration(50)));
}

void Controllers::Impl::prime() {
  ensure_cluster_objects(store);
  for (const Json& ns : store.list("namespaces", "").first) ensure_namespace_objects(store, name_of(ns));
  for (const char* resource : {k_deployments, k_replicasets, k_pods, k_services, k_hpas}) {
    for (Json& object : store.list(resource, "").first) {
      WatchEvent event{"ADDED", resource, std::move(object), 0};
      event.resource_version = resource_version_of(event.object);
      on_event(event);
    }
  }
}

Controllers::Controllers(Store& store, SimConfig& config, const sluice::util::Clock& clock)
    : impl_(std::make_unique<Impl>(store, config, clock)) {}

Controllers::~Controllers() {
  stop();
}

void Controllers::start() {
  std::lock_guard lock(impl_->lifecycle);
  if (impl_->started) return;
  impl_->started = true;
  Impl* impl = impl_.get();
  impl->store_listener = impl->store.add_listener([impl](const WatchEvent& event) { impl->on_event(event); });
  impl->config_listener = impl->config.add_listener([impl] { impl->queue.wake(); });
  impl->prime();
  for (int i = 0; i < k_workers; ++i) {
    impl->workers.emplace_back([impl] {
      while (auto key = impl->queue.get()) {
        impl->process(*key);
        impl->queue.done(*key);
      }
    });
  }
}

void Controllers::stop() {
  std::lock_guard lock(impl_->lifecycle);
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  impl_->queue.shut_down();
  for (std::thread& worker : impl_->workers) worker.join();
  impl_->store.remove_listener(impl_->store_listener);
  impl_->config.remove_listener(impl_->config_listener);
}

std::size_t Controllers::pending_work() const {
  return impl_->queue.pending();
}

sluice::util::Status Controllers::set_hpa_recommendation(const std::string& ns, const std::string& name,
                                                         long long replicas) {
  return impl_->hpas.set_recommendation(ns, name, replicas);
}

sluice::util::Status Controllers::set_pod_ready(const std::string& ns, const std::string& name, bool ready) {
  return impl_->kubelet.set_ready(ns, name, ready);
}

}  // namespace kubesim
