// Wait latency of the kube client: the time from a change in kubesim's store
// to WatchHub::wait_until returning, over many changes (median, p99, max), and
// how many HTTP requests the client made for them. Figures go into
// docs/performance.md ("Kubernetes client").
//   kube_wait_latency [changes=500] [parallel_waiters=50] [rounds=20]
#include <kubesim/server.hpp>
#include <sluice/kube/client.hpp>
#include <sluice/kube/watch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <thread>
#include <vector>

using namespace sluice;
using Json = nlohmann::json;
using Steady = std::chrono::steady_clock;

namespace {

Json config_map(const std::string& name, int step) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", "default"}}},
          {"data", {{"step", std::to_string(step)}}}};
}

void write_step(kubesim::Store& store, const std::string& name, int step) {
  auto current = store.get("configmaps", "default", name);
  Json next = current.ok() ? *current : config_map(name, step);
  next["data"]["step"] = std::to_string(step);
  auto written = current.ok() ? store.update("configmaps", next) : store.create("configmaps", next);
  if (!written.ok()) std::fprintf(stderr, "write failed: %s\n", written.error().message.c_str());
}

void report(const char* label, std::vector<double> ms, std::uint64_t requests) {
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * ms.size()))]; };
  std::printf("%-34s n=%-5zu median %.2f ms  p99 %.2f ms  max %.2f ms  requests %llu\n", label, ms.size(),
              at(0.5), at(0.99), ms.back(), static_cast<unsigned long long>(requests));
}

kube::WaitPredicate step_is(int step) {
  std::string want = std::to_string(step);
  return [want](const std::vector<Json>& objects) {
    bool done = !objects.empty() && objects.front()["data"].value("step", "") == want;
    return done ? kube::WaitDecision::done() : kube::WaitDecision::pending();
  };
}

// One waiter, one object, `changes` sequential changes.
std::vector<double> sequential(kube::WatchHub& hub, kubesim::Store& store, int changes) {
  std::vector<double> ms;
  for (int i = 1; i <= changes; ++i) {
    Steady::time_point changed;
    auto waiter = std::async(std::launch::async, [&hub, i] {
      auto r = hub.wait_until(kube::k_configmaps, "default", kube::WaitTarget::object("seq"), step_is(i),
                              Steady::now() + std::chrono::seconds(10));
      return std::make_pair(r.ok(), Steady::now());
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // let the waiter judge the old state first
    changed = Steady::now();
    write_step(store, "seq", i);
    auto [ok, returned] = waiter.get();
    if (!ok) std::fprintf(stderr, "wait %d failed\n", i);
    ms.push_back(std::chrono::duration<double, std::milli>(returned - changed).count());
  }
  return ms;
}

// `waiters` concurrent waits on different objects of one namespace, all changed at once.
std::vector<double> parallel(kube::WatchHub& hub, kubesim::Store& store, int waiters, int rounds) {
  std::vector<double> ms;
  for (int round = 1; round <= rounds; ++round) {
    std::vector<std::future<std::pair<bool, Steady::time_point>>> waits;
    for (int w = 0; w < waiters; ++w) {
      waits.push_back(std::async(std::launch::async, [&hub, w, round] {
        auto r = hub.wait_until(kube::k_configmaps, "default",
                                kube::WaitTarget::object("par-" + std::to_string(w)), step_is(round),
                                Steady::now() + std::chrono::seconds(20));
        return std::make_pair(r.ok(), Steady::now());
      }));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::vector<Steady::time_point> changed(waiters);
    for (int w = 0; w < waiters; ++w) {
      changed[w] = Steady::now();
      write_step(store, "par-" + std::to_string(w), round);
    }
    for (int w = 0; w < waiters; ++w) {
      auto [ok, returned] = waits[w].get();
      if (!ok) std::fprintf(stderr, "parallel wait failed\n");
      ms.push_back(std::chrono::duration<double, std::milli>(returned - changed[w]).count());
    }
  }
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  int changes = argc > 1 ? std::atoi(argv[1]) : 500;
  int waiters = argc > 2 ? std::atoi(argv[2]) : 50;
  int rounds = argc > 3 ? std::atoi(argv[3]) : 20;
  kubesim::ServerOptions options;
  options.run_controllers = false;
  kubesim::Server server(options);
  if (!server.start().ok()) return 1;
  auto config = kube::config_from_yaml(server.kubeconfig(), "", "");
  if (!config.ok()) return 1;
  auto client = kube::make_client(*config);
  if (!client.ok()) return 1;
  kube::WatchHub hub(**client);

  auto seq = sequential(hub, server.store(), changes);
  report("sequential (1 waiter, 1 object)", seq, (*client)->requests_made());
  std::uint64_t before = (*client)->requests_made();
  auto par = parallel(hub, server.store(), waiters, rounds);
  report("parallel (waiters on one namespace)", par, (*client)->requests_made() - before);
  std::printf("watch streams opened: %zu\n", hub.streams());
  return 0;
}
