// Every kind of bad input gets one clear line, never a crash or a hang.
#include <sluice/plan/parser.hpp>
#include <sluice/plan/source.hpp>

#include <catch2/catch.hpp>

#include <chrono>

#include "plan_test_util.hpp"

using namespace sluice::plan;
using plan_test::ScratchDir;
using Errors = std::vector<std::string>;

namespace {

Errors load_errors(const std::string& path) {
  Errors out;
  for (const auto& diagnostic : load_plan(path).diagnostics) out.push_back(diagnostic.to_string());
  return out;
}

}  // namespace

TEST_CASE("load_plan hands back the bytes it read, for recording") {
  ScratchDir dir;
  std::string path = dir.write("web.yaml", plan_test::k_valid_plan);
  PlanParse parse = load_plan(path);
  REQUIRE(parse.ok());
  CHECK(parse.text == plan_test::k_valid_plan);
  CHECK(load_plan(dir.path("missing.yaml")).text.empty());
}

TEST_CASE("an empty file") {
  ScratchDir dir;
  std::string path = dir.write("empty.yaml", "");
  CHECK(load_errors(path) ==
        Errors{path + ": the plan is empty; a plan starts with 'apiVersion: sluice/v1'"});
}

TEST_CASE("a file of only comments and blank lines is empty too") {
  ScratchDir dir;
  std::string path = dir.write("comments.yaml", "# nothing here\n\n   \n");
  CHECK(load_errors(path) ==
        Errors{path + ": the plan is empty; a plan starts with 'apiVersion: sluice/v1'"});
}

TEST_CASE("a missing file") {
  ScratchDir dir;
  std::string path = dir.path("missing.yaml");
  CHECK(load_errors(path) == Errors{path + ": cannot open: No such file or directory"});
}

TEST_CASE("a directory") {
  ScratchDir dir;
  std::string path = dir.path("");
  CHECK(load_errors(path) == Errors{path + ": is a directory, not a plan file"});
}

TEST_CASE("a device or other non-regular file") {
  CHECK(load_errors("/dev/null") == Errors{"/dev/null: is not a regular file"});
}

TEST_CASE("a binary file") {
  ScratchDir dir;
  std::string path = dir.write("binary.yaml", std::string("\x7f"
                                                          "ELF\x02\x01\x01\x00\x00",
                                                          9));
  CHECK(load_errors(path) ==
        Errors{path + ":1:1: control character 0x7F is not allowed in a plan (is this a binary file?)"});
  path = dir.write("nul.yaml", std::string("apiVersion: sluice/v1\nkind: P\0an\n", 32));
  CHECK(load_errors(path) ==
        Errors{path + ":2:8: control character 0x00 is not allowed in a plan (is this a binary file?)"});
}

TEST_CASE("text that is not UTF-8") {
  ScratchDir dir;
  SECTION("Latin-1") {
    std::string path = dir.write("latin1.yaml", "metadata: {name: caf\xe9}\n");
    CHECK(load_errors(path) == Errors{path + ":1:21: the file is not UTF-8 text (invalid byte 0xE9)"});
  }
  SECTION("UTF-16 with a byte order mark") {
    std::string path = dir.write("utf16.yaml", std::string("\xff\xfe"
                                                           "a\0:\0",
                                                           6));
    CHECK(load_errors(path) == Errors{path + ":1:1: the file is not UTF-8 text (invalid byte 0xFF)"});
  }
  SECTION("overlong and truncated sequences") {
    CHECK(check_plan_text("a: \xc0\xaf\n", "p")->to_string() ==
          "p:1:4: the file is not UTF-8 text (invalid byte 0xC0)");
    CHECK(check_plan_text("a: \xe2\x82", "p")->to_string() ==
          "p:1:4: the file is not UTF-8 text (invalid byte 0xE2)");
    CHECK(check_plan_text("a: \xed\xa0\x80", "p")->to_string() ==
          "p:1:4: the file is not UTF-8 text (invalid byte 0xED)");
  }
  SECTION("valid multi-byte text is fine") {
    CHECK_FALSE(check_plan_text("# caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80\n", "p"));
  }
}

TEST_CASE("a 10 MB file is refused without being read") {
  ScratchDir dir;
  std::string path = dir.write("big.yaml", std::string(10 * 1024 * 1024, 'a'));
  CHECK(load_errors(path) ==
        Errors{path + ": the file is 10485760 bytes; plans are limited to 1048576 bytes (1 MiB)"});
}

