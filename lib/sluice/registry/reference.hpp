// Image references, parsed offline with the grammar of distribution/reference
// (what `docker pull` accepts), so a plan can be checked without a registry.
#pragma once

#include <sluice/util/result.hpp>

#include <optional>
#include <string>

namespace sluice::registry {

// A reference parsed the way Docker parses it: "nginx" is
// docker.io/library/nginx:latest; "localhost:5000/app@sha256:..." keeps its port.
struct ImageRef {
  std::string domain;      // "docker.io", "localhost:5000", "ghcr.io"
  std::string repository;  // "library/nginx", "team/app"
  std::string tag;         // "" when the reference has only a digest
  std::string digest;      // "sha256:<64 hex>" or ""

  // Host (and port) the distribution API is reached on: docker.io -> registry-1.docker.io.
  std::string api_host() const;
  // "docker.io/library/nginx"
  std::string name() const;
  // Canonical text: name, then ":tag" when set, then "@digest" when set.
  std::string str() const;
  // What a pull names once resolved: "<name>@<digest>".
  std::string pinned(const std::string& manifest_digest) const;
};

// Errors are ErrorKind::invalid with text such as
// `invalid image reference "Foo": repository name must be lowercase`; the
// reference is quoted with util::quoted (escaped, cut when long).
util::Result<ImageRef> parse_image_ref(const std::string& text);

// Why `text` is not a valid reference ("invalid tag format"), or nothing when
// it is one; for callers that word their own message (plan diagnostics).
std::optional<std::string> image_ref_problem(const std::string& text);

}  // namespace sluice::registry
