// One attempt of an HTTP exchange on a pooled libcurl handle: option setup
// (timeouts, TLS, proxy, headers), the callbacks that collect the answer or
// split a stream into lines, and the poll loop that watches cancellation and
// the stream idle limit. Retries live one level up, in curl_client.cpp.
#pragma once

#include <sluice/http/client.hpp>

#include <curl/curl.h>

#include <mutex>
#include <vector>

namespace sluice::http::detail {

// A multi handle owns the connection cache; keeping one per easy handle and
// pooling the pair is what makes connections survive between calls.
struct CurlSlot {
  CURLM* multi = nullptr;
  CURL* easy = nullptr;
};

class HandlePool {
 public:
  HandlePool() = default;
  ~HandlePool();
  HandlePool(const HandlePool&) = delete;
  HandlePool& operator=(const HandlePool&) = delete;

  CurlSlot acquire();
  void release(CurlSlot slot);

 private:
  static constexpr size_t k_max_idle = 16;
  std::mutex mutex_;
  std::vector<CurlSlot> idle_;  // LIFO: the warmest connection is reused first
};

struct Exchange {
  const Request& request;
  const ClientOptions& options;
  const LineHandler* on_line = nullptr;  // null: collect the whole body
  const util::CancelToken* cancel = nullptr;
};

struct AttemptResult {
  Result<Response> result;
  bool delivered_lines = false;  // a stream that delivered lines must not be replayed
};

AttemptResult run_exchange(HandlePool& pool, const Exchange& exchange);

}  // namespace sluice::http::detail