TEST_CASE("text over the size cap is refused by parse_plan too") {
  CHECK(plan_test::errors_of(std::string(k_max_plan_bytes + 1, '#')) ==
        Errors{"plan.yaml: the file is 1048577 bytes; plans are limited to 1048576 bytes (1 MiB)"});
}

TEST_CASE("deeply nested flow collections") {
  std::string text = "a: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  CHECK(plan_test::errors_of(text) == Errors{"plan.yaml:1:67: nested more than 64 levels deep"});
  text = "a: " + std::string(5000, '{');
  CHECK(plan_test::errors_of(text) == Errors{"plan.yaml:1:67: nested more than 64 levels deep"});
}

TEST_CASE("deeply nested block sequences on one line") {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "- ";
  CHECK(plan_test::errors_of(text + "x\n") == Errors{"plan.yaml:1:129: nested more than 64 levels deep"});
}

TEST_CASE("deeply nested block mappings") {
  std::string text;
  for (int i = 0; i < 200; ++i) text += std::string(static_cast<std::size_t>(i), ' ') + "a:\n";
  CHECK(plan_test::errors_of(text) == Errors{"plan.yaml:65:65: nested more than 64 levels deep"});
}

TEST_CASE("a billion-laughs alias bomb is not expanded") {
  std::string bomb = "  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (char c = 'b'; c <= 'z'; ++c) {
    std::string prev(1, static_cast<char>(c - 1));
    std::string name(1, c);
    bomb += "  " + name + ": &" + name + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" +
            prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n";
  }
  std::string text = plan_test::k_valid_plan + "platforms: *z\n";
  text = plan_test::replace(text, "apiVersion: sluice/v1\n", "apiVersion: sluice/v1\nx-bomb:\n" + bomb);
  auto start = std::chrono::steady_clock::now();
  Errors errors = plan_test::errors_of(text);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  REQUIRE(errors.size() == 10);
  CHECK(errors[0] == "plan.yaml:2:1: x-bomb: unknown field");
  // An alias's position is where its anchor was defined (line 27: `y: &y [...]`).
  CHECK(errors[1] == "plan.yaml:27:6: platforms[0]: must be a string, not a list");
}

TEST_CASE("broken YAML reports the parser's message and position") {
  CHECK(plan_test::errors_of("a: [1, 2\n") ==
        Errors{"plan.yaml:2:1: YAML syntax error: end of sequence flow not found"});
  CHECK(plan_test::errors_of("a: b\n c: d\n") ==
        Errors{"plan.yaml:2:3: YAML syntax error: illegal map value"});
  CHECK(plan_test::errors_of("a: *nowhere\n") ==
        Errors{"plan.yaml:1:4: YAML syntax error: the referenced anchor is not defined"});
}

TEST_CASE("a stray comma between documents is a syntax error, not an endless loop") {
  CHECK(plan_test::errors_of(",V") == Errors{"plan.yaml:1:1: YAML syntax error: unexpected ','"});
  CHECK(plan_test::errors_of("- a\n- b\n,\n") == Errors{"plan.yaml:3:1: YAML syntax error: unexpected ','"});
}

TEST_CASE("several YAML documents in one file") {
  CHECK(plan_test::errors_of(plan_test::k_valid_plan + "---\n" + plan_test::k_valid_plan) ==
        Errors{"plan.yaml: holds 2 YAML documents; a plan file holds one"});
}

TEST_CASE("control characters in values cannot split a diagnostic line") {
  Errors errors = plan_test::errors_of(plan_test::replace(plan_test::k_valid_plan, "apiVersion: sluice/v1",
                                                          "apiVersion: \"sluice\\n/v1\\u0007\""));
  CHECK(errors == Errors{"plan.yaml:1:13: apiVersion: must be sluice/v1, not 'sluice\\n/v1\\x07'"});
}

TEST_CASE("a huge unknown key is cut short in the field path") {
  std::string key(300, 'k');
  Errors errors = plan_test::errors_of(plan_test::replace(plan_test::k_valid_plan, "metadata: {name: web}",
                                                          "metadata: {name: web, " + key + ": 1}"));
  CHECK(errors ==
        Errors{"plan.yaml:3:23: metadata." + std::string(191, 'k') + "\u2026 (309 bytes): unknown field"});
}

TEST_CASE("long values are cut short in messages") {
  std::string long_version(200, 'v');
  Errors errors = plan_test::errors_of(
      plan_test::replace(plan_test::k_valid_plan, "apiVersion: sluice/v1", "apiVersion: " + long_version));
  CHECK(errors == Errors{"plan.yaml:1:13: apiVersion: must be sluice/v1, not '" + std::string(80, 'v') +
                         "\u2026' (200 bytes)"});
}
