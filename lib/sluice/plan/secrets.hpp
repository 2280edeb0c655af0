// Keeping a plan's credentials out of everything sluice stores or prints:
// the plan text recorded in the cluster with inline secrets replaced by
// k_redacted, and the warnings `validate` gives about inline secrets.
#pragma once

#include <sluice/plan/diagnostic.hpp>
#include <sluice/plan/model.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace sluice::plan {

// `text` (a plan) with every inline secret replaced by k_redacted: values of
// credential headers (http::is_secret_header, or "Bearer ..."/"Basic ..."
// values), basicAuth passwords, bearer tokens, and in every URL the
// user-info and credential query values. valueFrom references are kept.
// Layout and comments are kept when the values can be replaced in place;
// otherwise the document is written out again. Text that is not YAML
// gives "" (recording nothing beats recording a secret).
std::string redact_plan_text(std::string_view text);

// Whether a header value is a credential: by its name, or by an
// authentication scheme at its start ("Bearer x", "Basic x").
bool is_secret_header_value(const std::string& name, const std::string& value);

// True when `value` is what redact_plan_text left for an inline secret.
bool is_redacted(const SecretValue& value);
// True when a URL holds what redact_plan_text left for a credential.
bool has_redacted_credentials(const std::string& url);

// True when a check reads a credential from a Kubernetes Secret
// (secretKeyRef): sluice then needs `get` on secrets in the namespace.
bool reads_kubernetes_secrets(const Plan& plan);

// One warning per inline secret in the plan's checks (validate prints them;
// they do not make the plan invalid).
std::vector<Diagnostic> inline_secret_warnings(const Plan& plan);

}  // namespace sluice::plan
