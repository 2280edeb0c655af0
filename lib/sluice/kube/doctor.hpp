// `sluice doctor`: can sluice reach the cluster, who does it authenticate as,
// do the plan's namespace, Deployment and Service exist, and may it do there
// everything a rollout does (kube/permissions.hpp). The report is
// printed by report/doctor.hpp; the CLI chooses the exit code.
#pragma once

#include <sluice/kube/client.hpp>
#include <sluice/kube/config.hpp>
#include <sluice/kube/permissions.hpp>

#include <optional>
#include <string>
#include <vector>

namespace sluice::kube {

struct DoctorTarget {
  std::string ns;
  std::string deployment;   // empty: not checked
  std::string service;      // empty: not checked
  PermissionNeeds needs{};  // what the plan uses beyond every rollout's needs
};

struct DoctorCheck {
  std::string name;  // "reachable", "authenticated as", "namespace prod", ...
  bool ok = false;
  std::string detail;    // "https://127.0.0.1:6443 (v1.29.0)", "system:admin", the error
  bool warning = false;  // ok, but worth a look (a query with no data yet); never fails the doctor
};

struct DoctorReport {
  std::string context;
  std::vector<DoctorCheck> checks;
  bool ok() const;
};

// Runs the checks against `client`; later checks are skipped when the cluster is unreachable.
DoctorReport run_doctor(Client& client, const Config& config, const std::optional<DoctorTarget>& target);

}  // namespace sluice::kube
