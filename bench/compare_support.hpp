// What the compare bench is built from: child processes timed to their exit
// with their CPU and peak RSS, a store listener that stamps the moment a
// Deployment is complete by `kubectl rollout status` rules (and can start a
// waiter the moment a change lands), and request counts from kubesim's
// audit log by user agent.
#pragma once

#include "bench_support.hpp"

#include <kubesim/connection_pool.hpp>
#include <kubesim/server.hpp>
#include <sluice/kube/resources.hpp>
#include <sluice/util/sha256.hpp>

#include <httplib.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace bench {

using kubesim::Json;

inline double wall_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Exit {
  double start_ms = 0;
  double exit_ms = 0;
  int code = -1;  // exit status, or 128 + signal
  double cpu_ms = 0;
  double max_rss_mb = 0;
};

// Starts `args` (output to `output`, /dev/null by default) and reaps it on
// its own thread, which stamps the exit the moment wait4 returns.
inline std::future<Exit> run(const std::vector<std::string>& args, const std::string& output = "/dev/null") {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 1, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&files, 1, 2);
  Exit started;
  started.start_ms = wall_ms();
  pid_t pid = -1;
  const int failed = posix_spawn(&pid, argv[0], &files, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  if (failed != 0) {
    std::promise<Exit> none;
    none.set_value(started);
    return none.get_future();
  }
  return std::async(std::launch::async, [pid, started] {
    Exit e = started;
    std::mutex mutex;
    std::condition_variable reaped;
    bool exited = false;
    std::atomic<double> peak_mb{0};
    // ru_maxrss would count this (sanitized, large) process: the child
    // shares its memory until exec. The exec'd program's own peak is VmHWM.
    // A high-water mark needs no close sampling once the process settles:
    // every 20 ms at first, then less often (up to 320 ms), so a fleet of 200
    // samplers does not take the CPU of the kubesim they share this process with.
    std::thread sampler([&] {
      auto interval = std::chrono::milliseconds(20);
      std::unique_lock lock(mutex);
      while (!exited) {
        lock.unlock();
        std::ifstream status("/proc/" + std::to_string(pid) + "/status");
        for (std::string line; std::getline(status, line);)
          if (line.rfind("VmHWM:", 0) == 0)
            peak_mb = std::max(peak_mb.load(), std::atof(line.c_str() + 6) / 1024);
        lock.lock();
        reaped.wait_for(lock, interval, [&] { return exited; });
        interval = std::min(interval * 2, std::chrono::milliseconds(320));
      }
    });
    int status = 0;
    rusage usage{};
    ::wait4(pid, &status, 0, &usage);
    e.exit_ms = wall_ms();
    {
      std::lock_guard lock(mutex);
      exited = true;
    }
    reaped.notify_one();
    sampler.join();
    e.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    e.cpu_ms = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
               static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
    e.max_rss_mb = peak_mb;
    return e;
  });
}

inline std::string image_of(const Json& deployment) {
  const Json* containers = &deployment["spec"]["template"]["spec"]["containers"];
  return containers->is_array() && !containers->empty() ? (*containers)[0].value("image", "") : "";
}

// `kubectl rollout status` rules (WIRE-FACTS.md), with at least one replica.
inline bool rollout_complete(const Json& d) {
  const Json& st = d.value("status", Json::object());
  const int replicas = d["spec"].value("replicas", 1);
  const int updated = st.value("updatedReplicas", 0);
  return replicas > 0 && d["metadata"].value("generation", 0) <= st.value("observedGeneration", 0) &&
         updated >= replicas && st.value("replicas", 0) <= updated &&
         st.value("availableReplicas", 0) >= updated;
}

// Follows one namespace's Deployments running `image`: calls `on_change`
// once, from its own thread, for the first Deployment that runs it with
// replicas > 0 (to start a waiter on the very change), and stamps when the
// first such Deployment is complete.
class ChangeWatch {
 public:
  ChangeWatch(kubesim::Server& server, std::string ns, std::string image,
              std::function<void(const std::string&)> on_change)
      : store_(server.store()),
        ns_(std::move(ns)),
        image_(std::move(image)),
        on_change_(std::move(on_change)) {
    listener_ = store_.add_listener([this](const kubesim::WatchEvent& e) { observe(e); });
    starter_ = std::thread([this] { start_waiter(); });
  }
  ~ChangeWatch() {
    store_.remove_listener(listener_);
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    starter_.join();
  }
  double complete_ms() const {
    std::lock_guard lock(mutex_);
    return complete_ms_;
  }

 private:
  void observe(const kubesim::WatchEvent& e) {
    if (e.resource != "deployments.apps" || e.type == "DELETED") return;
    const Json& meta = e.object["metadata"];
    if (meta.value("namespace", "") != ns_ || image_of(e.object) != image_) return;
    if (e.object["spec"].value("replicas", 1) < 1) return;
    std::lock_guard lock(mutex_);
    if (changed_.empty()) {
      changed_ = meta.value("name", "");
      cv_.notify_all();
    }
    if (complete_ms_ == 0 && meta.value("name", "") == changed_ && rollout_complete(e.object))
      complete_ms_ = wall_ms();
  }
  void start_waiter() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return done_ || !changed_.empty(); });
    if (changed_.empty() || !on_change_) return;
    const std::string name = changed_;
    lock.unlock();
    on_change_(name);
  }

  kubesim::Store& store_;
  const std::string ns_;
  const std::string image_;
  std::function<void(const std::string&)> on_change_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::string changed_;
  double complete_ms_ = 0;
  bool done_ = false;
  int listener_ = 0;
  std::thread starter_;
};

