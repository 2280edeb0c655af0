// TEMPORARY (kubesim-api branch only): a minimal SimConfig so kubesim links
// before the kubesim-ctl branch lands; replaced wholesale by theirs on merge.
#include <sluice/kubesim/sim_config.hpp>

namespace sluice::kubesim {

ImageBehaviour SimConfig::behaviour_for(const std::string& image) const {
  std::lock_guard lock(mutex_);
  const auto it = images_.find(image);
  return it != images_.end() ? it->second : default_;
}
void SimConfig::set_behaviour(const std::string& image, const ImageBehaviour& behaviour) {
  std::lock_guard lock(mutex_);
  images_[image] = behaviour;
}
void SimConfig::set_default_behaviour(const ImageBehaviour& behaviour) {
  std::lock_guard lock(mutex_);
  default_ = behaviour;
}
Timing SimConfig::timing() const {
  std::lock_guard lock(mutex_);
  return timing_;
}
void SimConfig::set_timing(const Timing& timing) {
  std::lock_guard lock(mutex_);
  timing_ = timing;
}
bool SimConfig::frozen() const {
  std::lock_guard lock(mutex_);
  return frozen_;
}
void SimConfig::set_frozen(bool frozen) {
  std::lock_guard lock(mutex_);
  frozen_ = frozen;
}
void SimConfig::load_json(const nlohmann::json& config) {
  if (config.contains("frozen")) set_frozen(config["frozen"].get<bool>());
}
nlohmann::json SimConfig::to_json() const {
  return {{"frozen", frozen()}};
}

}  // namespace sluice::kubesim
