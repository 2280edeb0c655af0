// sluice against kubectl on one in-process kubesim, both waiting on the SAME
// Deployment change in the same run: per scenario the medians of interleaved
// repetitions, their ratio and the requests each made (kubesim's audit log);
// then sluice's CPU per rollout by replica count, and fleets of concurrent
// rollouts of distinct Deployments in one namespace. docs/performance.md.
//   compare [--quick] [--reps N] [--replicas 4,20,100,500] [--fleet 10,50,200]
// SLUICE_BIN (default: ../sluice beside this binary) and KUBECTL
// (default /usr/bin/kubectl) name the programs; exit 77 without kubectl.
#include "compare_support.hpp"

#include <sluice/util/sha256.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using bench::Exit;
using bench::Json;
using bench::Stats;

namespace {

struct Options {
  int reps = 5;
  std::vector<int> replicas = {4, 20, 100, 500};
  std::vector<int> fleet = {10, 50, 200};
  std::string sluice;
  std::string kubectl = "/usr/bin/kubectl";
};

struct Ctx {
  Options options;
  bench::EmbeddedCluster& cluster;
  bench::FakeRegistry& registry;
  std::string dir;
  std::string kubeconfig;
};

std::vector<int> parse_list(const std::string& text) {
  std::vector<int> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::atoi(item.c_str()));
  return out;
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--quick") {
      o.reps = 1;
      o.replicas = {4};
      o.fleet = {5};
    } else if (arg == "--reps" && has_value) {
      o.reps = std::atoi(argv[++i]);
    } else if (arg == "--replicas" && has_value) {
      o.replicas = parse_list(argv[++i]);
    } else if (arg == "--fleet" && has_value) {
      o.fleet = parse_list(argv[++i]);
    }
  }
  if (const char* s = std::getenv("SLUICE_BIN")) o.sluice = s;
  if (o.sluice.empty()) {
    char self[4096] = {0};
    const auto n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    std::string exe(self, n > 0 ? static_cast<std::size_t>(n) : 0);
    o.sluice = exe.substr(0, exe.rfind('/')) + "/../sluice";
  }
  if (const char* k = std::getenv("KUBECTL")) o.kubectl = k;
  return o;
}

std::string write_plan(Ctx& c, const std::string& ns, const std::string& name, const std::string& image,
                       const std::string& strategy) {
  const std::string path = c.dir + "/" + ns + "-" + name + ".yaml";
  std::ofstream(path) << "apiVersion: sluice/v1\nkind: Plan\nmetadata:\n  name: " << name
                      << "\ntarget:\n  namespace: " << ns << "\n  deployment: " << name
                      << "\n  service: " << name << "\nimage: " << image
                      << "\nprogressDeadline: 120s\nstrategy:\n"
                      << strategy;
  return path;
}

std::vector<std::string> sluice_args(Ctx& c, std::vector<std::string> verb) {
  verb.insert(verb.begin(), c.options.sluice);
  verb.insert(verb.end(), {"--kubeconfig", c.kubeconfig});
  return verb;
}

std::vector<std::string> kubectl_status(Ctx& c, const std::string& ns, const std::string& deployment) {
  return {c.options.kubectl,          "--kubeconfig",  c.kubeconfig, "-n", ns, "rollout", "status",
          "deployment/" + deployment, "--timeout=120s"};
}

std::uint64_t audit_mark(Ctx& c) {
  return c.cluster.server().audit().to_json()["next"].get<std::uint64_t>();
}

// One `sluice apply` and one `kubectl rollout status` started the moment
// sluice's change lands (one started earlier would see the old, complete
// Deployment and exit at once), both timed against the same completion.
struct Paired {
  Exit sluice;
  Exit kubectl;
  double complete_ms = 0;
  Json audit;
  bool valid = false;  // both succeeded, and kubectl was watching before completion
};

