// Debian's real prometheus-alertmanager and prometheus-pushgateway, started
// on 127.0.0.1 by a test with a temporary config and storage, stopped (by
// their own pid) when it ends.
#pragma once

#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace sluice::testing {

class ServiceProcess {
 public:
  ~ServiceProcess();
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  std::string address() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  std::string log() const;

 protected:
  ServiceProcess() = default;
  // Runs `binary` with `args` (the listen address appended) and waits (bounded) for `ready_path`.
  void start(const std::string& binary, std::vector<std::string> args, const std::string& ready_path);
  TempDir dir_{"sluice-service"};

 private:
  int port_ = 0;
  int pid_ = -1;
};

// Alertmanager routing every alert to one webhook receiver at `webhook_url`,
// without waiting to group them.
class AlertmanagerProcess : public ServiceProcess {
 public:
  explicit AlertmanagerProcess(const std::string& webhook_url);
};

class PushgatewayProcess : public ServiceProcess {
 public:
  PushgatewayProcess();
};

}  // namespace sluice::testing
