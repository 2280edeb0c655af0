#include <sluice/report/validate.hpp>

#include <sluice/plan/parser.hpp>
#include <sluice/plan/secrets.hpp>
#include <sluice/report/plan_preview.hpp>

#include <ostream>

namespace sluice::report {

using plan::Diagnostic;
using plan::load_plan;
using plan::Plan;
using plan::PlanParse;

namespace {

void report_problems(const std::string& path, const PlanParse& parse, bool json, std::ostream& out,
                     std::ostream& err) {
  for (const auto& diagnostic : parse.diagnostics) {
    if (json) {
      out << to_json(diagnostic).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      err << diagnostic.to_string() << "\n";
    }
  }
  if (json) {
    out << nlohmann::ordered_json{{"file", path}, {"valid", false}, {"errors", parse.diagnostics.size()}}
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
        << "\n";
  }
}

// Inline secrets: allowed, but promote/abort/rollback cannot send them.
void report_warnings(const Plan& plan, bool json, std::ostream& out, std::ostream& err) {
  for (auto warning : plan::inline_secret_warnings(plan)) {
    if (json) {
      auto line = to_json(warning);
      line["severity"] = "warning";
      out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      warning.message = "warning: " + warning.message;
      err << warning.to_string() << "\n";
    }
  }
}

}  // namespace

nlohmann::ordered_json to_json(const Diagnostic& diagnostic) {
  return {{"file", diagnostic.file},
          {"line", diagnostic.line},
          {"column", diagnostic.column},
          {"path", diagnostic.path},
          {"message", diagnostic.message}};
}

bool validate_files(const std::vector<std::string>& paths, bool json, std::ostream& out, std::ostream& err,
                    const plan::Overrides& overrides) {
  bool all_valid = true;
  for (const auto& path : paths) {
    PlanParse parse = load_plan(path, overrides);
    if (parse.ok()) {
      report_warnings(*parse.plan, json, out, err);
      if (json) {
        out << nlohmann::ordered_json{{"file", path}, {"valid", true}, {"sha256", parse.plan->source_hash}}
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
            << "\n";
      } else {
        out << path << ": valid\n";
      }
      continue;
    }
    all_valid = false;
    report_problems(path, parse, json, out, err);
  }
  return all_valid;
}

PlanParse load_checked(const std::string& path, bool json, std::ostream& out, std::ostream& err,
                       const plan::Overrides& overrides) {
  PlanParse parse = load_plan(path, overrides);
  if (!parse.ok()) report_problems(path, parse, json, out, err);
  return parse;
}

bool preview_file(const std::string& path, bool json, std::ostream& out, std::ostream& err,
                  const plan::Overrides& overrides) {
  PlanParse parse = load_checked(path, json, out, err, overrides);
  if (!parse.ok()) return false;
  for (const auto& line : describe_plan(*parse.plan)) {
    if (json) {
      out << line.json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      out << line.text << "\n";
    }
  }
  return true;
}

}  // namespace sluice::report