Paired apply_beside_kubectl(Ctx& c, const std::string& ns, const std::string& image,
                            const std::string& strategy) {
  Paired p;
  const std::string plan = write_plan(c, ns, "web", image, strategy);
  const auto mark = audit_mark(c);
  std::future<Exit> kubectl;
  {
    bench::ChangeWatch watch(c.cluster.server(), ns, image, [&](const std::string& name) {
      kubectl = bench::run(kubectl_status(c, ns, name));
    });
    p.sluice = bench::run(sluice_args(c, {"apply", plan})).get();
    p.complete_ms = watch.complete_ms();
  }
  if (kubectl.valid()) p.kubectl = kubectl.get();
  p.audit = c.cluster.server().audit().to_json(mark);
  const auto k = bench::count_requests(p.audit, "kubectl/");
  p.valid = p.sluice.code == 0 && p.kubectl.code == 0 && p.complete_ms > 0 && k.total > 0 &&
            k.first_ms < p.complete_ms;
  return p;
}

struct Side {
  Stats ms;
  Stats requests;
  Stats writes;
  Stats cpu_ms;
  std::string first_write;
};

struct Row {
  std::string scenario;
  std::string measure;
  Side sluice;
  Side kubectl;
  int dropped = 0;
};

void count_into(Side& side, const Json& audit, const std::string& agent) {
  const auto r = bench::count_requests(audit, agent);
  side.requests.values.push_back(r.total);
  side.writes.values.push_back(r.writes);
  if (side.first_write.empty()) side.first_write = r.first_write;
}

void paired_rep(Ctx& c, Row& row, const std::string& ns, const std::string& image,
                const std::string& strategy, bool sluice_exit) {
  const Paired p = apply_beside_kubectl(c, ns, image, strategy);
  if (!p.valid) {
    ++row.dropped;
    std::fprintf(stderr,
                 "%s: sample dropped (sluice exit %d, kubectl exit %d, kubectl's first request %.0f ms "
                 "after completion)\n",
                 row.scenario.c_str(), p.sluice.code, p.kubectl.code,
                 bench::count_requests(p.audit, "kubectl/").first_ms - p.complete_ms);
    return;
  }
  const double sluice_at =
      sluice_exit ? p.sluice.exit_ms : bench::next_write_ms(p.audit, "sluice/", p.complete_ms);
  row.sluice.ms.values.push_back(std::max(0.0, sluice_at - p.complete_ms));
  row.kubectl.ms.values.push_back(p.kubectl.exit_ms - p.complete_ms);
  row.sluice.cpu_ms.values.push_back(p.sluice.cpu_ms);
  row.kubectl.cpu_ms.values.push_back(p.kubectl.cpu_ms);
  count_into(row.sluice, p.audit, "sluice/");
  count_into(row.kubectl, p.audit, "kubectl/");
}

// A blue-green rollout paused before the switch, then `sluice abort` and
// `kubectl patch service` (one write to the same Service), in turn.
void abort_rep(Ctx& c, Row& row, int rep) {
  const std::string ns = "cmp-abort";
  const std::string image = c.registry.image("abort" + std::to_string(rep));
  const std::string plan =
      write_plan(c, ns, "web", image, "  blueGreen:\n    autoPromote: false\n    scaleDownDelay: 0s\n");
  const Exit paused = bench::run(sluice_args(c, {"apply", plan})).get();
  if (paused.code != 4) {
    ++row.dropped;
    std::fprintf(stderr, "abort: apply exit %d, not paused\n", paused.code);
    return;
  }
  auto timed = [&](Side& side, const std::vector<std::string>& args, const std::string& agent) {
    const auto mark = audit_mark(c);
    const Exit e = bench::run(args).get();
    side.ms.values.push_back(e.exit_ms - e.start_ms);
    side.cpu_ms.values.push_back(e.cpu_ms);
    count_into(side, c.cluster.server().audit().to_json(mark), agent);
    return e.code;
  };
  const std::string patch = R"({"metadata":{"annotations":{"bench/rep":")" + std::to_string(rep) + "\"}}}";
  const auto patch_args =
      std::vector<std::string>{c.options.kubectl, "--kubeconfig", c.kubeconfig, "-n",    ns,   "patch",
                               "service",         "web",          "--type",     "merge", "-p", patch};
  if (rep % 2 == 1) timed(row.kubectl, patch_args, "kubectl/");
  const int aborted = timed(row.sluice, sluice_args(c, {"abort", "web", "-n", ns}), "sluice/");
  if (rep % 2 == 0) timed(row.kubectl, patch_args, "kubectl/");
  if (aborted != 0) std::fprintf(stderr, "abort: sluice abort exit %d\n", aborted);
}

