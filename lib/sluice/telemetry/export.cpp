#include <sluice/telemetry/export.hpp>

#include <sluice/util/base64.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sluice::telemetry {

using util::ErrorKind;
using util::make_error;

namespace {

util::Status errno_error(const std::string& what) {
  return make_error(ErrorKind::internal, what + ": " + std::strerror(errno));
}

bool plain(const std::string& value) {
  if (value.empty()) return false;
  for (char c : value) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::string path_label(const std::string& name, const std::string& value) {
  if (plain(value)) return "/" + name + "/" + value;
  std::string encoded = util::base64_encode(value);
  for (char& c : encoded) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  // An empty value is "=" in base64url, as the Pushgateway documents.
  return "/" + name + "@base64/" + (encoded.empty() ? "=" : encoded);
}

bool write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

util::Status write_metrics_file(const std::string& path, const std::string& text) {
  std::string temporary = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_error("writing metrics file '" + temporary + "'");
  bool ok = write_all(fd, text) && ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(temporary.c_str());
    errno = saved;
    return errno_error("writing metrics file '" + temporary + "'");
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    saved = errno;
    ::unlink(temporary.c_str());
    errno = saved;
    return errno_error("replacing metrics file '" + path + "'");
  }
  return {};
}

std::string pushgateway_group_url(std::string base, const std::string& rollout, const std::string& ns) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/metrics/job/sluice" + path_label("rollout", rollout) + path_label("namespace", ns);
}

util::Status push_metrics(http::Client& client, const std::string& group_url, const std::string& text,
                          util::Duration timeout) {
  http::Request request{.method = "PUT", .url = group_url};
  request.headers.emplace_back("Content-Type", "text/plain; version=0.0.4");
  request.body = text;
  request.timeout = timeout;
  request.connect_timeout = std::min(timeout, util::Duration{2000});
  request.max_attempts = 1;
  auto sent = client.send(request);
  std::string where = "pushing metrics to " + http::redact_url(group_url);
  if (!sent) return sent.error().with_context(where);
  if (sent->status < 200 || sent->status >= 300)
    return make_error(ErrorKind::server_error, where + ": HTTP " + std::to_string(sent->status));
  return {};
}

}  // namespace sluice::telemetry
