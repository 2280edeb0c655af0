#include <sluice/plan/values.hpp>

#include <catch2/catch.hpp>

using namespace sluice::plan;

namespace {

std::string duration_error(const std::string& text) {
  auto parsed = parse_duration(text);
  return std::holds_alternative<std::string>(parsed) ? std::get<std::string>(parsed) : "no error";
}

long long ms(const std::string& text) {
  return std::get<Duration>(parse_duration(text)).count();
}

}  // namespace

TEST_CASE("durations in ms, s, m and h, alone or combined largest first") {
  CHECK(ms("500ms") == 500);
  CHECK(ms("30s") == 30'000);
  CHECK(ms("10m") == 600'000);
  CHECK(ms("1h") == 3'600'000);
  CHECK(ms("1h30m") == 5'400'000);
  CHECK(ms("1m30s500ms") == 90'500);
  CHECK(ms("0s") == 0);
}

TEST_CASE("malformed durations say how to write one") {
  CHECK(duration_error("30") == "'30' needs a unit: ms, s, m or h (e.g. 30s)");
  CHECK(duration_error("2 m") == "'2 m' is not a duration; write e.g. 500ms, 30s, 10m, 1h or 1h30m");
  CHECK(duration_error("1d") == "'1d' is not a duration; write e.g. 500ms, 30s, 10m, 1h or 1h30m");
  CHECK(duration_error("1.5s") == "'1.5s' is not a duration; write e.g. 500ms, 30s, 10m, 1h or 1h30m");
  CHECK(duration_error("-1s") == "'-1s' is not a duration; write e.g. 500ms, 30s, 10m, 1h or 1h30m");
  CHECK(duration_error("30s1m") == "'30s1m' is not a duration; write e.g. 500ms, 30s, 10m, 1h or 1h30m");
  CHECK(duration_error("") == "'' is not a duration; write e.g. 500ms, 30s, 10m, 1h or 1h30m");
  CHECK(duration_error("9000h") == "'9000h' is longer than a year");
  CHECK(duration_error("99999999999999h") ==
        "'99999999999999h' is not a duration; write e.g. 500ms, 30s, 10m, 1h or 1h30m");
}

TEST_CASE("durations format back to their shortest form") {
  CHECK(format_duration(Duration(0)) == "0s");
  CHECK(format_duration(Duration(500)) == "500ms");
  CHECK(format_duration(Duration(90'000)) == "1m30s");
  CHECK(format_duration(Duration(3'600'000)) == "1h");
  CHECK(format_duration(Duration(3'601'001)) == "1h1s1ms");
}

TEST_CASE("integers are plain decimal") {
  CHECK(std::get<long long>(parse_integer("42")) == 42);
  CHECK(std::get<long long>(parse_integer("-3")) == -3);
  CHECK(std::get<std::string>(parse_integer("4.0")) == "'4.0' is not an integer");
  CHECK(std::get<std::string>(parse_integer("0x10")) == "'0x10' is not an integer");
  CHECK(std::get<std::string>(parse_integer("-")) == "'-' is not an integer");
  CHECK(std::get<std::string>(parse_integer("1234567890123")) == "'1234567890123' is out of range");
}

TEST_CASE("counts or percentages") {
  auto percent = std::get<IntOrPercent>(parse_int_or_percent("25%"));
  CHECK(percent.value == 25);
  CHECK(percent.percent);
  auto count = std::get<IntOrPercent>(parse_int_or_percent("3"));
  CHECK(count.value == 3);
  CHECK_FALSE(count.percent);
  CHECK(std::get<std::string>(parse_int_or_percent("101%")) == "'101%' is more than 100%");
  CHECK(std::get<std::string>(parse_int_or_percent("-1")) ==
        "'-1' is not a count or a percentage; write e.g. 1 or 25%");
  CHECK(std::get<std::string>(parse_int_or_percent("%")) ==
        "'%' is not a count or a percentage; write e.g. 1 or 25%");
  CHECK(format_int_or_percent(percent) == "25%");
}

TEST_CASE("percentages resolve against a replica count, rounding as asked") {
  IntOrPercent quarter{25, true};
  CHECK(quarter.resolve(10, true) == 3);
  CHECK(quarter.resolve(10, false) == 2);
  CHECK(IntOrPercent{2, false}.resolve(10, true) == 2);
}
