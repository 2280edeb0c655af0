// Result<T>: the value of a fallible call, or a typed Error saying why it failed.
// Retry and exit-code decisions look at Error::kind, never at message text.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace sluice::util {

enum class ErrorKind {
  invalid,            // bad input: plan, flag, object (HTTP 400/422)
  not_found,          // 404, missing file, unknown tag
  conflict,           // 409 Conflict: stale resourceVersion
  already_exists,     // 409 AlreadyExists
  gone,               // 410: watch history compacted
  unauthorized,       // 401
  forbidden,          // 403
  too_many_requests,  // 429
  server_error,       // 5xx
  timeout,            // connect or total timeout
  unavailable,        // connection refused, DNS failure, unreachable
  tls,                // certificate or handshake failure
  cancelled,          // the caller cancelled
  internal,           // a bug or an unexpected answer
};

const char* to_string(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string message;
  int http_status = 0;                                   // 0 when no HTTP answer was received
  std::optional<std::chrono::milliseconds> retry_after;  // from Retry-After or Status details

  // A copy with context prepended: "reading plan 'web.yaml': <message>".
  Error with_context(const std::string& context) const;
};

inline Error make_error(ErrorKind kind, std::string message) {
  return Error{kind, std::move(message), 0, std::nullopt};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : data_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return data_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(data_); }

 private:
  std::variant<T, Error> data_;
};

// Result of a call that yields nothing but may fail.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

}  // namespace sluice::util
