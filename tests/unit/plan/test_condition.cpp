#include <sluice/plan/condition.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using sluice::plan::ConditionInput;
using sluice::plan::evaluate;
using sluice::plan::parse_condition;

namespace {

// Evaluates `text` for one input; the text must parse.
std::optional<bool> eval(const std::string& text, std::optional<double> result,
                         std::optional<double> baseline = std::nullopt) {
  auto parsed = parse_condition(text);
  INFO(text << ": " << (parsed.error ? parsed.error->message : ""));
  REQUIRE(parsed.expr);
  return evaluate(*parsed.expr, ConditionInput{result, baseline});
}

// "offset: message" of the syntax error in `text`.
std::string error_of(const std::string& text) {
  auto parsed = parse_condition(text);
  if (!parsed.error) return "no error";
  return std::to_string(parsed.error->offset) + ": " + parsed.error->message;
}

const double k_nan = std::numeric_limits<double>::quiet_NaN();
const double k_inf = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("comparisons of result against numbers") {
  CHECK(eval("result < 0.01", 0.005) == true);
  CHECK(eval("result < 0.01", 0.01) == false);
  CHECK(eval("result <= 0.01", 0.01) == true);
  CHECK(eval("result > 5", 6) == true);
  CHECK(eval("result >= 5", 4.9) == false);
  CHECK(eval("result == 1", 1) == true);
  CHECK(eval("result != 1", 1) == false);
  CHECK(eval("2 > result", 1) == true);
  CHECK(eval("result < 1e-3", 0.0005) == true);
  CHECK(eval("result < .5", 0.25) == true);
}

TEST_CASE("arithmetic follows the usual precedence") {
  CHECK(eval("result < baseline * 1.1 + 0.01", 1.1, 1.0) == true);
  CHECK(eval("result < baseline * 1.1 + 0.01", 1.12, 1.0) == false);
  CHECK(eval("result == 2 + 3 * 4", 14) == true);
  CHECK(eval("result == (2 + 3) * 4", 20) == true);
  CHECK(eval("result == 10 - 4 - 3", 3) == true);
  CHECK(eval("result == 12 / 3 / 2", 2) == true);
  CHECK(eval("result == -2 * -3", 6) == true);
  CHECK(eval("-result > 1", -2) == true);
}

TEST_CASE("and, or and not in both spellings") {
  CHECK(eval("result > 1 and result < 3", 2) == true);
  CHECK(eval("result > 1 && result < 3", 4) == false);
  CHECK(eval("result < 1 or result > 3", 4) == true);
  CHECK(eval("result < 1 || result > 3", 2) == false);
  CHECK(eval("not result > 1", 0) == true);
  CHECK(eval("!(result > 1)", 2) == false);
  CHECK(eval("result != 1 and !(result == 2)", 3) == true);
  SECTION("and binds tighter than or") {
    CHECK(eval("true or false and false", 0) == true);
    CHECK(eval("(true or false) and false", 0) == false);
  }
}

TEST_CASE("NaN fails comparisons and is tested with isNaN") {
  CHECK(eval("result < 0.01", k_nan) == false);
  CHECK(eval("result >= 0.01", k_nan) == false);
  CHECK(eval("isNaN(result)", k_nan) == true);
  CHECK(eval("isNaN(result)", 1) == false);
  CHECK(eval("isNaN(result) or result < 0.01", k_nan) == true);
  CHECK(eval("isNaN(0 / 0)", 1) == true);
}

TEST_CASE("isInf is true for both infinities, including division by zero") {
  CHECK(eval("isInf(result)", k_inf) == true);
  CHECK(eval("isInf(result)", -k_inf) == true);
  CHECK(eval("isInf(result)", 1e300) == false);
  CHECK(eval("isInf(result / 0)", 1) == true);
}

TEST_CASE("no data: noData() decides, otherwise the condition cannot be evaluated") {
  CHECK(eval("noData()", std::nullopt) == true);
  CHECK(eval("noData()", 0) == false);
  CHECK(eval("result < 0.01", std::nullopt) == std::nullopt);
  CHECK(eval("noData() or result < 0.01", std::nullopt) == true);
  CHECK(eval("result < 0.01 or noData()", std::nullopt) == true);
  CHECK(eval("not noData() and result >= 0.05", std::nullopt) == false);
  CHECK(eval("isNaN(result)", std::nullopt) == std::nullopt);
  CHECK(eval("not (result < 1)", std::nullopt) == std::nullopt);
}

TEST_CASE("a condition reading baseline cannot be evaluated without one") {
  CHECK(eval("result < baseline", 1, std::nullopt) == std::nullopt);
  CHECK(eval("result < baseline or result < 5", 1, std::nullopt) == true);
  CHECK(eval("result < baseline and result > 5", 1, std::nullopt) == false);
}

TEST_CASE("the parsed expression says whether it uses baseline, noData and isNaN") {
  auto plain = parse_condition("result < 1");
  REQUIRE(plain.expr);
  CHECK_FALSE(plain.expr->uses_baseline());
  CHECK_FALSE(plain.expr->uses_no_data());
  CHECK_FALSE(plain.expr->uses_is_nan());
  auto both = parse_condition("noData() or result < baseline");
  REQUIRE(both.expr);
  CHECK(both.expr->uses_baseline());
  CHECK(both.expr->uses_no_data());
  auto nan = parse_condition("isNaN (result) or result < 1");
  REQUIRE(nan.expr);
  CHECK(nan.expr->uses_is_nan());
}

TEST_CASE("true and false are literals") {
  CHECK(eval("true", 0) == true);
  CHECK(eval("false or result == 0", 0) == true);
}

TEST_CASE("syntax errors give the offset of the problem") {
  CHECK(error_of("") == "0: the condition is empty");
  CHECK(error_of("   ") == "0: the condition is empty");
  CHECK(error_of("result <") == "8: the condition ends where a value was expected");
  CHECK(error_of("result < 0.01 and") == "17: the condition ends where a value was expected");
  CHECK(error_of("result >> 2") == "8: unexpected '>' where a value was expected");
  CHECK(error_of("result = 1") == "7: '=' is not an operator; compare with '=='");
  CHECK(error_of("(result < 1") == "0: this '(' is never closed");
  CHECK(error_of("result < 1)") == "10: unexpected ')' without a matching '('");
  CHECK(error_of("result < 1 2") == "11: unexpected '2' after a complete expression");
  CHECK(error_of("result < 1 $") == "11: unexpected '$' after a complete expression");
  CHECK(error_of("result < 1.2.3") == "9: '1.2.3' is not a number");
  CHECK(error_of("result < 5ms") == "10: unexpected 'ms' right after the number");
  CHECK(error_of("result < 1e999") == "9: '1e999' is not a number");
  CHECK(error_of("0 < result < 1") == "11: comparisons cannot be chained; join them with 'and'");
  CHECK(error_of("result < \xC3\xA9") == "9: unexpected '\\xC3' where a value was expected");
}

TEST_CASE("unknown names and functions get a suggestion") {
  CHECK(error_of("reslt < 1") ==
        "0: unknown name 'reslt' (did you mean 'result'?); conditions can use result, baseline, true and "
        "false");
  CHECK(error_of("result < baselin") ==
        "9: unknown name 'baselin' (did you mean 'baseline'?); conditions can use result, baseline, true and "
        "false");
  CHECK(error_of("isnan(result)") ==
        "0: unknown function 'isnan' (did you mean 'isNaN'?); the functions are isNaN(x), isInf(x) and "
        "noData()");
  CHECK(error_of("len(result) == 0") ==
        "0: unknown function 'len'; the functions are isNaN(x), isInf(x) and noData()");
  CHECK(error_of("noData(result)") == "7: noData() takes no arguments");
  CHECK(error_of("isNaN(result, 1)") == "12: isNaN() takes one argument");
}

TEST_CASE("type errors: conditions are true/false, arithmetic and comparisons take numbers") {
  CHECK(error_of("result") ==
        "0: the condition must be true/false, but it is a number (compare it, e.g. 'result < 0.01')");
  CHECK(error_of("result + 1") ==
        "0: the condition must be true/false, but it is a number (compare it, e.g. 'result < 0.01')");
  CHECK(error_of("result and true") == "0: 'and' needs true/false values, but its left side is a number");
  CHECK(error_of("true || 1") == "8: '||' needs true/false values, but its right side is a number");
  CHECK(error_of("not result") == "4: 'not' needs true/false values, but its right side is a number");
  CHECK(error_of("true < 1") == "0: '<' needs numbers, but its left side is true/false");
  CHECK(error_of("result + (result < 1) > 0") == "9: '+' needs numbers, but its right side is true/false");
  CHECK(error_of("-true") == "1: '-' needs numbers, but its right side is true/false");
  CHECK(error_of("isNaN(true)") == "6: 'isNaN()' needs numbers, but its argument's side is true/false");
}

TEST_CASE("length and nesting are capped") {
  std::string deep = std::string(40, '(') + "result < 1" + std::string(40, ')');
  CHECK(error_of(deep) == "32: the condition is nested too deeply (more than 32 levels)");
  std::string negations(100, '-');
  CHECK(error_of("result < " + negations + "1") ==
        "41: the condition is nested too deeply (more than 32 levels)");
  CHECK(error_of(std::string(2000, ' ') + "true") == "1024: the condition is longer than 1024 characters");
  std::string nots;
  for (int i = 0; i < 40; ++i) nots += "not ";
  CHECK(error_of(nots + "true") == "128: the condition is nested too deeply (more than 32 levels)");
}

TEST_CASE("long flat chains parse and evaluate") {
  std::string sum = "result";
  for (int i = 0; i < 200; ++i) sum += " + 1";
  CHECK(eval(sum + " == 201", 1) == true);
}
