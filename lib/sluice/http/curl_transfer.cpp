#include <sluice/http/curl_transfer.hpp>

#include <sluice/http/line_splitter.hpp>
#include <sluice/http/stream_poll.hpp>
#include <sluice/util/cancel_wakeup.hpp>
#include <sluice/util/strings.hpp>

#include <fmt/format.h>
#include <strings.h>

#include <atomic>
#include <cstdlib>
#include <exception>
#include <functional>
#include <memory>
#include <new>
#include <optional>

namespace sluice::http {

namespace {
std::atomic<long long> poll_interval_ms{25};
}  // namespace

std::chrono::milliseconds stream_poll_interval() {
  return std::chrono::milliseconds(poll_interval_ms.load());
}

void set_stream_poll_interval(std::chrono::milliseconds interval) {
  poll_interval_ms.store(interval.count());
}

}  // namespace sluice::http

namespace sluice::http::detail {
namespace {

using util::ErrorKind;
using SteadyTime = std::chrono::steady_clock::time_point;

// An error answer on a stream is kept for the caller, up to this size.
constexpr size_t k_max_error_body = size_t{1024} * 1024;

struct SlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistFree>;

struct Transfer {
  Transfer(const Exchange& exchange, CURL* handle) : ex(exchange), easy(handle) {}

  const Exchange& ex;
  CURL* easy;
  Response response;
  LineSplitter splitter;
  SteadyTime last_data = std::chrono::steady_clock::now();
  bool delivered = false;
  bool handler_stopped = false;
  bool line_too_long = false;
  bool cancelled = false;
  bool idle_timeout = false;
  std::exception_ptr handler_exception;     // rethrown once libcurl has unwound
  std::optional<util::Error> gate_refusal;  // the send gate said no; nothing was sent
  char errbuf[CURL_ERROR_SIZE] = {};
};

constexpr std::string_view k_header_space = " \t\r\n";

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  std::string_view line = util::trim(std::string_view(data, size * count), k_header_space);
  // Each status line starts a new answer (100 Continue, redirects, proxy CONNECT).
  if (line.substr(0, 5) == "HTTP/") {
    t.response.headers.clear();
  } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
    t.response.headers.emplace_back(std::string(util::trim(line.substr(0, colon), k_header_space)),
                                    std::string(util::trim(line.substr(colon + 1), k_header_space)));
  }
  return size * count;
}

// CURLOPT_PREREQFUNCTION: libcurl calls it when the connection is set up
// (or reused) and the request is about to be sent.
int on_prereq(void* user, char* /*primary_ip*/, char* /*local_ip*/, int /*primary_port*/,
              int /*local_port*/) {
  auto& t = *static_cast<Transfer*>(user);
  try {
    if (auto allowed = t.ex.request.send_gate(); !allowed) {
      t.gate_refusal = allowed.error();
      return CURL_PREREQFUNC_ABORT;
    }
  } catch (...) {
    t.handler_exception = std::current_exception();
    return CURL_PREREQFUNC_ABORT;
  }
  return CURL_PREREQFUNC_OK;
}

long status_so_far(CURL* easy) {
  long code = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
  return code;
}

// Returns false to make libcurl abort the transfer.
bool deliver_lines(Transfer& t, std::string_view bytes) {
  auto handler = [&t](const std::string& line) {
    t.delivered = true;
    return (*t.ex.on_line)(line);
  };
  try {
    auto outcome = t.splitter.feed(bytes, handler);
    t.handler_stopped = outcome == LineSplitter::Outcome::stopped;
    t.line_too_long = outcome == LineSplitter::Outcome::too_long;
    return outcome == LineSplitter::Outcome::more;
  } catch (...) {
    t.handler_exception = std::current_exception();
    return false;
  }
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  size_t length = size * count;
  t.last_data = std::chrono::steady_clock::now();
  std::string_view bytes(data, length);
  if (t.ex.on_line == nullptr) {
    t.response.body.append(bytes);
    return length;
  }
  long status = status_so_far(t.easy);
  if (status >= 300 && status < 400) return length;  // a redirect's body means nothing
  if (status >= 400) {
    // Not a stream of lines but an error document: keep it for the caller.
    if (t.response.body.size() < k_max_error_body) t.response.body.append(bytes.substr(0, k_max_error_body));
    return length;
  }
  return deliver_lines(t, bytes) ? length : 0;
}

