// The condition language of checks (successCondition / failureCondition):
// small typed expressions over `result` and `baseline`, parsed once when the
// plan is validated and evaluated by the gates for every measurement.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::plan {

struct ConditionNode;  // the expression tree; defined in condition.cpp

class ConditionExpr {
 public:
  ConditionExpr(std::unique_ptr<const ConditionNode> root, bool uses_baseline, bool uses_no_data,
                bool uses_is_nan = false);
  ~ConditionExpr();
  ConditionExpr(const ConditionExpr&) = delete;
  ConditionExpr& operator=(const ConditionExpr&) = delete;

  const ConditionNode& root() const { return *root_; }
  // Whether the text mentions `baseline` (the check then needs a baseline query).
  bool uses_baseline() const { return uses_baseline_; }
  // Whether the text calls noData(), i.e. decides itself what an empty result means.
  bool uses_no_data() const { return uses_no_data_; }
  // Whether the text calls isNaN(), i.e. decides itself what a NaN result means
  // (the gates treat NaN as an Error otherwise; see docs/checks.md).
  bool uses_is_nan() const { return uses_is_nan_; }

 private:
  std::unique_ptr<const ConditionNode> root_;
  bool uses_baseline_;
  bool uses_no_data_;
  bool uses_is_nan_;
};

// One measurement. `result` is nullopt when the query returned no sample
// (an empty vector); NaN and +/-Inf are passed through as doubles.
struct ConditionInput {
  std::optional<double> result;
  std::optional<double> baseline;
};

// A syntax or type error; `offset` is the 0-based byte offset into the text.
struct ConditionSyntaxError {
  int offset = 0;
  std::string message;
};

// Either an expression or the first error found in the text.
struct ParsedCondition {
  std::shared_ptr<const ConditionExpr> expr;
  std::optional<ConditionSyntaxError> error;
};

// Conditions longer than this are rejected (they are one-liners in practice,
// and the cap bounds the parser's recursion).
inline constexpr std::size_t k_max_condition_length = 1024;

ParsedCondition parse_condition(std::string_view text);

// True or false when the condition can be decided for this input; nullopt when
// it cannot: it reads `result` but there is no data (and noData() did not
// decide it), or it reads `baseline` and none was given. `and`/`or` follow
// three-valued logic: `false and X` is false and `true or X` is true even
// when X cannot be decided.
std::optional<bool> evaluate(const ConditionExpr& expr, const ConditionInput& input);

}  // namespace sluice::plan
