// libFuzzer target for the condition language (successCondition /
// failureCondition): any text gives an expression or one error pointing
// inside the text, and evaluating an expression on any input is safe.
#include <sluice/plan/condition.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string_view>

namespace {

constexpr double k_nan = std::numeric_limits<double>::quiet_NaN();
constexpr double k_inf = std::numeric_limits<double>::infinity();

bool one_line(std::string_view message) {
  for (char c : message) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return false;
  }
  return !message.empty() && message.size() < 1024;
}

void evaluate_everywhere(const sluice::plan::ConditionExpr& expr) {
  const std::optional<double> values[] = {std::nullopt, 0.0, -0.0, 0.5, -1.0, 1e308, k_nan, k_inf, -k_inf};
  for (const auto& result : values) {
    for (const auto& baseline : values) {
      auto first = sluice::plan::evaluate(expr, {result, baseline});
      if (first != sluice::plan::evaluate(expr, {result, baseline})) std::abort();  // no hidden state
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  sluice::plan::ParsedCondition parsed = sluice::plan::parse_condition(text);
  if ((parsed.expr != nullptr) == parsed.error.has_value()) std::abort();  // exactly one of them
  if (parsed.error) {
    if (parsed.error->offset < 0 || static_cast<std::size_t>(parsed.error->offset) > text.size())
      std::abort();
    if (!one_line(parsed.error->message)) std::abort();
    return 0;
  }
  evaluate_everywhere(*parsed.expr);
  return 0;
}
