#include <sluice/report/doctor.hpp>

#include <sluice/util/exit_code.hpp>

#include <nlohmann/json.hpp>

#include <ostream>

namespace sluice::report {

namespace {

void print_line(const nlohmann::ordered_json& line, std::ostream& out) {
  out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace

void print_doctor_report(const kube::DoctorReport& report, std::ostream& out, bool json) {
  if (json) {
    for (const auto& c : report.checks) {
      print_line(
          {{"kind", "check"}, {"check", c.name}, {"ok", c.ok}, {"warning", c.warning}, {"detail", c.detail}},
          out);
    }
    print_line({{"kind", "result"},
                {"context", report.context},
                {"ok", report.ok()},
                {"exitCode", report.ok() ? k_exit_ok : k_exit_preflight}},
               out);
    return;
  }
  out << "context " << report.context << "\n";
  for (const auto& c : report.checks)
    out << (!c.ok ? "  FAIL  " : c.warning ? "  warn  " : "  ok    ") << c.name << ": " << c.detail << "\n";
}

void print_doctor_failure(const std::string& message, std::ostream& out, std::ostream& err, bool json) {
  err << "sluice doctor: " << message << "\n";
  if (!json) return;
  print_line({{"kind", "result"}, {"ok", false}, {"exitCode", k_exit_preflight}, {"message", message}}, out);
}

}  // namespace sluice::report
