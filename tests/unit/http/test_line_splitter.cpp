#include <catch2/catch.hpp>

#include <sluice/http/line_splitter.hpp>

#include <vector>

using sluice::http::LineSplitter;

namespace {
struct Collector {
  std::vector<std::string> lines;
  size_t stop_after = SIZE_MAX;
  bool operator()(const std::string& line) {
    lines.push_back(line);
    return lines.size() < stop_after;
  }
};
}  // namespace

TEST_CASE("LineSplitter joins lines split across chunks") {
  LineSplitter splitter;
  Collector c;
  auto handler = std::ref(c);
  for (const char* chunk : {"al", "pha\nbe", "ta\r\n", "\ngam", "ma"}) {
    CHECK(splitter.feed(chunk, handler) == LineSplitter::Outcome::more);
  }
  CHECK(c.lines == std::vector<std::string>{"alpha", "beta", ""});
  CHECK(splitter.pending() == 5);
  SECTION("a clean end delivers the unterminated last line") {
    CHECK(splitter.finish(handler));
    CHECK(c.lines.back() == "gamma");
    CHECK(splitter.pending() == 0);
  }
}

TEST_CASE("LineSplitter stops when the handler says so") {
  LineSplitter splitter;
  Collector c;
  c.stop_after = 2;
  CHECK(splitter.feed("a\nb\nc\n", std::ref(c)) == LineSplitter::Outcome::stopped);
  CHECK(c.lines == std::vector<std::string>{"a", "b"});
}

TEST_CASE("LineSplitter refuses lines over its limit") {
  LineSplitter splitter(4);
  Collector c;
  CHECK(splitter.feed("abc", std::ref(c)) == LineSplitter::Outcome::more);
  CHECK(splitter.feed("de", std::ref(c)) == LineSplitter::Outcome::too_long);
  LineSplitter other(4);
  CHECK(other.feed("abcdef\n", std::ref(c)) == LineSplitter::Outcome::too_long);
  CHECK(c.lines.empty());
}
