// The simulated node: binds new pods to "kubesim-node-1" and runs their
// containers as SimConfig says each image behaves (start-up delay, never
// ready, crash loop with back-off, missing image), writing pod status as a
// real kubelet does; it also finishes graceful pod deletion.
#pragma once

#include <kubesim/controller_context.hpp>

#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace kubesim {

inline constexpr const char* k_node_name = "kubesim-node-1";
inline constexpr const char* k_host_ip = "10.0.0.1";

class Kubelet {
 public:
  explicit Kubelet(ControllerContext& ctx) : ctx_(ctx) {}
  sluice::util::Status sync(const std::string& ns, const std::string& name);
  // Readiness override for a running pod (the control API's readiness flip).
  sluice::util::Status set_ready(const std::string& ns, const std::string& name, bool ready);
  void forget(const std::string& uid);

 private:
  enum class Stage { creating, pull_error, pull_backoff, running, crash_backoff };
  struct Container {
    std::string name;
    std::string image;
    ImageBehaviour behaviour;
    Stage stage = Stage::creating;
    sluice::util::TimePoint next = sluice::util::TimePoint::max();      // the next stage change
    sluice::util::TimePoint ready_at = sluice::util::TimePoint::max();  // readiness passes (running only)
    int restarts = 0;
    int pull_failures = 0;
    std::string started_at;
    std::string container_id;
    Json last_state = Json::object();
    std::string pull_policy;
    std::string probe_failure;     // what a failing readiness probe reports; empty without one
    std::vector<EventNote> notes;  // events to record once the lock is released
  };
  struct Runtime {
    sluice::util::TimePoint bound;
    std::string start_time;
    std::string ip;
    std::vector<Container> containers;
    std::optional<bool> ready_override;
    std::map<std::string, std::pair<std::string, std::string>>
        conditions;  // type -> status, lastTransitionTime
    std::optional<sluice::util::TimePoint> delete_at;
    bool ready = false;
    std::string pod_text;  // format.Pod: "<name>_<namespace>(<uid>)"
  };

  Runtime start_runtime(const Json& pod);
  void advance(Container& c, const Runtime& rt, const std::string& pod_uid, sluice::util::TimePoint now);
  void enter_running(Container& c, const std::string& pod_uid, sluice::util::TimePoint at);
  // kubelet_events.cpp: the events each step records (pull, create, start, back-off, kill, probe).
  void note_start(Container& c, sluice::util::Duration pull_took);
  void note_pull_failure(Container& c) const;
  void note_back_off(Container& c, const Runtime& rt) const;
  void note_unhealthy(Container& c) const;
  static std::vector<std::pair<std::string, EventNote>> take_notes(Runtime& rt);  // (container, note)
  void record(const Json& pod, const std::vector<std::pair<std::string, EventNote>>& notes) const;
  Json render_status(const Json& pod, Runtime& rt, sluice::util::TimePoint now) const;
  Json render_container(const Container& c, const Runtime& rt, const Json& pod,
                        sluice::util::TimePoint now) const;
  bool container_ready(const Container& c, const Runtime& rt, sluice::util::TimePoint now) const;
  sluice::util::Status finish_deletion(const Json& pod);
  sluice::util::Status write_status(const std::string& ns, const std::string& name, const std::string& uid,
                                    const Json& status);
  sluice::util::Duration backoff(int failures) const;
  std::string wall_text(sluice::util::TimePoint at) const;

  ControllerContext& ctx_;
  std::mutex mutex_;
  std::unordered_map<std::string, Runtime> pods_;  // by pod uid
  std::uint32_t next_ip_ = 0;
  std::set<std::string> pulled_;  // images on the node, for "already present on machine"
};

// What a failing readiness probe of this container reports ("" without a probe).
std::string probe_failure_text(const Json& container, const std::string& pod_ip);

// Go's time.Duration text for whole milliseconds: "10s", "1.5s", "100ms".
std::string go_duration(sluice::util::Duration d);
// The image name containerd reports in a container status, as
// distribution/reference normalises it: "nginx:1.25" -> "docker.io/library/nginx:1.25",
// "team/app" -> "docker.io/team/app:latest"; a registry host is kept.
std::string normalized_image(const std::string& image);
// containerd's error for an image that does not exist, naming the normalised
// reference: the ErrImagePull waiting message and the tail of the Failed event.
std::string pull_not_found_error(const std::string& image);
// The imageID a container runtime reports: "<repo>@sha256:<digest>".
std::string image_id_for(const std::string& image);

}  // namespace kubesim
