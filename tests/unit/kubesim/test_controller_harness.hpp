// An in-process simulated cluster for controller tests: a Store, a fast
// SimConfig and the Controllers, plus waiting on store changes (never on
// sleeps) with a bounded deadline, and builders for the usual objects.
#pragma once

#include <kubesim/controllers.hpp>
#include <kubesim/kube_object.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace kubesim_test {

using Json = nlohmann::json;
using namespace std::chrono_literals;

inline constexpr const char* k_ns = "default";

class Cluster {
 public:
  explicit Cluster(int startup_ms = 10) {
    kubesim::ImageBehaviour fast;
    fast.startup_ms = startup_ms;
    config.set_default_behaviour(fast);
    config.set_timing({1, 5, 20});
    listener_ = store.add_listener([this](const kubesim::WatchEvent& event) {
      {
        std::lock_guard lock(mutex_);
        ++changes_;
        for (auto& [id, observer] : observers_) observer(event);
      }
      cv_.notify_all();
    });
    controllers.start();
  }
  ~Cluster() {
    controllers.stop();
    store.remove_listener(listener_);
  }

  // Calls `observer` (under the harness lock) for every store change until
  // the returned guard goes; declare the guard after what the observer uses.
  class Observation {
   public:
    Observation(Cluster& cluster, int id) : cluster_(cluster), id_(id) {}
    ~Observation() {
      std::lock_guard lock(cluster_.mutex_);
      cluster_.observers_.erase(id_);
    }
    Observation(const Observation&) = delete;
    Observation& operator=(const Observation&) = delete;

   private:
    Cluster& cluster_;
    int id_;
  };
  [[nodiscard]] std::unique_ptr<Observation> observe(
      std::function<void(const kubesim::WatchEvent&)> observer) {
    std::lock_guard lock(mutex_);
    int id = next_observer_++;
    observers_[id] = std::move(observer);
    return std::make_unique<Observation>(*this, id);
  }

  // Like wait_for, with `done` run under the harness lock: for conditions on
  // what observers collected (the store notifies them after a change is
  // visible to get(), so a get() can see a state before its observers do).
  bool wait_observed(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, limit, done);
  }

  // Re-checks `done` after every store change until it holds or `limit` passes.
  bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    std::unique_lock lock(mutex_);
    while (true) {
      std::uint64_t seen = changes_;
      lock.unlock();
      bool ok = done();
      lock.lock();
      if (ok) return true;
      if (!cv_.wait_until(lock, deadline, [&] { return changes_ != seen; })) return false;
    }
  }

  Json get(const std::string& resource, const std::string& name) {
    auto object = store.get(resource, k_ns, name);
    return object ? *object : Json();
  }
  std::vector<Json> list(const std::string& resource) { return store.list(resource, k_ns).first; }

  // Re-reads and changes an object until the write lands (conflicts retried).
  Json change(const std::string& resource, const std::string& name, const std::function<void(Json&)>& edit) {
    for (int attempt = 0; attempt < 20; ++attempt) {
      Json object = get(resource, name);
      edit(object);
      auto written = store.update(resource, object);
      if (written) return *written;
    }
    throw std::runtime_error("could not update " + name);
  }

  std::vector<Json> pods_with(const std::string& label, const std::string& value) {
    std::vector<Json> out;
    for (Json& pod : list("pods")) {
      if (pod["metadata"]["labels"].value(label, "") == value) out.push_back(std::move(pod));
    }
    return out;
  }

  kubesim::Store store;
  kubesim::SimConfig config;
  kubesim::Controllers controllers{store, config};

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::uint64_t changes_ = 0;
  std::map<int, std::function<void(const kubesim::WatchEvent&)>> observers_;
  int next_observer_ = 1;
  int listener_ = -1;
};

inline Json deployment(const std::string& name, const std::string& image, int replicas) {
  return Json{{"apiVersion", "apps/v1"},
              {"kind", "Deployment"},
              {"metadata", {{"name", name}, {"namespace", k_ns}, {"labels", {{"app", name}}}}},
              {"spec",
               {{"replicas", replicas},
                {"selector", {{"matchLabels", {{"app", name}}}}},
                {"template",
                 {{"metadata", {{"labels", {{"app", name}}}}},
                  {"spec",
                   {{"containers",
                     {{{"name", "app"},
                       {"image", image},
                       {"ports", {{{"name", "http"}, {"containerPort", 8080}}}}}}}}}}}}}};
}

inline Json service(const std::string& name, const std::string& app) {
  return Json{{"apiVersion", "v1"},
              {"kind", "Service"},
              {"metadata", {{"name", name}, {"namespace", k_ns}, {"labels", {{"team", "a"}}}}},
              {"spec",
               {{"selector", {{"app", app}}},
                {"ports", {{{"name", "web"}, {"port", 80}, {"targetPort", "http"}, {"protocol", "TCP"}}}}}}};
}

// kubectl rollout status's verdict: done once the controller has seen the
// latest spec and every replica is updated and available.
inline bool rollout_done(const Json& d) {
  using kubesim::int_at;
  if (d.is_null()) return false;
  long long replicas = int_at(d, "/spec/replicas", 1);
  return int_at(d, "/metadata/generation", 0) <= int_at(d, "/status/observedGeneration", 0) &&
         int_at(d, "/status/updatedReplicas", 0) == replicas &&
         int_at(d, "/status/replicas", 0) == replicas &&
         int_at(d, "/status/availableReplicas", 0) == replicas;
}

inline Json condition(const Json& object, const std::string& type) {
  for (const Json& c : object.value("status", Json::object()).value("conditions", Json::array())) {
    if (c.value("type", "") == type) return c;
  }
  return Json::object();
}

inline bool pod_is_ready(const Json& pod) {
  return condition(pod, "Ready").value("status", "") == "True";
}

}  // namespace kubesim_test
