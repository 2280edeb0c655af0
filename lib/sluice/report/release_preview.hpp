// What a release would do (`sluice plan RELEASE`), from the files alone: its
// image, record, failure policy and checks, then each wave and, per target,
// what that target's plan would do (describe_plan, indented).
#pragma once

#include <sluice/plan/release_model.hpp>
#include <sluice/report/plan_preview.hpp>

#include <vector>

namespace sluice::report {

std::vector<PreviewLine> describe_release(const plan::Release& release);

}  // namespace sluice::report
