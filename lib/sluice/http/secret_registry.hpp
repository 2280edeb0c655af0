// Secret values known by value rather than by where they stand: a Slack
// webhook URL is a secret in its path, a routing key in a JSON body. Whoever
// reads such a value registers it once; every redaction (redact_url,
// redact_header, and text passed to redact_registered) then hides it.
#pragma once

#include <string>
#include <string_view>

namespace sluice::http {

// Remembers `value` for the rest of the process (thread-safe). Values shorter
// than 4 bytes are ignored: hiding every "a" would make all text unreadable.
void register_secret(std::string value);

// `text` with every registered value replaced by `marker`, longest first.
std::string redact_registered(std::string text, std::string_view marker = "***");

}  // namespace sluice::http
