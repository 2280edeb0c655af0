// What `sluice status` shows of a rollout: its record, the versions' ready
// counts and who holds the lock. The engine reads it from the cluster;
// report/status prints it.
#pragma once

#include <sluice/state/record.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace sluice::state {

struct StatusView {
  std::optional<Record> record;
  std::string lock_holder;                            // empty when free (or its lease ran out)
  bool abandoned = false;                             // in progress, but no live process holds the lock
  nlohmann::json versions = nlohmann::json::array();  // [{name, role, image, ready, desired, held}]
  int exit_code = 0;                                  // docs/exit-codes.md, "sluice status"
  std::string resource_version;  // of the record's ConfigMap as read: changes after it are new
  // The commands a note prints, with the flags that reach this rollout from
  // the shell that asked; empty: `sluice apply` and `sluice abort` bare.
  std::string resume_command;  // "`sluice apply web.yaml -n shop`"
  std::string abort_command;   // "`sluice abort web -n shop`"
};

}  // namespace sluice::state
