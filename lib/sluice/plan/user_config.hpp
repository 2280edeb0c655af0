// The user/CI-wide config file ($XDG_CONFIG_HOME/sluice/config.yaml, or
// --config FILE): settings every rollout of this user or CI job shares, today
// its notification receivers (docs/notifications.md). Parsed with the plan's
// rules and file:line:col diagnostics.
#pragma once

#include <sluice/plan/diagnostic.hpp>
#include <sluice/plan/notifications.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::plan {

struct UserConfig {
  Notifications notifications;
};

struct ConfigParse {
  std::optional<UserConfig> config;  // set exactly when diagnostics is empty
  std::vector<Diagnostic> diagnostics;
};

ConfigParse parse_user_config(std::string_view bytes, const std::string& file);

// Reads and parses `path` (size-capped, regular files only, as plans are).
ConfigParse load_user_config(const std::string& path);

// Where the config file is when --config is not given: $XDG_CONFIG_HOME/sluice/config.yaml,
// else $HOME/.config/sluice/config.yaml; "" when neither variable is set.
std::string default_user_config_path(const char* xdg_config_home, const char* home);

}  // namespace sluice::plan