// The registry `sluice apply` resolves its image in: serves, on loopback,
// one OCI manifest (and its config blob) per image the bench makes up.
class FakeRegistry {
 public:
  FakeRegistry() {
    server_.Get(R"(/v2/.*)",
                [this](const httplib::Request& req, httplib::Response& res) { serve(req, res); });
    // As kubesim serves: httplib's default pool (8 threads, each held by a
    // keep-alive connection for 5 s) and backlog of 5 made 109 of a fleet of
    // 200 concurrent applies time out resolving their image (exit 6).
    kubesim::configure_connections(server_, 8, listen_socket_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    kubesim::widen_backlog(listen_socket_);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~FakeRegistry() {
    server_.stop();
    thread_.join();
  }
  // A new image reference by digest: 127.0.0.1:PORT/bench/web@sha256:...
  std::string image(const std::string& seed) {
    const std::string config = R"({"architecture":"amd64","os":"linux","bench":")" + seed + R"("})";
    const std::string config_digest = "sha256:" + sluice::util::sha256_hex(config);
    const std::string manifest =
        R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":)"
        R"({"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
        config_digest + R"(","size":)" + std::to_string(config.size()) + R"(},"layers":[]})";
    const std::string digest = "sha256:" + sluice::util::sha256_hex(manifest);
    std::lock_guard lock(mutex_);
    blobs_[digest] = manifest;
    blobs_[config_digest] = config;
    return "127.0.0.1:" + std::to_string(port_) + "/bench/web@" + digest;
  }

 private:
  void serve(const httplib::Request& req, httplib::Response& res) {
    if (req.path == "/v2/" || req.path == "/v2") {
      res.set_content("{}", "application/json");
      return;
    }
    const std::string digest = req.path.substr(req.path.rfind('/') + 1);
    std::lock_guard lock(mutex_);
    const auto found = blobs_.find(digest);
    if (found == blobs_.end()) {
      res.status = 404;
      res.set_content(R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]})", "application/json");
      return;
    }
    const bool manifest = req.path.find("/manifests/") != std::string::npos;
    res.set_header("Docker-Content-Digest", digest);
    res.set_content(found->second,
                    manifest ? "application/vnd.oci.image.manifest.v1+json" : "application/octet-stream");
  }

  httplib::Server server_;
  int port_ = 0;
  int listen_socket_ = -1;
  std::thread thread_;
  std::mutex mutex_;
  std::map<std::string, std::string> blobs_;
};

inline bool is_write(const Json& r) {
  const std::string verb = r.value("verb", "");
  return verb == "create" || verb == "update" || verb == "patch" || verb == "delete";
}

struct Requests {
  int total = 0;
  int writes = 0;
  double first_ms = 0;      // time of the first request
  std::string first_write;  // "verb path" of the first write
};

// Requests by user agents starting with `agent` (e.g. "sluice/", "kubectl/").
inline Requests count_requests(const Json& audit, const std::string& agent) {
  Requests c;
  for (const auto& r : audit["requests"]) {
    if (r.value("userAgent", "").rfind(agent, 0) != 0) continue;
    if (c.total++ == 0) c.first_ms = r.value("timeMs", 0.0);
    if (!is_write(r)) continue;
    if (c.writes++ == 0) c.first_write = r.value("verb", "") + " " + r.value("path", "");
  }
  return c;
}

// Time of `agent`'s first write at or after `since_ms` (audit: 1 ms resolution), 0 if none.
inline double next_write_ms(const Json& audit, const std::string& agent, double since_ms) {
  for (const auto& r : audit["requests"]) {
    const double at = r.value("timeMs", 0.0);
    if (at + 1 >= since_ms && is_write(r) && r.value("userAgent", "").rfind(agent, 0) == 0) return at;
  }
  return 0;
}

// Namespace `ns` with Deployment `name` (`replicas` pods, label app=NAME) and
// Service `name`; true once every pod is available.
inline bool create_app(EmbeddedCluster& cluster, const std::string& ns, const std::string& name, int replicas,
                       bool create_namespace) {
  Json labels = {{"app", name}};
  Json dep = {{"metadata", {{"name", name}, {"labels", labels}}},
              {"spec",
               {{"replicas", replicas},
                {"selector", {{"matchLabels", labels}}},
                {"template",
                 {{"metadata", {{"labels", labels}}},
                  {"spec", {{"containers", {{{"name", "web"}, {"image", "bench/web@sha256:0"}}}}}}}}}}};
  Json svc = {{"metadata", {{"name", name}}}, {"spec", {{"selector", labels}, {"ports", {{{"port", 80}}}}}}};
  auto& kube = cluster.kube();
  if (create_namespace && !kube.create(sluice::kube::k_namespaces, "", {{"metadata", {{"name", ns}}}}).ok())
    return false;
  return kube.create(sluice::kube::k_deployments, ns, dep).ok() &&
         kube.create(sluice::kube::k_services, ns, svc).ok();
}

inline bool wait_available(EmbeddedCluster& cluster, const std::string& ns, const std::string& name) {
  return cluster.hub()
      .wait_until(sluice::kube::k_deployments, ns, name, sluice::engine::fully_available,
                  sluice::util::system_clock().now() + std::chrono::seconds(300))
      .ok();
}

}  // namespace bench