std::string ratio(double a, double b) {
  char text[32];
  if (b <= 0) return "-";
  std::snprintf(text, sizeof text, "%.2f", a / b);
  return text;
}

void print_rows(const std::vector<Row>& rows) {
  std::printf("%-11s %-44s %9s %9s %6s %14s %14s %5s\n", "scenario", "measure (median)", "sluice", "kubectl",
              "ratio", "sluice req(w)", "kubectl req(w)", "drop");
  for (const auto& r : rows) {
    const double s = r.sluice.ms.pct(0.5);
    const double k = r.kubectl.ms.pct(0.5);
    char sreq[32];
    char kreq[32];
    std::snprintf(sreq, sizeof sreq, "%.0f (%.0f)", r.sluice.requests.pct(0.5), r.sluice.writes.pct(0.5));
    std::snprintf(kreq, sizeof kreq, "%.0f (%.0f)", r.kubectl.requests.pct(0.5), r.kubectl.writes.pct(0.5));
    std::printf("%-11s %-44s %6.1f ms %6.1f ms %6s %14s %14s %5d\n", r.scenario.c_str(), r.measure.c_str(), s,
                k, ratio(s, k).c_str(), sreq, kreq, r.dropped);
  }
  for (const auto& r : rows)
    if (!r.sluice.first_write.empty())
      std::printf("  %s: sluice's first write: %s\n", r.scenario.c_str(), r.sluice.first_write.c_str());
}

std::vector<Row> side_by_side(Ctx& c) {
  std::vector<Row> rows = {{"rolling", "rollout complete -> process exits", {}, {}, 0},
                           {"blue-green", "new version available -> next write | exit", {}, {}, 0},
                           {"canary", "canary at its step -> next write | exit", {}, {}, 0},
                           {"bg-abort", "start -> exit (abort | patch service)", {}, {}, 0}};
  const std::string rolling = "  rolling:\n    maxSurge: 1\n    maxUnavailable: 0\n";
  const std::string bluegreen = "  blueGreen:\n    scaleDownDelay: 0s\n";
  const std::string canary = "  canary:\n    maxSurge: 1\n    steps:\n      - setWeight: 50\n";
  for (int rep = 1; rep <= c.options.reps; ++rep) {
    const std::string n = std::to_string(rep);
    paired_rep(c, rows[0], "cmp-rolling", c.registry.image("rolling" + n), rolling, true);
    paired_rep(c, rows[1], "cmp-bluegreen", c.registry.image("bluegreen" + n), bluegreen, false);
    paired_rep(c, rows[2], "cmp-canary", c.registry.image("canary" + n), canary, false);
    abort_rep(c, rows[3], rep);
  }
  return rows;
}

