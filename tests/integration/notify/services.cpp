#include "services.hpp"

#include <sluice/http/client.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "support/prometheus_process.hpp"

namespace sluice::testing {

namespace {

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

void ServiceProcess::start(const std::string& binary, std::vector<std::string> args,
                           const std::string& ready_path) {
  port_ = free_loopback_port();
  args.insert(args.begin(), binary);
  args.push_back("--web.listen-address=127.0.0.1:" + std::to_string(port_));
  pid_ = spawn(args, (dir_.path() / "service.log").string());
  if (pid_ < 0) throw std::runtime_error("fork failed");
  auto client = http::make_curl_client({});
  bool ready = eventually(
      [&] {
        http::Request request{.url = address() + ready_path};
        request.timeout = std::chrono::milliseconds(500);
        auto response = client->send(request);
        return response.ok() && response->status == 200;
      },
      std::chrono::seconds(20));
  if (!ready) throw std::runtime_error(binary + " did not become ready: " + log());
}

ServiceProcess::~ServiceProcess() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

std::string ServiceProcess::log() const {
  std::ifstream in(dir_.path() / "service.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

AlertmanagerProcess::AlertmanagerProcess(const std::string& webhook_url) {
  auto config = dir_.write("alertmanager.yml",
                           "route:\n  receiver: capture\n  group_by: ['alertname', 'rollout']\n"
                           "  group_wait: 0s\n  group_interval: 1s\n  repeat_interval: 1h\n"
                           "receivers:\n  - name: capture\n    webhook_configs:\n      - url: '" +
                               webhook_url + "'\n        send_resolved: true\n");
  std::filesystem::create_directories(dir_.path() / "data");
  start("/usr/bin/prometheus-alertmanager",
        {"--config.file=" + config.string(), "--storage.path=" + (dir_.path() / "data").string(),
         "--cluster.listen-address=", "--log.level=warn"},
        "/-/ready");
}

PushgatewayProcess::PushgatewayProcess() {
  start("/usr/bin/prometheus-pushgateway", {"--log.level=warn"}, "/-/ready");
}

}  // namespace sluice::testing
