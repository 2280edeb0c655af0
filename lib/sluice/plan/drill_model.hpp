// The in-memory form of a drill document (`kind: Drill`, docs/drills.md): a
// service running in several regions (clusters), where the drill's record
// lives, how traffic moves between regions, and the recovery objectives.
#pragma once

#include <sluice/plan/model.hpp>

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sluice::plan {

// A kubeconfig context named in the document, with where it was written, so
// that a context the kubeconfig lacks is reported at its place in the file.
struct ContextRef {
  std::string name;
  std::string path;  // e.g. service[1].context
  SourcePos pos;
};

struct Region {
  std::string name;
  ContextRef context;
  std::string ns;
  std::string deployment;
};

struct DrillRecordPlace {
  ContextRef context;
  std::string ns;
};

// A Gateway API HTTPRoute whose backendRefs are the regions' backends.
struct HttpRouteDirector {
  ContextRef context;
  std::string ns;
  std::string name;
  // Region -> the name of its backendRef (a Service); a region left out is
  // reached through the backendRef named as the region.
  std::map<std::string, std::string> backends;
  std::string backend_of(const std::string& region) const;
};

// POSTs the traffic shares to the user's automation; the secret goes in `header`.
struct WebhookDirector {
  std::string url;
  SecretRef secret;                      // env or file only
  std::string header = "Authorization";  // the secret is sent as this header's value
  Duration timeout{10000};
};

struct NoDirector {};

using Director = std::variant<NoDirector, HttpRouteDirector, WebhookDirector>;

struct Objectives {
  std::optional<Duration> rto;       // failure action -> all recovery gates green
  std::optional<Duration> failback;  // failback started -> everything back to the record
};

struct Drill {
  std::string name;
  std::vector<Region> regions;
  DrillRecordPlace record;
  Director director;
  std::string failover_from;  // a region's name
  std::map<std::string, Check> checks;
  Objectives objectives;
  std::string source_path;

  const Region* region(const std::string& region_name) const;
  // Every context the drill uses, in document order (regions, record, director).
  std::vector<ContextRef> contexts() const;
};

}  // namespace sluice::plan
