#include <kubesim/kubelet.hpp>

#include <kubesim/kube_object.hpp>

#include <sluice/util/sha256.hpp>

#include <algorithm>
#include <cstdio>

namespace kubesim {

namespace {

std::string qos_class(const Json& spec) {
  bool any = false, guaranteed = true;
  for (const Json& c : spec.value("containers", Json::array())) {
    Json requests = has_at(c, "/resources/requests") ? c["resources"]["requests"] : Json::object();
    Json limits = has_at(c, "/resources/limits") ? c["resources"]["limits"] : Json::object();
    any = any || !requests.empty() || !limits.empty();
    bool full = limits.contains("cpu") && limits.contains("memory");
    for (const auto& [resource, amount] : requests.items())
      full = full && limits.value(resource, Json()) == amount;
    guaranteed = guaranteed && full;
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

Json pod_condition(const std::string& type, const std::pair<std::string, std::string>& state,
                   const std::string& unready) {
  Json condition = {{"type", type},
                    {"status", state.first},
                    {"lastProbeTime", nullptr},
                    {"lastTransitionTime", state.second}};
  if (state.first != "True" && (type == "Ready" || type == "ContainersReady")) {
    condition["reason"] = "ContainersNotReady";
    condition["message"] = "containers with unready status: [" + unready + "]";
  }
  return condition;
}

}  // namespace

std::string go_duration(sluice::util::Duration d) {
  long long ms = d.count();
  if (ms < 1000) return std::to_string(ms) + "ms";
  std::string text = std::to_string(ms / 1000);
  if (ms % 1000 != 0) {
    char fraction[8];
    std::snprintf(fraction, sizeof(fraction), ".%03lld", ms % 1000);
    std::string f = fraction;
    while (f.back() == '0') f.pop_back();
    text += f;
  }
  return text + "s";
}

std::string normalized_image(const std::string& image) {
  std::string name = image;
  const std::size_t slash = name.find('/');
  const std::string first = slash == std::string::npos ? "" : name.substr(0, slash);
  const bool has_domain = !first.empty() && (first.find('.') != std::string::npos ||
                                             first.find(':') != std::string::npos || first == "localhost");
  if (!has_domain) name = (slash == std::string::npos ? "docker.io/library/" : "docker.io/") + name;
  const std::size_t last_slash = name.rfind('/');
  const bool tagged = name.find(':', last_slash) != std::string::npos;
  if (!tagged && name.find('@') == std::string::npos) name += ":latest";
  return name;
}

std::string image_id_for(const std::string& image) {
  std::size_t at = image.find("@sha256:");
  if (at != std::string::npos) return image;
  std::string repo = image;
  std::size_t colon = repo.rfind(':');
  std::size_t slash = repo.rfind('/');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) repo.resize(colon);
  return repo + "@sha256:" + sluice::util::sha256_hex(image);
}

void Kubelet::forget(const std::string& uid) {
  std::lock_guard lock(mutex_);
  pods_.erase(uid);
}

sluice::util::Duration Kubelet::backoff(int failures) const {
  // The kubelet doubles its back-off from 10 s up to 5 min; here from crashRestartMs up to 30 times it.
  long long base = std::max(1, ctx_.config.timing().crash_restart_ms);
  long long delay = base << std::min(std::max(failures - 1, 0), 5);
  return sluice::util::Duration(std::min(delay, 30 * base));
}

std::string Kubelet::wall_text(sluice::util::TimePoint at) const {
  auto offset = std::chrono::duration_cast<std::chrono::system_clock::duration>(ctx_.clock.now() - at);
  return rfc3339(ctx_.clock.wall_now() - offset);
}

Kubelet::Runtime Kubelet::start_runtime(const Json& pod) {
  Runtime rt;
  rt.bound = ctx_.clock.now();
  rt.start_time = ctx_.now_text();
  std::uint32_t n = next_ip_++;
  rt.ip = "10.244." + std::to_string((n / 250) % 256) + "." + std::to_string(n % 250 + 2);
  rt.pod_text = name_of(pod) + "_" + namespace_of(pod) + "(" + uid_of(pod) + ")";
  for (const Json& spec : pod.value("spec", Json::object()).value("containers", Json::array())) {
    Container c;
    c.name = string_at(spec, "/name");
    c.image = string_at(spec, "/image");
    c.behaviour = ctx_.config.behaviour_for(c.image);
    c.next = rt.bound + sluice::util::Duration(c.behaviour.startup_ms / 2);
    c.pull_policy = string_at(spec, "/imagePullPolicy", "IfNotPresent");
    c.probe_failure = probe_failure_text(spec, rt.ip);
    rt.containers.push_back(std::move(c));
  }
  return rt;
}

void Kubelet::enter_running(Container& c, const std::string& pod_uid, sluice::util::TimePoint at) {
  note_start(c, sluice::util::Duration(c.behaviour.startup_ms / 2));
  c.behaviour = ctx_.config.behaviour_for(c.image);  // a fixed image recovers on its next start
  c.stage = Stage::running;
  c.started_at = wall_text(at);
  c.container_id =
      "containerd://" + sluice::util::sha256_hex(pod_uid + "/" + c.name + "/" + std::to_string(c.restarts));
  int startup = c.behaviour.startup_ms;
  bool never = c.behaviour.crash_loop || c.behaviour.never_ready;
  c.ready_at = never ? sluice::util::TimePoint::max() : at + sluice::util::Duration(startup - startup / 2);
  if (c.behaviour.never_ready && !c.behaviour.crash_loop) note_unhealthy(c);
  int run_for = std::max(1, ctx_.config.timing().crash_restart_ms / 2);
  c.next = c.behaviour.crash_loop ? at + sluice::util::Duration(run_for) : sluice::util::TimePoint::max();
}

void Kubelet::advance(Container& c, const Runtime& rt, const std::string& pod_uid,
                      sluice::util::TimePoint now) {
  int retry_ms = std::max(1, ctx_.config.timing().crash_restart_ms);
  while (c.next <= now) {
    sluice::util::TimePoint t = c.next;
    switch (c.stage) {
      case Stage::creating:
      case Stage::pull_backoff:
        if (!ctx_.config.behaviour_for(c.image).missing) {
          enter_running(c, pod_uid, t);
          break;
        }
        c.stage = Stage::pull_error;
        ++c.pull_failures;
        note_pull_failure(c);
        c.next = t + sluice::util::Duration(retry_ms);
        break;
      case Stage::pull_error:
        c.stage = Stage::pull_backoff;
        note_back_off(c, rt);
        c.next = t + backoff(c.pull_failures);
        break;
      case Stage::running:  // only crash-looping containers have a next change while running
        ++c.restarts;
        c.last_state = {{"terminated",
                         {{"exitCode", 1},
                          {"reason", "Error"},
                          {"startedAt", c.started_at},
                          {"finishedAt", wall_text(t)},
                          {"containerID", c.container_id}}}};
        c.stage = Stage::crash_backoff;
        note_back_off(c, rt);
        c.ready_at = sluice::util::TimePoint::max();
        c.next = t + backoff(c.restarts);
        break;
      case Stage::crash_backoff: enter_running(c, pod_uid, t); break;
    }
  }
}

bool Kubelet::container_ready(const Container& c, const Runtime& rt, sluice::util::TimePoint now) const {
  if (c.stage != Stage::running) return false;
  if (rt.ready_override) return *rt.ready_override;
  return c.ready_at <= now;
}

Json Kubelet::render_container(const Container& c, const Runtime& rt, const Json& pod,
                               sluice::util::TimePoint now) const {
  Json state;
  switch (c.stage) {
    case Stage::creating: state = {{"waiting", {{"reason", "ContainerCreating"}}}}; break;
    case Stage::pull_error:
      state = {{"waiting", {{"reason", "ErrImagePull"}, {"message", pull_not_found_error(c.image)}}}};
      break;
    case Stage::pull_backoff:
      state = {{"waiting",
                {{"reason", "ImagePullBackOff"}, {"message", "Back-off pulling image \"" + c.image + "\""}}}};
      break;
    case Stage::running: state = {{"running", {{"startedAt", c.started_at}}}}; break;
    case Stage::crash_backoff:
      state = {{"waiting",
                {{"reason", "CrashLoopBackOff"},
                 {"message", "back-off " + go_duration(backoff(c.restarts)) +
                                 " restarting failed container=" + c.name + " pod=" + name_of(pod) + "_" +
                                 namespace_of(pod) + "(" + uid_of(pod) + ")"}}}};
      break;
  }
  bool pulled = c.stage == Stage::running || c.stage == Stage::crash_backoff;
  Json status = {{"name", c.name},
                 {"image", normalized_image(c.image)},
                 {"imageID", pulled ? image_id_for(normalized_image(c.image)) : ""},
                 {"ready", container_ready(c, rt, now)},
                 {"restartCount", c.restarts},
                 {"started", c.stage == Stage::running},
                 {"state", state},
                 {"lastState", c.last_state}};
  if (!c.container_id.empty()) status["containerID"] = c.container_id;
  return status;
}

Json Kubelet::render_status(const Json& pod, Runtime& rt, sluice::util::TimePoint now) const {
  Json containers = Json::array();
  std::string unready;
  bool all_ready = !rt.containers.empty();
  bool started = false;
  bool sandbox = false;  // the pod has its network once a container left ContainerCreating
  for (const Container& c : rt.containers) {
    containers.push_back(render_container(c, rt, pod, now));
    started = started || c.stage == Stage::running || c.stage == Stage::crash_backoff;
    sandbox = sandbox || c.stage != Stage::creating;
    if (!container_ready(c, rt, now)) {
      all_ready = false;
      unready += (unready.empty() ? "" : " ") + c.name;
    }
  }
  std::string now_text = ctx_.now_text();
  auto track = [&](const std::string& type, bool value) -> const std::pair<std::string, std::string>& {
    auto& state = rt.conditions[type];
    std::string text = value ? "True" : "False";
    if (state.first != text) state = {text, now_text};
    return state;
  };
  Json conditions =
      Json::array({pod_condition("Initialized", track("Initialized", true), unready),
                   pod_condition("Ready", track("Ready", all_ready), unready),
                   pod_condition("ContainersReady", track("ContainersReady", all_ready), unready),
                   pod_condition("PodScheduled", track("PodScheduled", true), unready)});
  Json status = {{"phase", started ? "Running" : "Pending"},
                 {"conditions", conditions},
                 {"hostIP", k_host_ip},
                 {"hostIPs", Json::array({{{"ip", k_host_ip}}})},
                 {"startTime", rt.start_time},
                 {"qosClass", qos_class(pod.value("spec", Json::object()))},
                 {"containerStatuses", containers}};
  if (sandbox) {
    status["podIP"] = rt.ip;
    status["podIPs"] = Json::array({{{"ip", rt.ip}}});
  }
  if (all_ready && !rt.ready) ctx_.readiness.record(uid_of(pod), now);
  if (!all_ready && rt.ready) ctx_.readiness.forget(uid_of(pod));
  rt.ready = all_ready;
  return status;
}

sluice::util::Status Kubelet::finish_deletion(const Json& pod) {
  sluice::util::TimePoint now = ctx_.clock.now();
  sluice::util::TimePoint due;
  std::vector<std::pair<std::string, EventNote>> notes;
  {
    std::lock_guard lock(mutex_);
    Runtime& rt = pods_[uid_of(pod)];
    if (!rt.delete_at) {
      rt.delete_at = now + sluice::util::Duration(ctx_.config.timing().pod_delete_ms);
      for (Container& c : rt.containers) {
        if (c.stage == Stage::running)
          c.notes.push_back({"Normal", "Killing", "Stopping container " + c.name});
      }
    }
    due = *rt.delete_at;
    notes = take_notes(rt);
  }
  record(pod, notes);
  if (due > now) {
    ctx_.enqueue(k_work_pod, namespace_of(pod), name_of(pod),
                 std::chrono::duration_cast<sluice::util::Duration>(due - now));
    return {};
  }
  auto removed = ctx_.remove(k_pods, namespace_of(pod), name_of(pod));
  if (!removed && removed.error().kind != sluice::util::ErrorKind::not_found) return removed.error();
  forget(uid_of(pod));
  ctx_.readiness.forget(uid_of(pod));
  return {};
}

sluice::util::Status Kubelet::sync(const std::string& ns, const std::string& name) {
  ObjectPtr current = ctx_.index.get(k_pods, ns, name);
  if (!current) return {};
  const Json& pod = *current;
  std::string uid = uid_of(pod);
  if (has_at(pod, "/metadata/deletionTimestamp")) return finish_deletion(pod);
  if (string_at(pod, "/spec/nodeName").empty()) {
    auto bound = update_with_retry(
        ctx_, k_pods, ns, name,
        [&](Json& p) {
          if (uid_of(p) != uid || !string_at(p, "/spec/nodeName").empty()) return false;
          p["spec"]["nodeName"] = k_node_name;
          return true;
        },
        false);
    if (!bound)
      return bound.error().kind == sluice::util::ErrorKind::not_found ? sluice::util::Status{}
                                                                      : sluice::util::Status{bound.error()};
    if (*bound) {
      ctx_.events.record(
          **bound, k_scheduler,
          {"Normal", "Scheduled", "Successfully assigned " + ns + "/" + name + " to " + k_node_name});
    }
  }
  Json status;
  std::vector<std::pair<std::string, EventNote>> notes;
  sluice::util::TimePoint now = ctx_.clock.now();
  sluice::util::TimePoint next = sluice::util::TimePoint::max();
  {
    std::lock_guard lock(mutex_);
    auto found = pods_.find(uid);
    if (found == pods_.end()) found = pods_.emplace(uid, start_runtime(pod)).first;
    Runtime& rt = found->second;
    for (Container& c : rt.containers) {
      advance(c, rt, uid, now);
      next = std::min(next, c.next);
      if (c.stage == Stage::running && !rt.ready_override && c.ready_at > now)
        next = std::min(next, c.ready_at);
    }
    status = render_status(pod, rt, now);
    notes = take_notes(rt);
  }
  record(pod, notes);
  if (next != sluice::util::TimePoint::max()) {
    ctx_.enqueue(k_work_pod, ns, name, std::chrono::ceil<sluice::util::Duration>(next - now));
  }
  return write_status(ns, name, uid, status);
}

// What the kubelet's PATCH of /status carries: the status and the field
// ownership going with it, on the pod as the index holds it, so a write
// does not copy the whole pod first. Only while the index holds every
// write: when it trails the store (events still being delivered), an
// unchanged status must be judged against the latest write (a readiness
// flip right after the pod turned ready), so the pod is re-read from the
// store, as it also is after a stale resourceVersion (written meanwhile).
sluice::util::Status Kubelet::write_status(const std::string& ns, const std::string& name,
                                           const std::string& uid, const Json& status) {
  const bool index_current = ctx_.observed.wait_for(ctx_.store.resource_version(), sluice::util::Duration{0});
  ObjectPtr seen = index_current ? ctx_.index.get(k_pods, ns, name) : nullptr;
  if (seen && uid_of(*seen) == uid && !has_at(*seen, "/metadata/deletionTimestamp")) {
    const Json& meta = (*seen)["metadata"];
    if (seen->contains("status") && (*seen)["status"] == status) return {};
    Json write = {{"apiVersion", "v1"},
                  {"kind", "Pod"},
                  {"metadata",
                   {{"name", name},
                    {"namespace", ns},
                    {"uid", uid},
                    {"resourceVersion", meta.value("resourceVersion", "")}}},
                  {"status", status}};
    if (meta.contains("managedFields")) write["metadata"]["managedFields"] = meta["managedFields"];
    auto written = ctx_.update(k_pods, std::move(write), true);
    if (written || written.error().kind == sluice::util::ErrorKind::not_found) return {};
    if (written.error().kind != sluice::util::ErrorKind::conflict) return written.error();
  }
  auto written = update_with_retry(
      ctx_, k_pods, ns, name,
      [&](Json& p) {
        if (uid_of(p) != uid || has_at(p, "/metadata/deletionTimestamp") ||
            p.value("status", Json()) == status) {
          return false;
        }
        p["status"] = status;
        return true;
      },
      true);
  if (!written && written.error().kind != sluice::util::ErrorKind::not_found) return written.error();
  return {};
}

sluice::util::Status Kubelet::set_ready(const std::string& ns, const std::string& name, bool ready) {
  ObjectPtr pod = ctx_.index.get(k_pods, ns, name);
  if (!pod)
    return sluice::util::make_error(sluice::util::ErrorKind::not_found, "pods \"" + name + "\" not found");
  {
    std::lock_guard lock(mutex_);
    auto found = pods_.find(uid_of(*pod));
    bool running = found != pods_.end() && !found->second.delete_at &&
                   std::any_of(found->second.containers.begin(), found->second.containers.end(),
                               [](const Container& c) { return c.stage == Stage::running; });
    if (!running) {
      return sluice::util::make_error(sluice::util::ErrorKind::invalid,
                                      "pod \"" + name + "\" in namespace \"" + ns + "\" is not running");
    }
    found->second.ready_override = ready;
    if (!ready) {
      for (Container& c : found->second.containers) note_unhealthy(c);
    }
  }
  return sync(ns, name);
}

}  // namespace kubesim
