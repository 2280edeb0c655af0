// Private to kubesim's server: the state handlers share and the helpers they
// use to answer in the apiserver's format. Not for use outside lib/sluice/kubesim.
#pragma once

#include <kubesim/api_status.hpp>
#include <kubesim/audit.hpp>
#include <kubesim/identity.hpp>
#include <kubesim/server.hpp>

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <regex>
#include <set>

namespace kubesim {

struct FaultRule {
  std::string verb;  // "*", a Kubernetes verb (get, list, watch, create, ...) or an HTTP method
  std::string path_pattern;
  std::regex path;
  int remaining = 1;  // requests still to fail; -1 = until cleared
  int status = 0;     // 0: only add latency
  int retry_after_seconds = 0;
  int latency_ms = 0;
};

class Faults {
 public:
  void add(FaultRule rule);
  void clear();
  Json to_json() const;
  void set_latency(int ms) { latency_ms_ = ms; }
  int latency_ms() const { return latency_ms_; }
  // The rule that fires for this request (consuming one use), if any.
  std::optional<FaultRule> match(const std::string& verb, const std::string& method, const std::string& path);

 private:
  mutable std::mutex mutex_;
  std::vector<FaultRule> rules_;
  std::atomic<int> latency_ms_{0};
};

// Open watches, so the control API can drop them all and stop() can end them.
class WatchHub {
 public:
  std::uint64_t generation() const { return generation_.load(); }
  bool stopping() const { return stopping_.load(); }
  void drop_all();
  void stop();
  // Blocks up to `until`, returning early when woken (event, drop, stop).
  void wait(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
            std::chrono::steady_clock::time_point until);
  void enter(std::condition_variable* cv, std::mutex* m);
  void leave(std::condition_variable* cv);
  std::size_t open() const;
  // Store events handed to some watch's queue since start: one per event
  // and watch that selects it, not per event and watch of its kind.
  void count_queued();
  std::uint64_t queued() const;
  // Watch lines serialised once and shared by every watcher: with many
  // watches, dumping each event per watcher dominated kubesim's CPU.
  std::shared_ptr<const std::string> line(const std::string& key, const std::function<std::string()>& make);

 private:
  mutable std::mutex mutex_;
  std::map<std::condition_variable*, std::mutex*> watches_;
  std::mutex lines_mutex_;
  std::map<std::string, std::shared_ptr<const std::string>> lines_;
  std::deque<std::string> line_order_;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::uint64_t> queued_{0};
  std::atomic<bool> stopping_{false};
};

struct ApiContext {
  Store& store;
  SimConfig& config;
  Controllers* controllers;
  Audit& audit;
  Faults& faults;
  WatchHub& watches;
  const ServerOptions& options;
  Authenticator* authenticator = nullptr;
};

// A parsed resource URL: /api/v1/namespaces/ns/pods/name/status.
struct ApiRoute {
  const ResourceType* type = nullptr;
  std::string ns;
  std::string name;
  std::string subresource;
  bool watch_path = false;  // legacy /watch/ prefix
  // The version the client asked for when another one's storage serves it
  // (events.k8s.io/v1 Events are core Events): answers are converted to it.
  const ResourceType* served = nullptr;
};

// Per-request facts the audit logger reads after the response is written.
struct RequestInfo {
  std::chrono::steady_clock::time_point start;
  std::string verb;
  std::string user;  // empty when authentication is off
  UserInfo identity;
  bool dry_run = false;  // a write asked with dryRun=All: the audit marks it
};
RequestInfo& current_request();

void send_json(httplib::Response& res, int code, const Json& body);
void send_error(httplib::Response& res, const ApiError& error);

// Entry points, one per concern.
bool handle_discovery(ApiContext& ctx, const httplib::Request& req, httplib::Response& res);
bool handle_openapi(ApiContext& ctx, const httplib::Request& req, httplib::Response& res);
void handle_resource(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                     const ApiRoute& route);
void handle_patch(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const ApiRoute& route);
// events.k8s.io/v1 Events, served by the core Event storage (events_api.cpp).
void handle_events_v1(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                      const ApiRoute& route);
void handle_watch(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const ApiRoute& route);
// The self reviews and SubjectAccessReview: answered, never stored (reviews.cpp).
bool is_review(const ResourceType& type);
void handle_review(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                   const ApiRoute& route);
// POST serviceaccounts/NAME/token: issues a token for the ServiceAccount.
void handle_token_request(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                          const ApiRoute& route);
// The request's user; an admin in system:masters when authentication is off.
UserInfo current_identity();
void handle_control(ApiContext& ctx, const httplib::Request& req, httplib::Response& res);
std::optional<ApiRoute> parse_route(const TypeRegistry& types, const std::string& path);

// Shared by the verb handlers.
// True for `?dryRun=All` or a body (DeleteOptions) holding `dryRun: ["All"]`;
// marks the request as a dry run for the audit log.
bool is_dry_run(const httplib::Request& req, const Json& options = Json::object());
// Decodes `object` as the request's fieldValidation asks (Warn when absent,
// the apiserver's default): the 400 to send, or nullopt after adding a
// `Warning: 299` header to `res` for each unknown field it dropped.
std::optional<ApiError> decode_body(const httplib::Request& req, httplib::Response& res,
                                    const ResourceType& type, Json& object, bool apply = false);
std::string now_rfc3339();
std::string field_manager(const httplib::Request& req, const std::string& fallback);
Json to_table(const ResourceType& type, const std::vector<Json>& items, const std::string& resource_version);
bool wants_table(const httplib::Request& req);
// Deletes `object` and, unless orphaning, its dependents by ownerReferences.
// Pods with a running kubelet and grace > 0 are only marked for deletion.
Result<Json> delete_with_dependents(ApiContext& ctx, const ResourceType& type, const Json& object,
                                    const std::string& policy, long long grace);
long long grace_period(const httplib::Request& req, const Json& options, const Json& object);
// The Scale object for a Deployment or ReplicaSet.
Json to_scale(const Json& object);

}  // namespace kubesim
