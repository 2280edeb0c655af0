#include <sluice/report/doctor.hpp>

#include <nlohmann/json.hpp>

#include <ostream>

namespace sluice::report {

void print_doctor_report(const kube::DoctorReport& report, std::ostream& out, bool json) {
  if (json) {
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& c : report.checks)
      checks.push_back({{"check", c.name}, {"ok", c.ok}, {"detail", c.detail}});
    out << nlohmann::json{{"context", report.context}, {"ok", report.ok()}, {"checks", checks}}.dump(2)
        << "\n";
    return;
  }
  out << "context " << report.context << "\n";
  for (const auto& c : report.checks)
    out << (c.ok ? "  ok    " : "  FAIL  ") << c.name << ": " << c.detail << "\n";
}

}  // namespace sluice::report
