#include <kubesim/audit.hpp>

#include <chrono>
#include <ctime>

namespace kubesim {

std::int64_t unix_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string rfc3339_millis(std::int64_t unix_ms) {
  const std::time_t seconds = unix_ms / 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(unix_ms % 1000));
  return out;
}

Audit::Audit(std::size_t limit) : limit_(limit) {}

Audit::~Audit() {
  detach();
}

sluice::util::Status Audit::open_file(const std::string& path) {
  std::lock_guard lock(mutex_);
  file_.open(path, std::ios::app);
  if (!file_)
    return sluice::util::make_error(sluice::util::ErrorKind::invalid, "cannot open audit log '" + path + "'");
  return {};
}

void Audit::append(Json entry, bool request) {
  std::lock_guard lock(mutex_);
  entry["seq"] = seq_++;
  if (file_.is_open()) file_ << entry.dump() << '\n' << std::flush;
  auto& list = request ? requests_ : serving_;
  list.push_back(std::move(entry));
  if (list.size() > limit_) list.pop_front();
}

void Audit::record_request(const RequestRecord& r) {
  Json entry = {{"kind", "request"},   {"time", rfc3339_millis(r.time_ms)},
                {"timeMs", r.time_ms}, {"verb", r.verb},
                {"method", r.method},  {"path", r.path},
                {"query", r.query},    {"userAgent", r.user_agent},
                {"status", r.status},  {"durationMs", r.duration_ms}};
  if (r.dry_run) entry["dryRun"] = true;
  append(std::move(entry), true);
}

void Audit::attach(Store& store) {
  store_ = &store;
  listener_ = store.add_listener([this](const WatchEvent& event) { on_event(event); });
}

void Audit::detach() {
  if (store_ != nullptr) store_->remove_listener(listener_);
  store_ = nullptr;
}

namespace {

// Ready endpoints per image behind a Service, from its Endpoints object.
Json service_state(Store& store, const Json& endpoints) {
  const std::string ns = endpoints["metadata"].value("namespace", "");
  Json ready = Json::object();
  int total = 0;
  for (const auto& subset : endpoints.value("subsets", Json::array())) {
    for (const auto& address : subset.value("addresses", Json::array())) {
      std::string image = "unknown";
      const Json ref = address.value("targetRef", Json::object());
      if (ref.value("kind", "") == "Pod") {
        auto pod = store.get("pods", ref.value("namespace", ns), ref.value("name", ""));
        if (pod.ok()) {
          const auto containers = (*pod)["spec"].value("containers", Json::array());
          if (!containers.empty()) image = containers[0].value("image", "unknown");
        }
      }
      ready[image] = ready.value(image, 0) + 1;
      ++total;
    }
  }
  return {{"ready", ready}, {"readyTotal", total}};
}

Json deployment_state(const Json& deployment) {
  const Json status = deployment.value("status", Json::object());
  std::string image;
  const auto containers = deployment["spec"]["template"]["spec"].value("containers", Json::array());
  if (!containers.empty()) image = containers[0].value("image", "");
  return {{"replicas", deployment["spec"].value("replicas", 1)},
          {"statusReplicas", status.value("replicas", 0)},
          {"updated", status.value("updatedReplicas", 0)},
          {"ready", status.value("readyReplicas", 0)},
          {"available", status.value("availableReplicas", 0)},
          {"image", image},
          {"generation", deployment["metadata"].value("generation", 0)},
          {"observedGeneration", status.value("observedGeneration", 0)}};
}

}  // namespace

void Audit::on_event(const WatchEvent& event) {
  const bool endpoints = event.resource == "endpoints";
  const bool deployment = event.resource == "deployments.apps";
  if (!endpoints && !deployment) return;
  const Json& meta = event.object["metadata"];
  Json state;
  if (event.type == "DELETED") {
    state = endpoints ? Json{{"ready", Json::object()}, {"readyTotal", 0}} : Json{{"deleted", true}};
  } else {
    state = endpoints ? service_state(*store_, event.object) : deployment_state(event.object);
  }
  record_serving({{"kind", endpoints ? "Service" : "Deployment"},
                  {"namespace", meta.value("namespace", "")},
                  {"name", meta.value("name", "")},
                  {"state", state}});
}

void Audit::record_serving(Json entry) {
  const std::string key = entry["kind"].get<std::string>() + "/" + entry["namespace"].get<std::string>() +
                          "/" + entry["name"].get<std::string>();
  {
    std::lock_guard lock(mutex_);
    auto& last = last_state_[key];
    if (last == entry["state"]) return;
    last = entry["state"];
  }
  const auto now = unix_millis();
  entry["time"] = rfc3339_millis(now);
  entry["timeMs"] = now;
  append(std::move(entry), false);
}

Json Audit::to_json(std::uint64_t since) const {
  std::lock_guard lock(mutex_);
  Json requests = Json::array();
  Json serving = Json::array();
  for (const auto& r : requests_) {
    if (r["seq"].get<std::uint64_t>() >= since) requests.push_back(r);
  }
  for (const auto& s : serving_) {
    if (s["seq"].get<std::uint64_t>() >= since) serving.push_back(s);
  }
  return {{"requests", requests}, {"serving", serving}, {"next", seq_}};
}

void Audit::clear() {
  std::lock_guard lock(mutex_);
  requests_.clear();
  serving_.clear();
}

}  // namespace kubesim
