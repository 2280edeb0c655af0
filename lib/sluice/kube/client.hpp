// The Kubernetes API client: generic JSON access to any resource (get, list,
// create, update, delete, patch, apply, status and scale subresources, watch)
// over http::Client, with auth, a client-side rate limit and client-go's retry rules.
#pragma once

#include <sluice/http/client.hpp>
#include <sluice/kube/config.hpp>
#include <sluice/kube/field_mask.hpp>
#include <sluice/kube/resources.hpp>
#include <sluice/util/clock.hpp>
#include <sluice/util/result.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::kube {

using Json = nlohmann::json;
using util::CancelToken;
using util::Duration;

// One API call, before auth, rate limiting and retries are added.
struct ApiRequest {
  std::string method = "GET";
  std::string path;                                        // "/api/v1/namespaces/ns/pods/web-1"
  std::vector<std::pair<std::string, std::string>> query;  // unescaped; the client escapes
  std::string body;
  std::string content_type;  // set when there is a body
  // Watches: each event's object parsed keeping only these fields (null: whole).
  std::shared_ptr<const FieldMask> fields;
};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int limit = 0;                 // 0: server default (everything)
  std::string continue_token;    // metadata.continue of the previous page
  std::string resource_version;  // "" : most recent
};

struct WatchOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // start after this RV (usually the list's)
  bool allow_bookmarks = true;
  int timeout_seconds = 0;  // server-side end of the stream; 0: client default
  // Begin with the current state (sendInitialEvents=true, resourceVersionMatch=
  // NotOlderThan; resource_version empty: the latest): ADDED events closed by a
  // BOOKMARK annotated k8s.io/initial-events-end. Needs the WatchList feature.
  bool send_initial_events = false;
  // Each event's object parsed keeping only these fields (null: whole).
  std::shared_ptr<const FieldMask> fields;
};

struct WatchEvent {
  std::string type;  // ADDED, MODIFIED, DELETED, BOOKMARK, ERROR
  Json object;       // the object, or a Status for ERROR
};

enum class PatchType { json, merge, strategic, apply };
const char* content_type(PatchType type);

struct PatchOptions {
  std::string field_manager = "sluice";  // required by apply, sent for every patch
  bool force = false;                    // apply only: take over conflicting fields
};

enum class Propagation { background, foreground, orphan };

struct DeleteOptions {
  std::optional<Propagation> propagation;
  std::optional<int> grace_period_seconds;
  std::string precondition_resource_version;  // delete only this version
};

// All pages of a list, plus the RV a watch continues from.
struct ListAll {
  std::vector<Json> items;
  std::string resource_version;
};

class Client {
 public:
  virtual ~Client() = default;

  // The primitive every call goes through: the JSON answer, or the Status
  // decoded into a typed Error (kube/errors.hpp). Retries 429 and
  // 5xx-with-Retry-After (any verb) and transport failures (reads only).
  virtual Result<Json> request(const ApiRequest& request, const CancelToken* cancel = nullptr) = 0;
  // One watch request (`?watch=true` is added): calls `on_event` per event
  // until the server ends the stream (ok), `on_event` returns false (ok),
  // `cancel` fires (cancelled) or the request fails (410 -> gone). ERROR
  // events are delivered to on_event, not turned into errors here.
  virtual util::Status watch_stream(const ApiRequest& request,
                                    const std::function<bool(const WatchEvent&)>& on_event,
                                    const CancelToken* cancel = nullptr) = 0;
  // HTTP requests sent so far, retries and watch requests included.
  virtual std::uint64_t requests_made() const = 0;
  // Asked right before each write attempt goes on the wire (after rate limiting
  // and retry waits, where a stalled process may have slept): a refusal stops
  // the write locally. An empty gate lets every write through.
  using WriteGate = std::function<util::Status()>;
  // A sink: the overriding client keeps it (NOLINT: the base ignores it).
  virtual void set_write_gate(WriteGate gate) { (void)gate; }  // NOLINT(performance-unnecessary-value-param)

  // Conveniences over request(); `ns` is ignored for cluster-scoped kinds.
  Result<Json> get(const ResourceRef& ref, const std::string& ns, const std::string& name,
                   const CancelToken* cancel = nullptr);
  // One page: the List object (items, metadata.resourceVersion, metadata.continue).
  Result<Json> list(const ResourceRef& ref, const std::string& ns, const ListOptions& options = {},
                    const CancelToken* cancel = nullptr);
  // Follows metadata.continue until the last page (pages of options.limit, default 500).
  Result<ListAll> list_all(const ResourceRef& ref, const std::string& ns, ListOptions options = {},
                           const CancelToken* cancel = nullptr);
  Result<Json> create(const ResourceRef& ref, const std::string& ns, const Json& object);
  // PUT; a stale metadata.resourceVersion answers conflict.
  Result<Json> update(const ResourceRef& ref, const std::string& ns, const Json& object);
  // The Status or last state of the object the server returns.
  Result<Json> remove(const ResourceRef& ref, const std::string& ns, const std::string& name,
                      const DeleteOptions& options = {});
  // `patch` is the JSON patch array, merge patch or apply configuration.
  Result<Json> patch(const ResourceRef& ref, const std::string& ns, const std::string& name, PatchType type,
                     const Json& patch, const PatchOptions& options = {});
  // Server-side apply of a full object (apiVersion, kind, metadata.name), field manager "sluice".
  Result<Json> apply(const ResourceRef& ref, const std::string& ns, const Json& object, bool force = true);

  Result<Json> update_status(const ResourceRef& ref, const std::string& ns, const Json& object);
  // Sets spec.replicas through the scale subresource (a merge patch, as kubectl scale does).
  Result<Json> set_scale(const ResourceRef& ref, const std::string& ns, const std::string& name,
                         int replicas);

  util::Status watch(const ResourceRef& ref, const std::string& ns, const WatchOptions& options,
                     const std::function<bool(const WatchEvent&)>& on_event,
                     const CancelToken* cancel = nullptr);
};

using HttpFactory = std::function<std::unique_ptr<http::Client>(const http::ClientOptions&)>;

struct ClientOptions {
  util::Clock* clock = nullptr;  // rate limit and backoff waits; system clock when null
  double qps = 50;               // client-side rate limit; <= 0 disables it
  int burst = 100;
  int max_attempts = 10;  // per request, first try included (client-go: 10)
  Duration connect_timeout{5000};
  Duration request_timeout{30000};
  Duration max_retry_wait{30000};   // cap for one backoff / Retry-After wait
  int watch_timeout_seconds = 300;  // asked of the server; streams are resumed after
  std::string user_agent;           // empty: "sluice/VERSION"
  // Creates the transport; default http::make_curl_client. Tests inject fakes.
  // Called again when an exec plugin hands out a new client certificate.
  HttpFactory http_factory;
  // Where loud warnings (insecure-skip-tls-verify) go; default spdlog warn.
  std::function<void(const std::string&)> warn;
};

// A client for `config`. Fails when the config cannot be used (no server,
// unreadable certificate file, exec plugin missing is reported at first use).
Result<std::unique_ptr<Client>> make_client(const Config& config, ClientOptions options = {});

}  // namespace sluice::kube