bool has_header(const Headers& headers, const char* name) {
  for (const auto& header : headers) {
    if (strcasecmp(header.first.c_str(), name) == 0) return true;
  }
  return false;
}

Slist build_headers(const Request& request, const std::string& host_header) {
  curl_slist* list = nullptr;
  for (const auto& [name, value] : request.headers) {
    // "Name;" is libcurl's way to send a header with an empty value.
    std::string line = name;
    line += value.empty() ? ";" : ": " + value;
    list = curl_slist_append(list, line.c_str());
  }
  // No 100-continue round trip, and no form content type on raw bodies.
  list = curl_slist_append(list, "Expect:");
  if (!request.body.empty() && !has_header(request.headers, "Content-Type")) {
    list = curl_slist_append(list, "Content-Type:");
  }
  if (!host_header.empty() && !has_header(request.headers, "Host")) {
    list = curl_slist_append(list, ("Host: " + host_header).c_str());
  }
  return Slist(list);
}

void set_method(CURL* easy, const Request& request) {
  if (request.method == "HEAD") {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    return;
  }
  if (request.method == "GET" && request.body.empty()) {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    return;
  }
  curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  bool sends_body = !request.body.empty() || request.method == "POST" || request.method == "PUT" ||
                    request.method == "PATCH";
  if (sends_body) {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.c_str());
  }
}

void set_blob(CURL* easy, CURLoption option, const std::string& pem) {
  curl_blob blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
  curl_easy_setopt(easy, option, &blob);
}

void set_tls(CURL* easy, const TlsOptions& tls) {
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, tls.verify ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, tls.verify ? 2L : 0L);
  if (!tls.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, tls.ca_file.c_str());
  if (!tls.ca_data.empty()) set_blob(easy, CURLOPT_CAINFO_BLOB, tls.ca_data);
  if (!tls.client_cert_file.empty()) curl_easy_setopt(easy, CURLOPT_SSLCERT, tls.client_cert_file.c_str());
  if (!tls.client_cert_data.empty()) set_blob(easy, CURLOPT_SSLCERT_BLOB, tls.client_cert_data);
  if (!tls.client_key_file.empty()) curl_easy_setopt(easy, CURLOPT_SSLKEY, tls.client_key_file.c_str());
  if (!tls.client_key_data.empty()) set_blob(easy, CURLOPT_SSLKEY_BLOB, tls.client_key_data);
  curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
  curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM");
}

// An explicit proxy (kubeconfig proxy-url) carries everything, as in Go.
// Without one, libcurl reads http_proxy/https_proxy/no_proxy from the
// environment; like Go's ProxyFromEnvironment, loopback is never proxied.
void set_proxy(CURL* easy, const std::string& proxy_url) {
  if (!proxy_url.empty()) {
    curl_easy_setopt(easy, CURLOPT_PROXY, proxy_url.c_str());
    return;
  }
  const char* from_env = std::getenv("no_proxy");
  if (from_env == nullptr) from_env = std::getenv("NO_PROXY");
  std::string no_proxy = from_env != nullptr && *from_env != '\0' ? std::string(from_env) + "," : "";
  no_proxy += "localhost,127.0.0.1,::1";
  curl_easy_setopt(easy, CURLOPT_NOPROXY, no_proxy.c_str());
}

// Where to send the request. With a TLS server-name override the URL's host
// becomes the server name (libcurl uses the URL host for SNI and for the
// certificate name check; it has no separate SNI option) and CONNECT_TO sends
// the TCP connection to the real host. The Host header keeps the original
// authority, as kubectl does with tls-server-name.
struct Target {
  std::string url;
  std::string connect_to;   // "name:port:host:port", empty without override
  std::string host_header;  // original authority, empty without override
};

