// How `sluice doctor`'s report reads: one line per check, or with -o json one
// JSON object per line (each check, then the result), like every other verb.
#pragma once

#include <sluice/kube/doctor.hpp>

#include <iosfwd>
#include <string>

namespace sluice::report {

void print_doctor_report(const kube::DoctorReport& report, std::ostream& out, bool json);

// A doctor that could not run its checks (no kubeconfig, no client): the
// message on `err` as text, or the JSON result line on `out`.
void print_doctor_failure(const std::string& message, std::ostream& out, std::ostream& err, bool json);

}  // namespace sluice::report
