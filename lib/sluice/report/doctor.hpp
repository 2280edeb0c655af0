// How `sluice doctor`'s report reads: one line per check, or one JSON document.
#pragma once

#include <sluice/kube/doctor.hpp>

#include <iosfwd>

namespace sluice::report {

void print_doctor_report(const kube::DoctorReport& report, std::ostream& out, bool json);

}  // namespace sluice::report