Result<Target> resolve_target(const std::string& url, const std::string& server_name) {
  if (server_name.empty()) return Target{url, "", ""};
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> parsed(curl_url(), curl_url_cleanup);
  auto part = [&](CURLUPart which, unsigned flags) -> std::string {
    char* value = nullptr;
    if (curl_url_get(parsed.get(), which, &value, flags) != CURLUE_OK) return "";
    std::string out(value);
    curl_free(value);
    return out;
  };
  if (curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return util::make_error(ErrorKind::invalid, "invalid URL '" + redact_url(url) + "'");
  }
  std::string host = part(CURLUPART_HOST, 0), port = part(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  std::string explicit_port = part(CURLUPART_PORT, 0);
  Target target;
  target.host_header = explicit_port.empty() ? host : host + ":" + explicit_port;
  target.connect_to = server_name + ":" + port + ":" + host + ":" + port;
  curl_url_set(parsed.get(), CURLUPART_HOST, server_name.c_str(), 0);
  target.url = part(CURLUPART_URL, 0);
  return target;
}

ErrorKind kind_of(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT: return ErrorKind::timeout;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_FUNCTION_ARGUMENT: return ErrorKind::invalid;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED: return ErrorKind::tls;
    case CURLE_OUT_OF_MEMORY:
    case CURLE_FAILED_INIT: return ErrorKind::internal;
    default: return ErrorKind::unavailable;  // refused, DNS, reset, cut short
  }
}

const char* what_happened(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::timeout: return "timed out";
    case ErrorKind::tls: return "TLS failure";
    case ErrorKind::invalid: return "invalid request";
    case ErrorKind::unavailable: return "unavailable";
    default: return "failed";
  }
}

std::string describe(const Request& request) {
  return request.method + " " + redact_url(request.url);
}

// What libcurl keeps pointers to during the attempt.
struct Setup {
  Target target;
  Slist headers;
  Slist connect_to;
};

Result<Setup> configure(Transfer& t) {
  const Request& request = t.ex.request;
  const ClientOptions& options = t.ex.options;
  auto target = resolve_target(request.url, options.tls.server_name);
  if (!target) return target.error();
  Setup setup{std::move(*target), nullptr, nullptr};
  setup.headers = build_headers(request, setup.target.host_header);
  CURL* easy = t.easy;
  curl_easy_setopt(easy, CURLOPT_URL, setup.target.url.c_str());
  if (!setup.target.connect_to.empty()) {
    setup.connect_to.reset(curl_slist_append(nullptr, setup.target.connect_to.c_str()));
    curl_easy_setopt(easy, CURLOPT_CONNECT_TO, setup.connect_to.get());
  }
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t.errbuf);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(easy, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  // A stream's timeout is an idle limit enforced by the poll loop, not a total.
  if (t.ex.on_line == nullptr)
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  set_method(easy, request);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, setup.headers.get());
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &t);
  set_tls(easy, options.tls);
  set_proxy(easy, options.proxy_url);
  // Set on every attempt: pooled handles keep their options between requests.
  curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, request.send_gate ? on_prereq : nullptr);
  curl_easy_setopt(easy, CURLOPT_PREREQDATA, &t);
  if (request.follow_redirects) {
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  }
  return setup;
}

CURLcode finished_code(CURLM* multi) {
  int left = 0;
  CURLcode code = CURLE_OK;
  while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
    if (msg->msg == CURLMSG_DONE) code = msg->data.result;
  }
  return code;
}

// Runs the transfer to its end, polling so the stream idle limit is noticed
// within the poll interval even when no byte arrives; a cancel wakes the poll.
CURLcode drive(Transfer& t, CURLM* multi) {
  const auto idle_limit = t.ex.request.timeout;
  const int poll_ms = static_cast<int>(stream_poll_interval().count());
  // A cancel (a stop, an exit) wakes the poll at once instead of at its next timeout.
  util::CancelWakeup wakeup(t.ex.cancel, [multi] { curl_multi_wakeup(multi); });
  curl_multi_add_handle(multi, t.easy);
  CURLcode code = CURLE_OK;
  while (true) {
    int running = 0;
    if (curl_multi_perform(multi, &running) != CURLM_OK) {
      code = CURLE_FAILED_INIT;
      break;
    }
    if (running == 0) {
      code = finished_code(multi);
      break;
    }
    if (t.ex.cancel != nullptr && t.ex.cancel->cancelled()) {
      t.cancelled = true;
      break;
    }
    if (t.ex.on_line != nullptr && std::chrono::steady_clock::now() - t.last_data > idle_limit) {
      t.idle_timeout = true;
      break;
    }
    curl_multi_poll(multi, nullptr, 0, poll_ms, nullptr);
  }
  // Removing a handle mid-transfer closes that connection; finished ones stay cached.
  curl_multi_remove_handle(multi, t.easy);
  return code;
}

