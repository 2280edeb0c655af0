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
  };

  Runtime start_runtime(const Json& pod);
  void advance(Container& c, const std::string& pod_uid, sluice::util::TimePoint now) const;
  void enter_running(Container& c, const std::string& pod_uid, sluice::util::TimePoint at) const;
  Json render_status(const Json& pod, Runtime& rt, sluice::util::TimePoint now) const;
  Json render_container(const Container& c, const Runtime& rt, const Json& pod,
                        sluice::util::TimePoint now) const;
  bool container_ready(const Container& c, const Runtime& rt, sluice::util::TimePoint now) const;
  sluice::util::Status finish_deletion(const Json& pod);
  sluice::util::Duration backoff(int failures) const;
  std::string wall_text(sluice::util::TimePoint at) const;

  ControllerContext& ctx_;
  std::mutex mutex_;
  std::unordered_map<std::string, Runtime> pods_;  // by pod uid
  std::uint32_t next_ip_ = 0;
};

// Go's time.Duration text for whole milliseconds: "10s", "1.5s", "100ms".
std::string go_duration(sluice::util::Duration d);
// The image name containerd reports in a container status, as
// distribution/reference normalises it: "nginx:1.25" -> "docker.io/library/nginx:1.25",
// "team/app" -> "docker.io/team/app:latest"; a registry host is kept.
std::string normalized_image(const std::string& image);
// The imageID a container runtime reports: "<repo>@sha256:<digest>".
std::string image_id_for(const std::string& image);

}  // namespace kubesim
