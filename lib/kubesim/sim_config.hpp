// How kubesim's simulated cluster behaves: controller delays and per-image
// behaviour (slow start, never ready, crash loop, missing image), settable by
// file (--config) and by the control API while it runs.
#pragma once

#include <sluice/util/result.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace kubesim {

struct ImageBehaviour {
  int startup_ms = 50;       // Pending -> Running -> Ready after this long
  bool never_ready = false;  // runs but never passes readiness
  bool crash_loop = false;   // restarts with rising restartCount, CrashLoopBackOff
  bool missing = false;      // ErrImagePull then ImagePullBackOff
  double error_rate = 0.0;   // fraction of simulated requests answered 5xx (traffic simulation)
  int latency_ms = 20;       // typical simulated request latency
};

struct Timing {
  int controller_delay_ms = 5;  // reaction time of the simulated controllers
  int pod_delete_ms = 10;       // graceful termination
  int crash_restart_ms = 100;   // time between simulated crash-loop restarts
};

// Thread-safe: read by controllers, written by the control API.
class SimConfig {
 public:
  ImageBehaviour behaviour_for(
      const std::string& image) const;  // exact image, then repository (no tag/digest), then default
  void set_behaviour(const std::string& image, const ImageBehaviour& behaviour);
  void set_default_behaviour(const ImageBehaviour& behaviour);
  Timing timing() const;
  void set_timing(const Timing& timing);
  bool frozen() const;
  void set_frozen(bool frozen);

  // Reads/writes the JSON form used by --config files and the control API
  // (shape in docs/kubesim-config.md). Fields left out keep their values; an
  // image entry starts from the default behaviour. apply_json checks the whole
  // document first and changes nothing when any field is wrong, naming it:
  // "images.web:v2.startupMs: must be a non-negative integer".
  sluice::util::Status apply_json(const nlohmann::json& config);
  void load_json(const nlohmann::json& config);  // apply_json, throwing std::invalid_argument on error
  nlohmann::json to_json() const;
  // Back to the built-in defaults: no per-image entries, not frozen.
  void reset();

  // Called after every change (from the changing thread, no lock held), so
  // the controllers wake when unfrozen. Returns an id for remove_listener.
  int add_listener(std::function<void()> listener);
  void remove_listener(int id);

 private:
  void notify();

  mutable std::mutex mutex_;
  std::mutex listeners_mutex_;
  std::map<int, std::function<void()>> listeners_;
  int next_listener_id_ = 1;
  ImageBehaviour default_;
  std::map<std::string, ImageBehaviour> images_;
  Timing timing_;
  bool frozen_ = false;
};

}  // namespace kubesim
