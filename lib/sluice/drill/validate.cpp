#include <sluice/drill/validate.hpp>

#include <sluice/plan/drill_parser.hpp>
#include <sluice/report/validate.hpp>

#include <ostream>
#include <set>

namespace sluice::drill {

std::vector<plan::Diagnostic> check_contexts(const plan::Drill& drill, const kube::LoadOptions& kubeconfig) {
  std::vector<plan::Diagnostic> problems;
  for (const plan::ContextRef& context : drill.contexts()) {
    kube::LoadOptions options = kubeconfig;
    options.context = context.name;
    auto config = kube::load_kubeconfig(options);
    if (config) continue;
    problems.push_back(
        {drill.source_path, context.pos.line, context.pos.column, context.path, config.error().message});
  }
  return problems;
}

namespace {

void print(const nlohmann::ordered_json& line, std::ostream& out) {
  out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace

bool validate_drill_file(const std::string& path, const kube::LoadOptions& kubeconfig, bool json,
                         std::ostream& out, std::ostream& err) {
  plan::DrillParse parse = plan::load_drill(path);
  std::vector<plan::Diagnostic> problems = parse.diagnostics;
  const bool checked = kube::kubeconfig_exists(kubeconfig);
  if (parse.ok() && checked) problems = check_contexts(*parse.drill, kubeconfig);
  for (const plan::Diagnostic& problem : problems) {
    if (json) {
      print(report::to_json(problem), out);
    } else {
      err << problem.to_string() << "\n";
    }
  }
  if (json) {
    print({{"file", path},
           {"kind", "Drill"},
           {"valid", problems.empty()},
           {"errors", problems.size()},
           {"contextsChecked", checked}},
          out);
  } else if (problems.empty()) {
    out << path << ": valid" << (checked ? "" : kube::k_contexts_unchecked) << "\n";
  }
  return problems.empty();
}

}  // namespace sluice::drill
