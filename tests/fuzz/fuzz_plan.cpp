// libFuzzer target for the plan parser: any bytes must give a Plan or
// one-line diagnostics, never a crash, hang, leak or runaway allocation.
#include <sluice/plan/condition.hpp>
#include <sluice/plan/parser.hpp>
#include <sluice/report/plan_preview.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  sluice::plan::PlanParse parse = sluice::plan::parse_plan(bytes, "fuzz.yaml");
  if (parse.ok() != parse.diagnostics.empty()) std::abort();
  for (const auto& diagnostic : parse.diagnostics) {
    if (diagnostic.to_string().find('\n') != std::string::npos) std::abort();  // one line each, always
  }
  if (parse.ok()) {
    for (const auto& line : sluice::report::describe_plan(*parse.plan)) (void)line.json.dump();
    for (const auto& [name, check] : parse.plan->checks) {
      for (const auto* condition : {&check.success_condition, &check.failure_condition})
        if (*condition) (void)sluice::plan::evaluate(*(*condition)->expr, {0.5, 1.0});
    }
  }
  // The condition language on its own, straight from the bytes.
  sluice::plan::ParsedCondition condition = sluice::plan::parse_condition(bytes);
  if (condition.expr) (void)sluice::plan::evaluate(*condition.expr, {std::nullopt, 2.0});
  return 0;
}
