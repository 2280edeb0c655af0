// The test helper that runs other programs: stdin, captured output, and
// waiting for a line, each bounded by its timeout.
#include "support/process.hpp"

#include <catch2/catch.hpp>

using sluice::test::Process;
using sluice::test::run;
using sluice::test::Stream;

namespace {

const std::string k_sh = "/bin/sh";

}  // namespace

TEST_CASE("run feeds input on stdin, then end of file", "[support][process]") {
  auto r = run(k_sh, {"-c", "read first; cat; echo \"got $first\" >&2"}, {}, std::chrono::seconds(10),
               "one\ntwo\n");
  CHECK(r.exit_code == 0);
  CHECK(r.out == "two\n");
  CHECK(r.err == "got one\n");

  auto empty = run(k_sh, {"-c", "cat; echo done"}, {}, std::chrono::seconds(10));
  CHECK(empty.out == "done\n");
}

TEST_CASE("wait_for_line returns the whole line of the chosen stream", "[support][process]") {
  Process p(k_sh, {"-c",
                   "echo 'out: listening on x' ; printf 'level=info listening on 127.0.0.1:5 more\\n' >&2; "
                   "exec sleep 30"});
  auto line = p.wait_for_line(Stream::err, "listening on", std::chrono::seconds(10));
  REQUIRE(line.has_value());
  CHECK(*line == "level=info listening on 127.0.0.1:5 more");
  CHECK(p.wait_for_line(Stream::out, "listening on", std::chrono::seconds(10)) == "out: listening on x");
}

TEST_CASE("wait_for_line gives up on timeout or when the process exits first", "[support][process]") {
  Process quiet(k_sh, {"-c", "exec sleep 30"});
  CHECK_FALSE(quiet.wait_for_line(Stream::err, "never", std::chrono::milliseconds(200)).has_value());

  Process gone(k_sh, {"-c", "printf 'last words' >&2"});
  CHECK(gone.wait_for_line(Stream::err, "words", std::chrono::seconds(10)) == "last words");
  CHECK_FALSE(gone.wait_for_line(Stream::err, "never", std::chrono::seconds(10)).has_value());
}