// With TLS 1.3 a server rejects a missing or bad client certificate after
// the client thinks the handshake is done, so libcurl reports a receive
// error; the TLS alert in its message is the only sign that TLS failed.
bool is_tls_alert(CURLcode code, const std::string& detail) {
  return (code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR) && detail.find("SSL_") != std::string::npos &&
         detail.find(" alert ") != std::string::npos;
}

util::Error transport_error(const Transfer& t, CURLcode code) {
  std::string detail = t.errbuf[0] != '\0' ? t.errbuf : curl_easy_strerror(code);
  ErrorKind kind = is_tls_alert(code, detail) ? ErrorKind::tls : kind_of(code);
  std::string message = fmt::format("{}: {}: {}", describe(t.ex.request), what_happened(kind), detail);
  bool cut_stream = t.ex.on_line != nullptr && t.delivered && kind == ErrorKind::unavailable;
  if (cut_stream)
    message += fmt::format(" (stream cut; {} bytes of an unfinished line dropped)", t.splitter.pending());
  return util::make_error(kind, message);
}

Result<Response> outcome(Transfer& t, CURLcode code) {
  const Request& request = t.ex.request;
  if (t.handler_exception) std::rethrow_exception(t.handler_exception);
  if (t.gate_refusal) return *t.gate_refusal;
  if (t.cancelled) return util::make_error(ErrorKind::cancelled, describe(request) + ": cancelled");
  if (t.idle_timeout) {
    return util::make_error(ErrorKind::timeout, fmt::format("{}: timed out: no data for {} ms",
                                                            describe(request), request.timeout.count()));
  }
  if (t.line_too_long) {
    return util::make_error(ErrorKind::invalid, describe(request) + ": streamed line exceeds the size limit");
  }
  if (code != CURLE_OK && !t.handler_stopped) return transport_error(t, code);
  t.response.status = static_cast<int>(status_so_far(t.easy));
  // A clean end may leave a last line without "\n"; it is complete.
  if (t.ex.on_line != nullptr && !t.handler_stopped && t.response.status < 300) {
    t.splitter.finish([&t](const std::string& line) {
      t.delivered = true;
      return (*t.ex.on_line)(line);
    });
  }
  return std::move(t.response);
}

}  // namespace

HandlePool::~HandlePool() {
  for (auto& slot : idle_) {
    curl_easy_cleanup(slot.easy);
    curl_multi_cleanup(slot.multi);
  }
}

CurlSlot HandlePool::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      CurlSlot slot = idle_.back();
      idle_.pop_back();
      return slot;
    }
  }
  CurlSlot slot{curl_multi_init(), curl_easy_init()};
  if (slot.multi == nullptr || slot.easy == nullptr) throw std::bad_alloc();
  return slot;
}

void HandlePool::release(CurlSlot slot) {
  // reset keeps live connections, DNS and TLS session caches; it drops options.
  curl_easy_reset(slot.easy);
  std::lock_guard lock(mutex_);
  if (idle_.size() < k_max_idle) {
    idle_.push_back(slot);
    return;
  }
  curl_easy_cleanup(slot.easy);
  curl_multi_cleanup(slot.multi);
}

AttemptResult run_exchange(HandlePool& pool, const Exchange& exchange) {
  CurlSlot slot = pool.acquire();
  // Returns the slot to the pool on every path, exceptions included.
  std::unique_ptr<CurlSlot, std::function<void(CurlSlot*)>> guard(&slot,
                                                                  [&pool](CurlSlot* s) { pool.release(*s); });
  Transfer transfer(exchange, slot.easy);
  auto setup = configure(transfer);
  if (!setup) return {setup.error(), false};
  CURLcode code = drive(transfer, slot.multi);
  auto result = outcome(transfer, code);
  return {std::move(result), transfer.delivered};
}

}  // namespace sluice::http::detail
