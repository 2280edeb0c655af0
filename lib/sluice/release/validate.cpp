#include <sluice/release/validate.hpp>

#include <sluice/plan/release_parser.hpp>
#include <sluice/report/release_preview.hpp>
#include <sluice/report/validate.hpp>

#include <map>
#include <optional>
#include <ostream>

namespace sluice::release {

using plan::Diagnostic;
using plan::Release;

namespace {

// The first place each context is named: path and position in the release.
struct Named {
  std::string path;
  plan::SourcePos pos;
};

std::map<std::string, Named> named_contexts(const Release& release) {
  std::map<std::string, Named> names;
  names.emplace(release.record.context, Named{"record.context", release.record.pos});
  for (std::size_t w = 0; w < release.waves.size(); ++w) {
    const auto& targets = release.waves[w].targets;
    for (std::size_t t = 0; t < targets.size(); ++t) {
      std::string path = "waves[" + std::to_string(w) + "].targets[" + std::to_string(t) + "].context";
      names.emplace(targets[t].context, Named{path, targets[t].pos});
    }
  }
  return names;
}

void print(const std::string& path, const std::vector<Diagnostic>& problems, bool json, std::ostream& out,
           std::ostream& err) {
  auto dump = [](const nlohmann::ordered_json& line) {
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  for (const auto& problem : problems) {
    if (json) {
      out << dump(report::to_json(problem)) << "\n";
    } else {
      err << problem.to_string() << "\n";
    }
  }
  if (json) {
    out << dump({{"file", path}, {"valid", false}, {"errors", problems.size()}}) << "\n";
  }
}

// The release, or nullopt after printing why it is not valid; its contexts
// are checked against `kubeconfig` when `contexts_checked`.
std::optional<Release> load_valid(const std::string& path, const kube::LoadOptions& kubeconfig,
                                  bool contexts_checked, bool json, std::ostream& out, std::ostream& err) {
  plan::ReleaseParse parse = plan::load_release(path);
  std::vector<Diagnostic> problems = std::move(parse.diagnostics);
  if (parse.ok() && contexts_checked) problems = check_contexts(*parse.release, kubeconfig);
  if (problems.empty()) return std::move(parse.release);
  print(path, problems, json, out, err);
  return std::nullopt;
}

}  // namespace

std::vector<Diagnostic> check_contexts(const Release& release, const kube::LoadOptions& kubeconfig) {
  std::vector<Diagnostic> problems;
  for (const auto& [name, where] : named_contexts(release)) {
    kube::LoadOptions options = kubeconfig;
    options.context = name;
    auto config = kube::load_kubeconfig(options);
    if (config) continue;
    problems.push_back({release.source_path, where.pos.line, where.pos.column, where.path,
                        "context " + plan::quoted(name) + " cannot be used: " + config.error().message});
  }
  std::stable_sort(problems.begin(), problems.end(),
                   [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
  return problems;
}

bool validate_release(const std::string& path, const kube::LoadOptions& kubeconfig, bool json,
                      std::ostream& out, std::ostream& err) {
  const bool checked = kube::kubeconfig_exists(kubeconfig);
  auto release = load_valid(path, kubeconfig, checked, json, out, err);
  if (!release) return false;
  if (json) {
    out << nlohmann::ordered_json{{"file", path},
                                  {"valid", true},
                                  {"sha256", release->source_hash},
                                  {"contextsChecked", checked}}
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
        << "\n";
  } else {
    out << path << ": valid" << (checked ? "" : kube::k_contexts_unchecked) << "\n";
  }
  return true;
}

bool preview_release(const std::string& path, const kube::LoadOptions& kubeconfig, bool json,
                     std::ostream& out, std::ostream& err) {
  auto release = load_valid(path, kubeconfig, kube::kubeconfig_exists(kubeconfig), json, out, err);
  if (!release) return false;
  for (const auto& line : report::describe_release(*release)) {
    if (json) {
      out << line.json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      out << line.text << "\n";
    }
  }
  return true;
}

}  // namespace sluice::release
