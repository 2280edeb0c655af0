// Data sources behind checks: Prometheus queries, HTTP probes and webhooks,
// each turning one attempt into a judged Measurement. The engine fills a
// CheckContext with what the templates may refer to.
#pragma once

#include <sluice/gate/measurement.hpp>
#include <sluice/util/clock.hpp>
#include <sluice/util/result.hpp>

#include <map>
#include <memory>
#include <string>

namespace sluice::http {
class Client;
}
namespace sluice::plan {
struct Check;
}

namespace sluice::gate {

class SecretReader;

// What a check is measuring: the template variables of queries and URLs, and
// the description POSTed to webhooks.
struct CheckContext {
  std::string rollout;      // {{name}}: the plan's metadata.name
  std::string ns;           // {{namespace}}
  std::string service;      // {{service}}
  std::string canary_hash;  // {{canary_hash}}: pod-template-hash of the new version
  std::string stable_hash;  // {{stable_hash}}: pod-template-hash of the serving version
  std::string digest;       // {{digest}}: the new image, by digest
  std::string strategy;     // "rolling", "blueGreen", "canary"
  int step = -1;            // {{step}}: index of the step being gated, -1 when none
  int weight = -1;          // {{weight}}: canary traffic percent, -1 when not a canary

  // name -> value for every variable above; also "hash" = canary_hash.
  std::map<std::string, std::string> variables() const;
  // The same with "hash" = stable_hash: what a baseline query runs with.
  std::map<std::string, std::string> baseline_variables() const;
};

// Replaces each {{name}} (spaces inside the braces allowed) by its value.
// An unknown name or an unclosed "{{" is an invalid error naming it.
util::Result<std::string> expand_template(const std::string& text,
                                          const std::map<std::string, std::string>& variables);

class Provider {
 public:
  virtual ~Provider() = default;
  // Takes one measurement. Never throws for data-source trouble: that is a
  // Measurement with Phase::error and a message naming the source.
  virtual Measurement measure(const CheckContext& context, const util::CancelToken* cancel) = 0;
};

// The provider for a plan check (prometheus, http or webhook). `client`,
// `clock` and `secrets` must outlive it; `clock` stamps measurements.
// Credentials are resolved through `secrets` (default_secret_reader() when
// null) at each measurement, in CheckContext::ns; one that cannot be is an
// Error measurement, and nothing is sent.
std::unique_ptr<Provider> make_provider(const plan::Check& check, http::Client& client, util::Clock& clock,
                                        SecretReader* secrets = nullptr);

}  // namespace sluice::gate
