// Where a run's metrics go: a text file replaced atomically (for
// node_exporter's textfile collector, which may read it at any moment) and a
// Pushgateway group per rollout. Both at the end of the run, both bounded.
#pragma once

#include <sluice/http/client.hpp>
#include <sluice/util/result.hpp>

#include <string>

namespace sluice::telemetry {

// Writes `text` to a temporary file beside `path`, flushes it and renames it
// over `path`: a reader sees the old file or the new one, never a part.
util::Status write_metrics_file(const std::string& path, const std::string& text);

// "<base>/metrics/job/sluice/rollout/<rollout>/namespace/<ns>": the group this
// rollout's metrics replace. Values are base64url-encoded (`label@base64`)
// when they hold anything but letters, digits, '-', '_' and '.'.
std::string pushgateway_group_url(std::string base, const std::string& rollout, const std::string& ns);

// PUT of `text` to `group_url` (replacing the group), one attempt, `timeout` in all.
util::Status push_metrics(http::Client& client, const std::string& group_url, const std::string& text,
                          util::Duration timeout);

}  // namespace sluice::telemetry
