#include <kubesim/sim_config.hpp>

#include <stdexcept>

namespace kubesim {

using nlohmann::json;
using sluice::util::ErrorKind;
using sluice::util::make_error;

namespace {

// "repo:tag@sha256:..." -> "repo:tag"; "host:5000/repo:tag" -> "host:5000/repo".
std::string without_digest(const std::string& image) {
  return image.substr(0, image.find('@'));
}

std::string repository_of(const std::string& image) {
  std::string name = without_digest(image);
  std::size_t colon = name.rfind(':');
  std::size_t slash = name.rfind('/');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) name.resize(colon);
  return name;
}

sluice::util::Status read_int(const json& object, const char* key, const std::string& path, int& out) {
  if (!object.contains(key)) return {};
  const json& value = object[key];
  if (!value.is_number_integer() || value.get<long long>() < 0 || value.get<long long>() > 86400000) {
    return make_error(ErrorKind::invalid, path + key + ": must be a non-negative integer (milliseconds)");
  }
  out = value.get<int>();
  return {};
}

sluice::util::Status read_bool(const json& object, const char* key, const std::string& path, bool& out) {
  if (!object.contains(key)) return {};
  if (!object[key].is_boolean())
    return make_error(ErrorKind::invalid, path + key + ": must be true or false");
  out = object[key].get<bool>();
  return {};
}

sluice::util::Status check_keys(const json& object, const std::string& path,
                                std::initializer_list<const char*> allowed) {
  if (!object.is_object()) {
    return make_error(
        ErrorKind::invalid,
        (path.empty() ? std::string("config") : path.substr(0, path.size() - 1)) + ": must be an object");
  }
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (const char* name : allowed) known = known || key == name;
    if (!known) return make_error(ErrorKind::invalid, path + key + ": unknown field");
  }
  return {};
}

sluice::util::Status read_behaviour(const json& object, const std::string& path, ImageBehaviour& out) {
  if (auto ok = check_keys(object, path,
                           {"startupMs", "neverReady", "crashLoop", "missing", "errorRate", "latencyMs"});
      !ok) {
    return ok;
  }
  sluice::util::Status checks[] = {read_int(object, "startupMs", path, out.startup_ms),
                                   read_bool(object, "neverReady", path, out.never_ready),
                                   read_bool(object, "crashLoop", path, out.crash_loop),
                                   read_bool(object, "missing", path, out.missing),
                                   read_int(object, "latencyMs", path, out.latency_ms)};
  for (auto& check : checks) {
    if (!check) return check;
  }
  if (object.contains("errorRate")) {
    const json& rate = object["errorRate"];
    if (!rate.is_number() || rate.get<double>() < 0.0 || rate.get<double>() > 1.0) {
      return make_error(ErrorKind::invalid, path + "errorRate: must be a number from 0 to 1");
    }
    out.error_rate = rate.get<double>();
  }
  return {};
}

sluice::util::Status read_timing(const json& object, Timing& out) {
  if (auto ok = check_keys(object, "timing.", {"controllerDelayMs", "podDeleteMs", "crashRestartMs"}); !ok)
    return ok;
  if (auto ok = read_int(object, "controllerDelayMs", "timing.", out.controller_delay_ms); !ok) return ok;
  if (auto ok = read_int(object, "podDeleteMs", "timing.", out.pod_delete_ms); !ok) return ok;
  return read_int(object, "crashRestartMs", "timing.", out.crash_restart_ms);
}

json behaviour_json(const ImageBehaviour& b) {
  return json{{"startupMs", b.startup_ms}, {"neverReady", b.never_ready}, {"crashLoop", b.crash_loop},
              {"missing", b.missing},      {"errorRate", b.error_rate},   {"latencyMs", b.latency_ms}};
}

}  // namespace

ImageBehaviour SimConfig::behaviour_for(const std::string& image) const {
  std::lock_guard lock(mutex_);
  for (const std::string& candidate : {image, without_digest(image), repository_of(image)}) {
    auto found = images_.find(candidate);
    if (found != images_.end()) return found->second;
  }
  return default_;
}

void SimConfig::set_behaviour(const std::string& image, const ImageBehaviour& behaviour) {
  {
    std::lock_guard lock(mutex_);
    images_[image] = behaviour;
  }
  notify();
}

void SimConfig::set_default_behaviour(const ImageBehaviour& behaviour) {
  {
    std::lock_guard lock(mutex_);
    default_ = behaviour;
  }
  notify();
}

Timing SimConfig::timing() const {
  std::lock_guard lock(mutex_);
  return timing_;
}

void SimConfig::set_timing(const Timing& timing) {
  {
    std::lock_guard lock(mutex_);
    timing_ = timing;
  }
  notify();
}

bool SimConfig::frozen() const {
  std::lock_guard lock(mutex_);
  return frozen_;
}

void SimConfig::set_frozen(bool frozen) {
  {
    std::lock_guard lock(mutex_);
    frozen_ = frozen;
  }
  notify();
}

sluice::util::Status SimConfig::apply_json(const json& config) {
  if (auto ok = check_keys(config, "", {"frozen", "timing", "default", "images"}); !ok) return ok;
  std::unique_lock lock(mutex_);
  ImageBehaviour fallback = default_;
  std::map<std::string, ImageBehaviour> images = images_;
  Timing timing = timing_;
  bool frozen = frozen_;
  lock.unlock();

  if (auto ok = read_bool(config, "frozen", "", frozen); !ok) return ok;
  if (config.contains("timing")) {
    if (auto ok = read_timing(config["timing"], timing); !ok) return ok;
  }
  if (config.contains("default")) {
    if (auto ok = read_behaviour(config["default"], "default.", fallback); !ok) return ok;
  }
  if (config.contains("images")) {
    if (!config["images"].is_object()) return make_error(ErrorKind::invalid, "images: must be an object");
    for (const auto& [image, entry] : config["images"].items()) {
      ImageBehaviour behaviour = fallback;
      if (auto ok = read_behaviour(entry, "images." + image + ".", behaviour); !ok) return ok;
      images[image] = behaviour;
    }
  }
  lock.lock();
  default_ = fallback;
  images_ = std::move(images);
  timing_ = timing;
  frozen_ = frozen;
  lock.unlock();
  notify();
  return {};
}

void SimConfig::load_json(const json& config) {
  if (auto ok = apply_json(config); !ok) throw std::invalid_argument(ok.error().message);
}

json SimConfig::to_json() const {
  std::lock_guard lock(mutex_);
  json images = json::object();
  for (const auto& [image, behaviour] : images_) images[image] = behaviour_json(behaviour);
  return json{{"frozen", frozen_},
              {"timing",
               {{"controllerDelayMs", timing_.controller_delay_ms},
                {"podDeleteMs", timing_.pod_delete_ms},
                {"crashRestartMs", timing_.crash_restart_ms}}},
              {"default", behaviour_json(default_)},
              {"images", images}};
}

void SimConfig::reset() {
  {
    std::lock_guard lock(mutex_);
    default_ = ImageBehaviour{};
    images_.clear();
    timing_ = Timing{};
    frozen_ = false;
  }
  notify();
}

int SimConfig::add_listener(std::function<void()> listener) {
  std::lock_guard lock(listeners_mutex_);
  int id = next_listener_id_++;
  listeners_[id] = std::move(listener);
  return id;
}

void SimConfig::remove_listener(int id) {
  std::lock_guard lock(listeners_mutex_);
  listeners_.erase(id);
}

void SimConfig::notify() {
  std::lock_guard lock(listeners_mutex_);
  for (auto& [id, listener] : listeners_) listener();
}

}  // namespace kubesim
