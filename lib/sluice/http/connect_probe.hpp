// Opening a connection to a URL's host without sending a request: how
// `sluice doctor` checks an HTTP check or webhook endpoint is reachable
// without judging an answer (the new version is not running yet) or
// triggering a webhook's side effects.
#pragma once

#include <sluice/util/clock.hpp>

#include <string>

namespace sluice::http {

enum class ConnectOutcome {
  connected,   // TCP (and for https the TLS handshake) succeeded
  unresolved,  // the host name does not resolve from here
  failed,      // refused, unreachable, timed out, TLS failure, bad URL
};

struct ConnectProbe {
  ConnectOutcome outcome = ConnectOutcome::failed;
  std::string host;     // as the URL names it
  std::string message;  // why it failed; empty when connected
};

// Resolves the host of `url` and opens a connection, then closes it. Nothing
// is sent; `timeout` bounds the whole attempt.
ConnectProbe probe_connect(const std::string& url, util::Duration timeout);

}  // namespace sluice::http
