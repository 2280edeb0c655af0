// The in-memory form of a release (docs/releases.md): one image deployed to
// many targets (kubeconfig context, namespace, plan), ordered in waves, with
// one decision for the whole when a target fails.
#pragma once

#include <sluice/plan/model.hpp>

#include <map>
#include <string>
#include <vector>

namespace sluice::plan {

// What a failed target does to the targets the release has already done.
enum class OnFailure { rollback_all, hold };
inline const char* to_string(OnFailure on_failure) {
  return on_failure == OnFailure::hold ? "hold" : "rollbackAll";
}

struct ReleaseTarget {
  std::string context;    // kubeconfig context (required)
  std::string ns;         // namespace (required)
  std::string plan_file;  // as written in the release
  std::string plan_path;  // resolved against the release file's directory
  SourcePos pos;          // the target's place in the release file
  // The plan as read with the release's image, and this target's context and
  // namespace, replacing the plan's own (they are part of its hash).
  Plan plan;
  std::string plan_text;  // the plan file's bytes, for its rollout record
};

struct Wave {
  std::string name;
  int max_parallel = 1;    // targets running at once
  Duration bake{0};        // the release's checks must stay green this long after the wave
  int failure_budget = 0;  // targets of this wave that may fail before the release decides
  std::vector<ReleaseTarget> targets;
  SourcePos pos;
};

// Where the release's own record and lock live.
struct RecordPlace {
  std::string context;
  std::string ns;
  SourcePos pos;
};

struct Release {
  std::string name;   // metadata.name
  std::string image;  // resolved once; every target deploys its digest
  std::vector<std::string> platforms;
  RecordPlace record;
  OnFailure on_failure = OnFailure::rollback_all;
  std::map<std::string, Check> checks;  // gate the progression between waves
  std::vector<Wave> waves;

  std::string source_path;
  std::string source_hash;  // sha256 of the release file's bytes
};

}  // namespace sluice::plan
