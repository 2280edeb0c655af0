// Turns a byte stream that arrives in arbitrary chunks into complete lines:
// the watch protocol is one JSON object per line, and chunk boundaries fall
// anywhere (mid-line, mid-UTF-8 character).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace sluice::http {

class LineSplitter {
 public:
  // Lines longer than this are a protocol error (memory guard).
  static constexpr size_t k_default_max_line = size_t{64} * 1024 * 1024;

  explicit LineSplitter(size_t max_line = k_default_max_line) : max_line_(max_line) {}

  enum class Outcome { more, stopped, too_long };

  // Feeds bytes; calls `on_line` for each complete line without its "\n" (or
  // "\r\n"). Stops early when `on_line` returns false.
  Outcome feed(std::string_view bytes, const std::function<bool(const std::string&)>& on_line);

  // At a clean end of stream: delivers a final unterminated line, if any.
  // Returns false when the handler asked to stop.
  bool finish(const std::function<bool(const std::string&)>& on_line);

  // Bytes of an incomplete line held back (discarded when a stream is cut).
  size_t pending() const { return partial_.size(); }

 private:
  size_t max_line_;
  std::string partial_;
};

}  // namespace sluice::http