void replica_sweep(Ctx& c) {
  std::printf(
      "\nreplica sweep: one rolling apply (maxSurge 100%%) beside `kubectl rollout status`, "
      "medians of %d\n",
      std::max(1, c.options.reps / 2));
  std::printf("%8s %14s %14s %6s %18s %18s %5s\n", "replicas", "sluice CPU", "kubectl CPU", "ratio",
              "sluice done->exit", "kubectl done->exit", "drop");
  const std::string strategy = "  rolling:\n    maxSurge: 100%\n    maxUnavailable: 0\n";
  for (const int replicas : c.options.replicas) {
    const std::string ns = "sweep-" + std::to_string(replicas);
    if (!bench::create_app(c.cluster, ns, "web", replicas, true) ||
        !bench::wait_available(c.cluster, ns, "web")) {
      std::printf("%8d setup failed\n", replicas);
      continue;
    }
    Row row;
    row.scenario = ns;
    for (int rep = 1; rep <= std::max(1, c.options.reps / 2); ++rep)
      paired_rep(c, row, ns, c.registry.image(ns + std::to_string(rep)), strategy, true);
    const double s = row.sluice.cpu_ms.pct(0.5);
    const double k = row.kubectl.cpu_ms.pct(0.5);
    std::printf("%8d %11.0f ms %11.0f ms %6s %15.1f ms %15.1f ms %5d\n", replicas, s, k, ratio(s, k).c_str(),
                row.sluice.ms.pct(0.5), row.kubectl.ms.pct(0.5), row.dropped);
    std::fflush(stdout);
  }
}

// This process's CPU (user + system) so far: the embedded kubesim's, as
// the bench itself is idle while the commands run.
double own_cpu_s() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

struct FleetResult {
  double wall_s = 0;
  double kubesim_cpu_s = 0;
  int failures = 0;
  std::map<int, int> codes;   // exit code -> processes, for failures
  std::string first_failure;  // the last line a failing process printed
  double rss_mb = 0;
  double cpu_s = 0;
};

