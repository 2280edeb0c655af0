// Who is told of each attempt the kube client makes: the transport it sends
// through (what ClientOptions::http_factory made) when that transport is also
// an AttemptListener. listening_transport() builds one around any transport;
// telemetry counts API requests and retries by verb and code with it.
#pragma once

#include <sluice/http/client.hpp>

#include <functional>
#include <memory>
#include <string>

namespace sluice::kube {

// One HTTP attempt, once the client has judged its answer.
struct ApiAttempt {
  std::string verb;      // the HTTP method; WATCH for a watch request
  std::string code;      // the HTTP status ("200", "429"); "<error>" when no answer came
  bool retried = false;  // the client sends it again
};

class AttemptListener {
 public:
  virtual ~AttemptListener() = default;
  // May be called from several threads at once (watches run on their own).
  virtual void attempt(const ApiAttempt& attempt) = 0;
};

using AttemptHook = std::function<void(const ApiAttempt&)>;

// `inner`, unchanged, that tells `hook` of each attempt the kube client makes through it.
std::unique_ptr<http::Client> listening_transport(std::unique_ptr<http::Client> inner, AttemptHook hook);

}  // namespace sluice::kube
