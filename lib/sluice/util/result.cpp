#include <sluice/util/result.hpp>

namespace sluice::util {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid: return "invalid";
    case ErrorKind::not_found: return "not found";
    case ErrorKind::conflict: return "conflict";
    case ErrorKind::already_exists: return "already exists";
    case ErrorKind::gone: return "gone";
    case ErrorKind::unauthorized: return "unauthorized";
    case ErrorKind::forbidden: return "forbidden";
    case ErrorKind::too_many_requests: return "too many requests";
    case ErrorKind::server_error: return "server error";
    case ErrorKind::timeout: return "timeout";
    case ErrorKind::unavailable: return "unavailable";
    case ErrorKind::tls: return "tls";
    case ErrorKind::cancelled: return "cancelled";
    case ErrorKind::internal: return "internal";
  }
  return "unknown";
}

Error Error::with_context(const std::string& context) const {
  Error copy = *this;
  copy.message = context + ": " + message;
  return copy;
}

}  // namespace sluice::util