std::string last_line(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

// `outputs[i]`: where process i wrote, or empty.
FleetResult collect(std::vector<std::future<Exit>>& running, double start_ms,
                    const std::vector<std::string>& outputs = {}) {
  FleetResult r;
  double last = start_ms;
  for (std::size_t i = 0; i < running.size(); ++i) {
    const Exit e = running[i].get();
    last = std::max(last, e.exit_ms);
    r.failures += e.code != 0;
    if (e.code != 0) ++r.codes[e.code];
    if (e.code != 0 && r.first_failure.empty() && i < outputs.size()) r.first_failure = last_line(outputs[i]);
    r.rss_mb += e.max_rss_mb;
    r.cpu_s += e.cpu_ms / 1000.0;
  }
  r.wall_s = (last - start_ms) / 1000.0;
  return r;
}

void fleet_sweep(Ctx& c) {
  std::printf("\nfleet sweep: N concurrent rollouts of N one-replica Deployments in ONE namespace\n");
  std::printf("%5s %12s %6s %10s %10s %11s %14s %6s %10s %11s %6s\n", "N", "sluice wall", "fail",
              "sluice RSS", "sluice CPU", "kubesim CPU", "kubectl wall", "fail", "kubectl RSS", "kubesim CPU",
              "ratio");
  for (const int n : c.options.fleet) {
    const std::string ns = "fleet-" + std::to_string(n);
    bool ok = c.cluster.kube().create(sluice::kube::k_namespaces, "", {{"metadata", {{"name", ns}}}}).ok();
    for (int i = 0; ok && i < n; ++i)
      ok = bench::create_app(c.cluster, ns, "app-" + std::to_string(i), 1, false);
    for (int i = 0; ok && i < n; ++i) ok = bench::wait_available(c.cluster, ns, "app-" + std::to_string(i));
    if (!ok) {
      std::printf("%5d setup failed\n", n);
      continue;
    }
    const std::string strategy = "  rolling:\n    maxSurge: 1\n    maxUnavailable: 0\n";
    std::vector<std::string> plans;
    for (int i = 0; i < n; ++i)
      plans.push_back(write_plan(c, ns, "app-" + std::to_string(i),
                                 c.registry.image(ns + "s" + std::to_string(i)), strategy));
    std::vector<std::future<Exit>> running;
    std::vector<std::string> outputs;
    for (const auto& plan : plans) outputs.push_back(plan + ".out");
    const double sluice_start = bench::wall_ms();
    const double kubesim_before = own_cpu_s();
    for (std::size_t i = 0; i < plans.size(); ++i)
      running.push_back(bench::run(sluice_args(c, {"apply", plans[i]}), outputs[i]));
    FleetResult s = collect(running, sluice_start, outputs);
    s.kubesim_cpu_s = own_cpu_s() - kubesim_before;
    running.clear();
    const double kubectl_start = bench::wall_ms();
    for (int i = 0; i < n; ++i) {
      const std::string name = "app-" + std::to_string(i);
      const Json change = {
          {"spec",
           {{"template",
             {{"spec",
               {{"containers",
                 {{{"name", "web"}, {"image", c.registry.image(ns + "k" + std::to_string(i))}}}}}}}}}}};
      (void)c.cluster.kube().patch(sluice::kube::k_deployments, ns, name, sluice::kube::PatchType::strategic,
                                   change);
      running.push_back(bench::run(kubectl_status(c, ns, name)));
    }
    FleetResult k = collect(running, kubectl_start);
    k.kubesim_cpu_s = own_cpu_s() - kubesim_before - s.kubesim_cpu_s;
    std::printf("%5d %10.1f s %6d %7.0f MB %8.1f s %9.1f s %12.1f s %6d %8.0f MB %9.1f s %6s\n", n, s.wall_s,
                s.failures, s.rss_mb, s.cpu_s, s.kubesim_cpu_s, k.wall_s, k.failures, k.rss_mb,
                k.kubesim_cpu_s, ratio(s.wall_s, k.wall_s).c_str());
    for (const auto& [code, count] : s.codes)
      std::printf("      sluice exit %d: %d processes\n", code, count);
    if (!s.first_failure.empty()) std::printf("      a failing sluice said: %s\n", s.first_failure.c_str());
    std::fflush(stdout);
  }
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

kubesim::ServerOptions compare_cluster() {
  kubesim::ServerOptions o;
  // Pods take 500 ms to start, so a kubectl started the moment a change
  // lands is watching well before the rollout completes.
  o.sim_config = {{"timing", {{"controllerDelayMs", 2}, {"podDeleteMs", 5}}},
                  {"default", {{"startupMs", 500}}}};
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options options = parse_options(argc, argv);
  if (::access(options.kubectl.c_str(), X_OK) != 0) {
    std::printf("compare: no kubectl at %s (set KUBECTL): skipped\n", options.kubectl.c_str());
    return 77;
  }
  bench::EmbeddedCluster cluster(compare_cluster());
  if (!cluster.start()) return 1;
  char dir_template[] = "/tmp/sluice-compare-XXXXXX";
  bench::FakeRegistry registry;
  Ctx c{options, cluster, registry, ::mkdtemp(dir_template), ""};
  c.kubeconfig = c.dir + "/kubeconfig";
  std::ofstream(c.kubeconfig) << cluster.server().kubeconfig();
  for (const char* ns : {"cmp-rolling", "cmp-bluegreen", "cmp-canary", "cmp-abort"}) {
    if (!bench::create_app(cluster, ns, "web", 4, true) || !bench::wait_available(cluster, ns, "web")) {
      std::fprintf(stderr, "setting up %s failed\n", ns);
      return 1;
    }
  }
  std::printf("compare: sluice %s vs kubectl %s on an in-process kubesim (4 replicas, pod start-up 500 ms)\n",
              options.sluice.c_str(), options.kubectl.c_str());
  std::printf("load average at start: %s (%ld cores)\n", load_average().c_str(),
              ::sysconf(_SC_NPROCESSORS_ONLN));
  std::printf("\nside by side, medians of %d interleaved repetitions; kubectl waits on the same change\n",
              options.reps);
  print_rows(side_by_side(c));
  std::fflush(stdout);
  replica_sweep(c);
  fleet_sweep(c);
  std::printf("\nload average at end: %s\n", load_average().c_str());
  std::filesystem::remove_all(c.dir);
  return 0;
}
