// kubesim's command line: parses flags, starts the Server, writes the
// kubeconfig atomically once it listens, and stops cleanly on SIGTERM/SIGINT.
#include <kubesim/app.hpp>
#include <kubesim/patch.hpp>
#include <kubesim/server.hpp>
#include <sluice/util/version.hpp>

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <sys/resource.h>

namespace kubesim {

namespace {

sluice::util::Status write_atomically(const std::string& path, const std::string& content) {
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out.flush())
      return sluice::util::make_error(sluice::util::ErrorKind::invalid, "cannot write '" + temp + "'");
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    return sluice::util::make_error(sluice::util::ErrorKind::invalid,
                                    "cannot rename '" + temp + "' to '" + path + "'");
  }
  return {};
}

Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return sluice::util::make_error(sluice::util::ErrorKind::not_found, "cannot read '" + path + "'");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Every open watch is a socket; a soft limit of 1024 descriptors would cap
// kubesim near a thousand watches. Go programs (the apiserver) raise it too.
void raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  (void)::setrlimit(RLIMIT_NOFILE, &limit);
}

struct Flags {
  ServerOptions options;
  std::string kubeconfig_file;
  std::string config_file;
  std::string token_file;
  std::string token;
  int bookmark_ms = 5000;
};

void add_flags(CLI::App& app, Flags& f) {
  app.add_option("--port", f.options.port, "port to listen on (0 picks a free port)")->capture_default_str();
  app.add_option(
      "--write-kubeconfig", f.kubeconfig_file,
      "write a kubeconfig for this server to FILE once it is ready (atomically: appears complete)");
  app.add_flag("--tls", f.options.tls,
               "serve HTTPS (a CA and certificate are generated unless --tls-cert/--tls-key)");
  app.add_option("--tls-cert", f.options.tls_cert_file, "server certificate (PEM) for --tls");
  app.add_option("--tls-key", f.options.tls_key_file, "server private key (PEM) for --tls");
  app.add_option("--client-ca", f.options.client_ca_file,
                 "accept client certificates signed by this CA (user = CN, groups = O)");
  app.add_option("--token", f.token,
                 "accept this bearer token as an admin (enables authentication and RBAC)");
  app.add_option(
      "--token-file", f.token_file,
      "accept the bearer tokens in FILE, one per line: kube-apiserver's token,user,uid,\"group1,group2\" "
      "or a bare token (an admin in system:masters)");
  app.add_option("--config", f.config_file,
                 "simulation config (YAML or JSON): timing and per-image behaviour");
  app.add_option("--audit-log", f.options.audit_log_file, "append every audit record to FILE as JSON lines");
  app.add_flag("!--no-controllers", f.options.run_controllers,
               "serve the API only: no simulated controllers or kubelet");
  app.add_option("--bookmark-interval-ms", f.bookmark_ms, "interval between watch BOOKMARK events")
      ->capture_default_str();
  app.add_flag("!--no-watch-list", f.options.watch_list,
               "refuse watches with sendInitialEvents (422), as an API server without the WatchList feature");
  app.add_option("--threads", f.options.threads,
                 "connection threads kept ready (each open connection, a watch too, holds one)")
      ->capture_default_str();
}

sluice::util::Status finish_options(Flags& f) {
  f.options.bookmark_interval = std::chrono::milliseconds(f.bookmark_ms);
  if (!f.token.empty()) f.options.tokens.push_back(f.token);
  if (!f.token_file.empty()) {
    auto text = read_text(f.token_file);
    if (!text.ok()) return text.error();
    std::stringstream lines(*text);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) f.options.tokens.push_back(line);
    }
  }
  if (!f.config_file.empty()) {
    auto text = read_text(f.config_file);
    if (!text.ok()) return text.error();
    auto parsed = parse_json_or_yaml(*text);
    if (!parsed.ok()) return parsed.error().with_context("reading '" + f.config_file + "'");
    f.options.sim_config = *parsed;
  }
  return {};
}

}  // namespace

int run_app(int argc, char** argv) {
  CLI::App app{
      "kubesim: a Kubernetes API simulator for tests and demos.\n"
      "Serves the Kubernetes REST API on 127.0.0.1 with simulated controllers and kubelet;\n"
      "point kubectl at it with the kubeconfig from --write-kubeconfig. Control API: /kubesim/v1 "
      "(docs/kubesim.md)."};
  Flags flags;
  add_flags(app, flags);
  app.set_version_flag("--version", sluice::util::version_line("kubesim"));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (auto done = finish_options(flags); !done.ok()) {
    std::cerr << "kubesim: " << done.error().message << "\n";
    return 2;
  }
  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  raise_open_file_limit();
  Server server(flags.options);
  if (auto started = server.start(); !started.ok()) {
    std::cerr << "kubesim: " << started.error().message << "\n";
    return 1;
  }
  if (!flags.kubeconfig_file.empty()) {
    if (auto written = write_atomically(flags.kubeconfig_file, server.kubeconfig()); !written.ok()) {
      std::cerr << "kubesim: " << written.error().message << "\n";
      return 1;
    }
  }
  std::cout << "kubesim listening on " << server.url() << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  std::cout << "kubesim: stopping on signal " << received << std::endl;
  server.stop();
  return 0;
}

}  // namespace kubesim
