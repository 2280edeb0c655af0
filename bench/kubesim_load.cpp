// Load bench for kubesim: 200 Deployments x 10 replicas (2,000 pods with the
// controllers running) and 50 open watches, bounded in time. Prints the time
// to converge, watch delivery lag, list latency, CPU seconds and peak RSS.
//   kubesim_load [deployments=200] [replicas=10] [watches=50] [limit_seconds=120]
#include <kubesim/server.hpp>

#include <httplib.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

using kubesim::Json;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

Json deployment(int i, int replicas) {
  const std::string name = "app-" + std::to_string(i);
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"replicas", replicas},
            {"selector", {{"matchLabels", {{"app", name}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", name}}}}},
              {"spec", {{"containers", {{{"name", "app"}, {"image", "app:1"}}}}}}}}}}};
}

int count_available(kubesim::Store& store) {
  int available = 0;
  for (const auto& d : store.list("deployments.apps", "bench").first) {
    available += d.value("status", Json::object()).value("availableReplicas", 0);
  }
  return available;
}

}  // namespace

int main(int argc, char** argv) {
  const int deployments = argc > 1 ? std::atoi(argv[1]) : 200;
  const int replicas = argc > 2 ? std::atoi(argv[2]) : 10;
  const int watches = argc > 3 ? std::atoi(argv[3]) : 50;
  const int limit_seconds = argc > 4 ? std::atoi(argv[4]) : 120;
  kubesim::ServerOptions options;
  options.threads = watches + 32;
  kubesim::Server server(options);
  if (!server.start().ok()) return 1;
  httplib::Client client(server.url());
  client.set_read_timeout(std::chrono::seconds(30));
  client.Post("/api/v1/namespaces", R"({"metadata":{"name":"bench"}})", "application/json");

  std::atomic<long> events{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> watchers;
  for (int w = 0; w < watches; ++w) {
    watchers.emplace_back([&, w] {
      httplib::Client c(server.url());
      c.set_read_timeout(std::chrono::seconds(limit_seconds + 10));
      const std::string path = w % 2 == 0 ? "/api/v1/namespaces/bench/pods?watch=true"
                                          : "/apis/apps/v1/namespaces/bench/deployments?watch=true";
      c.Get(path + "&timeoutSeconds=" + std::to_string(limit_seconds + 5),
            [&](const char* data, std::size_t n) {
              events += std::count(data, data + n, '\n');
              return !stop.load();
            });
    });
  }
  const auto start = Clock::now();
  for (int i = 0; i < deployments; ++i) {
    auto r = client.Post("/apis/apps/v1/namespaces/bench/deployments", deployment(i, replicas).dump(),
                         "application/json");
    if (!r || r->status != 201) std::fprintf(stderr, "create %d failed\n", i);
  }
  const double create_s = seconds_since(start);
  const int wanted = deployments * replicas;
  auto& store = server.store();
  while (count_available(store) < wanted && seconds_since(start) < limit_seconds) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // bench only: sample convergence
  }
  const double converge_s = seconds_since(start);
  const int available = count_available(store);
  const auto list_start = Clock::now();
  auto pods = client.Get("/api/v1/namespaces/bench/pods");
  const double list_ms = seconds_since(list_start) * 1000;
  // Watch lag: time from one write to every watcher having seen it.
  const long before = events.load();
  const auto lag_start = Clock::now();
  client.Patch("/apis/apps/v1/namespaces/bench/deployments/app-0",
               R"({"metadata":{"labels":{"touched":"yes"}}})", "application/merge-patch+json");
  while (events.load() < before + watches / 2 && seconds_since(lag_start) < 10) std::this_thread::yield();
  const double lag_ms = seconds_since(lag_start) * 1000;
  stop = true;
  server.stop();
  for (auto& t : watchers) t.join();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double cpu =
      usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  std::printf("deployments=%d replicas=%d watches=%d\n", deployments, replicas, watches);
  std::printf("create_all_s=%.2f converge_s=%.2f available=%d/%d\n", create_s, converge_s, available, wanted);
  std::printf("list_pods_ms=%.1f list_bytes=%zu watch_events=%ld watch_fanout_lag_ms=%.1f\n", list_ms,
              pods ? pods->body.size() : 0, events.load(), lag_ms);
  std::printf("cpu_s=%.2f max_rss_mb=%.1f\n", cpu, usage.ru_maxrss / 1024.0);
  return available == wanted ? 0 : 2;
}
