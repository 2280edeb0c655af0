#include "support/prometheus_process.hpp"

#include <sluice/http/client.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <vector>

namespace sluice::testing {

int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("no free loopback port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

namespace {

std::string config_for(int scrape_port, const std::vector<std::string>& paths) {
  std::string config = "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n";
  for (std::size_t i = 0; i < paths.size(); ++i) {
    config += "  - job_name: target" + std::to_string(i) + "\n    metrics_path: '" + paths[i] +
              "'\n    static_configs:\n      - targets: ['127.0.0.1:" + std::to_string(scrape_port) + "']\n";
  }
  return config;
}

int spawn(const std::vector<std::string>& args, const std::string& log_path) {
  int pid = ::fork();
  if (pid != 0) return pid;
  int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (log >= 0) {
    ::dup2(log, 1);
    ::dup2(log, 2);
  }
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

}  // namespace

PrometheusProcess::PrometheusProcess(int scrape_port, const std::vector<std::string>& paths) {
  auto config = dir_.write("prometheus.yml", config_for(scrape_port, paths));
  std::filesystem::create_directories(dir_.path() / "data");
  port_ = free_loopback_port();
  pid_ = spawn({"/usr/bin/prometheus", "--config.file=" + config.string(),
                "--storage.tsdb.path=" + (dir_.path() / "data").string(),
                "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=warn"},
               (dir_.path() / "prometheus.log").string());
  if (pid_ < 0) throw std::runtime_error("fork failed");
  auto client = http::make_curl_client({});
  bool ready = eventually(
      [&] {
        http::Request request;
        request.url = address() + "/-/ready";
        request.timeout = std::chrono::milliseconds(500);
        auto response = client->send(request);
        return response.ok() && response->status == 200;
      },
      std::chrono::seconds(20));
  if (!ready) {
    kill();
    throw std::runtime_error("prometheus did not become ready on port " + std::to_string(port_));
  }
}

PrometheusProcess::~PrometheusProcess() {
  kill();
}

void PrometheusProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

// No idle keep-alive: stop() would otherwise wait for idle connections to time out.
LoopbackServer::LoopbackServer() {
  server_.set_keep_alive_timeout(0);
}

void LoopbackServer::start() {
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("cannot bind a loopback port");
  // Bound already: connections queue in the kernel until the thread accepts.
  thread_ = std::thread([this] { server_.listen_after_bind(); });
}

LoopbackServer::~LoopbackServer() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace sluice::testing
