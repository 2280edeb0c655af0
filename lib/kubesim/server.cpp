// The Server: owns the Store, SimConfig, Controllers, audit log and the
// cpp-httplib server, and routes each request through authentication, fault
// injection and on to the discovery, resource or control handlers.
#include <kubesim/connection_pool.hpp>
#include <kubesim/controllers.hpp>
#include <kubesim/crd_controller.hpp>
#include <kubesim/rbac.hpp>
#include <kubesim/server_internal.hpp>
#include <kubesim/tls.hpp>
#include <kubesim/traffic_http.hpp>

#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace kubesim {

RequestInfo& current_request() {
  thread_local RequestInfo info;
  return info;
}

void send_json(httplib::Response& res, int code, const Json& body) {
  res.status = code;
  res.set_content(body.dump(), "application/json");
}

void send_error(httplib::Response& res, const ApiError& error) {
  send_json(res, error.code, status_json(error));
}

std::string now_rfc3339() {
  const auto ms = unix_millis();
  std::string text = rfc3339_millis(ms);
  return text.substr(0, 19) + "Z";
}

std::string field_manager(const httplib::Request& req, const std::string& fallback) {
  if (req.has_param("fieldManager")) return req.get_param_value("fieldManager");
  const std::string agent = req.get_header_value("User-Agent");
  return agent.empty() ? fallback : agent.substr(0, agent.find('/'));
}

std::optional<ApiRoute> parse_route(const TypeRegistry& types, const std::string& path) {
  std::vector<std::string> parts;
  std::stringstream stream(path);
  for (std::string part; std::getline(stream, part, '/');) {
    if (!part.empty()) parts.push_back(part);
  }
  std::string group;
  std::size_t i = 0;
  if (parts.size() >= 3 && parts[0] == "api" && parts[1] == "v1") {
    i = 2;
  } else if (parts.size() >= 4 && parts[0] == "apis") {
    group = parts[1];
    i = 3;
  } else {
    return std::nullopt;
  }
  ApiRoute route;
  if (parts[i] == "watch") {
    route.watch_path = true;
    ++i;
  }
  const std::string version = group.empty() ? parts[1] : parts[2];
  if (i + 2 < parts.size() && parts[i] == "namespaces" &&
      types.find(group, version, parts[i + 2]) != nullptr) {
    route.ns = parts[i + 1];
    i += 2;
  }
  if (i >= parts.size()) return std::nullopt;
  route.type = types.find(group, version, parts[i]);
  if (route.type == nullptr || parts.size() > i + 3) return std::nullopt;
  if (i + 1 < parts.size()) route.name = parts[i + 1];
  if (i + 2 < parts.size()) route.subresource = parts[i + 2];
  return route;
}

void Faults::add(FaultRule rule) {
  std::lock_guard lock(mutex_);
  rules_.push_back(std::move(rule));
}

void Faults::clear() {
  std::lock_guard lock(mutex_);
  rules_.clear();
  latency_ms_ = 0;
}

Json Faults::to_json() const {
  std::lock_guard lock(mutex_);
  Json rules = Json::array();
  for (const auto& r : rules_) {
    rules.push_back({{"verb", r.verb},
                     {"path", r.path_pattern},
                     {"count", r.remaining},
                     {"status", r.status},
                     {"retryAfterSeconds", r.retry_after_seconds},
                     {"latencyMs", r.latency_ms}});
  }
  return {{"rules", rules}, {"latencyMs", latency_ms_.load()}};
}

std::optional<FaultRule> Faults::match(const std::string& verb, const std::string& method,
                                       const std::string& path) {
  std::lock_guard lock(mutex_);
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if (it->verb != "*" && it->verb != verb && it->verb != method) continue;
    if (!std::regex_search(path, it->path)) continue;
    FaultRule fired = *it;
    if (it->remaining > 0 && --it->remaining == 0) rules_.erase(it);
    return fired;
  }
  return std::nullopt;
}

struct Server::Impl {
  ServerOptions options;
  Store store;
  CrdController crds{store};  // part of the apiserver, so on even with --no-controllers
  SimConfig config;
  Audit audit;
  Faults faults;
  WatchHub watches;
  TrafficSimulator traffic{store, config};
  std::unique_ptr<Controllers> controllers;
  std::unique_ptr<httplib::Server> http;
  std::unique_ptr<ApiContext> ctx;
  std::unique_ptr<Authenticator> authenticator;
  std::thread thread;
  sluice::util::CancelToken stopping;
  GeneratedCerts certs;
  int listen_socket = -1;
  bool started = false;
  bool stopped = false;

  explicit Impl(ServerOptions o) : options(std::move(o)), store(options.history_limit, options.clock) {}

  void dispatch(const httplib::Request& req, httplib::Response& res);
  std::optional<ApiError> authorize_request(const httplib::Request& req) const;
  bool inject_fault(const httplib::Request& req, httplib::Response& res,
                    const std::optional<ApiRoute>& route);
  sluice::util::Status make_http();
  void log_request(const httplib::Request& req, const httplib::Response& res);
};

namespace {

std::string random_uuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string uuid = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx";
  std::uint64_t bits = rng();
  int used = 0;
  for (char& c : uuid) {
    if (c != 'x' && c != 'y') continue;
    if (used == 16) bits = rng(), used = 0;
    unsigned v = static_cast<unsigned>(bits & 0xf);
    bits >>= 4;
    ++used;
    if (c == 'y') v = (v & 0x3) | 0x8;
    c = "0123456789abcdef"[v];
  }
  return uuid;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string guess_verb(const httplib::Request& req, const std::optional<ApiRoute>& route) {
  if (!route) return "get";
  const bool collection = route->name.empty();
  if (req.method == "GET") {
    if (route->watch_path || req.get_param_value("watch") == "true" || req.get_param_value("watch") == "1")
      return "watch";
    return collection ? "list" : "get";
  }
  if (req.method == "POST") return "create";
  if (req.method == "PUT") return "update";
  if (req.method == "PATCH") return "patch";
  if (req.method == "DELETE") return collection ? "deletecollection" : "delete";
  return "get";
}

RequestAttributes attributes_of(const httplib::Request& req) {
  const std::string watch = req.get_param_value("watch");
  return request_attributes(req.method, req.path, watch == "true" || watch == "1",
                            req.get_param_value("fieldSelector"));
}

}  // namespace

// Users outside system:masters get what RBAC grants them (rbac.cpp).
std::optional<ApiError> Server::Impl::authorize_request(const httplib::Request& req) const {
  const UserInfo& user = current_request().identity;
  if (is_privileged(user)) return std::nullopt;
  const RequestAttributes attributes = attributes_of(req);
  const Decision decision = authorize(store, user, attributes);
  if (decision.allowed) return std::nullopt;
  return forbidden(user.name, attributes, decision.reason);
}

bool Server::Impl::inject_fault(const httplib::Request& req, httplib::Response& res,
                                const std::optional<ApiRoute>& route) {
  const auto rule = faults.match(guess_verb(req, route), req.method, req.path);
  const int latency = faults.latency_ms() + (rule ? rule->latency_ms : 0);
  if (latency > 0) stopping.wait_until(std::chrono::steady_clock::now() + std::chrono::milliseconds(latency));
  if (!rule || rule->status == 0) return false;
  // A denied verb answers as RBAC would, naming the user, verb and resource.
  if (rule->status == 403) {
    send_error(res, forbidden(current_request().user, attributes_of(req)));
    return true;
  }
  static const std::map<int, std::pair<std::string, std::string>> reasons = {
      {429, {"TooManyRequests", "Too many requests, please try again later."}},
      {500, {"InternalError", "Internal error occurred: injected fault"}},
      {503, {"ServiceUnavailable", "the server is currently unable to handle the request"}},
      {504, {"Timeout", "the server was unable to return a response in the time allotted"}},
      {409, {"Conflict", "Operation cannot be fulfilled: injected conflict"}},
      {410, {"Expired", "too old resource version"}}};
  const auto known = reasons.find(rule->status);
  ApiError error{rule->status, known != reasons.end() ? known->second.first : "InternalError",
                 known != reasons.end() ? known->second.second : "injected fault", Json::object()};
  if (rule->retry_after_seconds > 0) {
    res.set_header("Retry-After", std::to_string(rule->retry_after_seconds));
    error.details = {{"retryAfterSeconds", rule->retry_after_seconds}};
  }
  send_error(res, error);
  return true;
}

void Server::Impl::dispatch(const httplib::Request& req, httplib::Response& res) {
  RequestInfo& info = current_request();
  info.verb = "get";
  info.dry_run = false;
  // Metrics are scraped by Prometheus without credentials, like a pod's own
  // /metrics endpoint, so they are answered before authentication.
  if (serve_traffic(traffic, req, res)) return;
  if (req.path.rfind("/kubesim/", 0) == 0) return handle_control(*ctx, req, res);
  const auto route = parse_route(store.types(), req.path);
  info.verb = guess_verb(req, route);
  if (authenticator->enabled()) {
    if (auto error = authenticator->authenticate(req, info.identity)) return send_error(res, *error);
    info.user = info.identity.name;
    if (auto denied = authorize_request(req)) return send_error(res, *denied);
  }
  if (inject_fault(req, res, route)) return;
  if (handle_discovery(*ctx, req, res) || handle_openapi(*ctx, req, res)) return;
  if (!route) {
    return send_error(res,
                      {404, "NotFound", "the server could not find the requested resource", Json::object()});
  }
  handle_resource(*ctx, req, res, *route);
}

void Server::Impl::log_request(const httplib::Request& req, const httplib::Response& res) {
  if (req.path.rfind("/kubesim/", 0) == 0) return;
  const RequestInfo& info = current_request();
  RequestRecord record;
  record.time_ms = unix_millis();
  record.verb = info.verb;
  record.dry_run = info.dry_run;
  record.method = req.method;
  record.path = req.path;
  const auto q = req.target.find('?');
  if (q != std::string::npos) record.query = req.target.substr(q + 1);
  record.user_agent = req.get_header_value("User-Agent");
  record.status = res.status > 0 ? res.status : 200;
  record.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - info.start).count();
  audit.record_request(record);
}

sluice::util::Status Server::Impl::make_http() {
  if (!options.tls) {
    http = std::make_unique<httplib::Server>();
    return {};
  }
  std::string cert_pem;
  std::string key_pem;
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return sluice::util::make_error(sluice::util::ErrorKind::invalid,
                                    "--tls-cert and --tls-key must be given together");
  }
  if (options.tls_cert_file.empty()) {
    auto generated = generate_server_certs();
    if (!generated.ok()) return generated.error();
    certs = *generated;
    cert_pem = certs.server_cert_pem;
    key_pem = certs.server_key_pem;
  } else {
    cert_pem = read_file(options.tls_cert_file);
    key_pem = read_file(options.tls_key_file);
    certs.ca_pem = cert_pem;
  }
  const std::string client_ca = options.client_ca_file;
  auto setup = [cert_pem, key_pem, client_ca](SSL_CTX& ctx) {
    BIO* cert_bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
    X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
    BIO_free(cert_bio);
    BIO* key_bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
    BIO_free(key_bio);
    const bool ok = cert != nullptr && key != nullptr && SSL_CTX_use_certificate(&ctx, cert) == 1 &&
                    SSL_CTX_use_PrivateKey(&ctx, key) == 1;
    X509_free(cert);
    EVP_PKEY_free(key);
    SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
    if (!client_ca.empty()) {
      // Ask for a client certificate but accept connections without one:
      // those authenticate by token or stay anonymous, like the apiserver.
      SSL_CTX_load_verify_locations(&ctx, client_ca.c_str(), nullptr);
      SSL_CTX_set_client_CA_list(&ctx, SSL_load_client_CA_file(client_ca.c_str()));
      SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, nullptr);
    }
    return ok;
  };
  auto server = std::make_unique<httplib::SSLServer>(setup);
  if (!server->is_valid())
    return sluice::util::make_error(sluice::util::ErrorKind::tls, "cannot load the TLS certificate and key");
  http = std::move(server);
  return {};
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() {
  stop();
}

sluice::util::Status Server::start() {
  Impl& impl = *impl_;
  if (impl.started) return {};
  if (!impl.options.sim_config.empty()) {
    if (auto applied = impl.config.apply_json(impl.options.sim_config); !applied.ok()) {
      return applied.error().with_context("simulation config");
    }
  }
  if (!impl.options.audit_log_file.empty()) {
    if (auto opened = impl.audit.open_file(impl.options.audit_log_file); !opened.ok()) return opened;
  }
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    (void)impl.store.create("namespaces", Json{{"metadata", {{"name", ns}}},
                                               {"spec", {{"finalizers", {"kubernetes"}}}},
                                               {"status", {{"phase", "Active"}}}});
  }
  auto tokens = Authenticator::parse_tokens(impl.options.tokens);
  if (!tokens.ok()) return tokens.error();
  impl.authenticator = std::make_unique<Authenticator>(
      std::move(*tokens), !impl.options.client_ca_file.empty(), impl.store,
      impl.options.clock != nullptr ? *impl.options.clock : sluice::util::system_clock());
  if (impl.authenticator->enabled()) create_bootstrap_rbac(impl.store);
  if (auto made = impl.make_http(); !made.ok()) return made;
  impl.ctx =
      std::make_unique<ApiContext>(ApiContext{impl.store, impl.config, nullptr, impl.audit, impl.faults,
                                              impl.watches, impl.options, impl.authenticator.get()});
  configure_connections(*impl.http, static_cast<std::size_t>(std::max(impl.options.threads, 1)),
                        impl.listen_socket);
  impl.http->set_keep_alive_max_count(1000);
  impl.http->set_keep_alive_timeout(30);
  impl.http->set_payload_max_length(16 * 1024 * 1024);
  impl.http->set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    current_request().start = std::chrono::steady_clock::now();
    res.set_header("Audit-Id", random_uuid());  // as the apiserver's WithAuditInit does for every request
    current_request().user.clear();
    current_request().identity = {};
    // Compressing would buffer watch events inside zlib; loopback needs none.
    const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
    return httplib::Server::HandlerResponse::Unhandled;
  });
  auto handler = [&impl](const httplib::Request& req, httplib::Response& res) {
    try {
      impl.dispatch(req, res);
    } catch (const std::exception& e) {
      // A bug, reported the way the apiserver reports one rather than as a dropped connection.
      send_error(res,
                 {500, "InternalError", std::string("Internal error occurred: ") + e.what(), Json::object()});
    }
    // Recorded before the response goes out, so a client that got its answer
    // finds its call in the audit log.
    impl.log_request(req, res);
  };
  impl.http->Get(".*", handler);
  impl.http->Post(".*", handler);
  impl.http->Put(".*", handler);
  impl.http->Patch(".*", handler);
  impl.http->Delete(".*", handler);
  const int port =
      impl.options.port == 0
          ? impl.http->bind_to_any_port(impl.options.host)
          : (impl.http->bind_to_port(impl.options.host, impl.options.port) ? impl.options.port : -1);
  if (port <= 0) {
    return sluice::util::make_error(
        sluice::util::ErrorKind::unavailable,
        "cannot listen on " + impl.options.host + ":" + std::to_string(impl.options.port));
  }
  impl.options.port = port;
  widen_backlog(impl.listen_socket);
  impl.audit.attach(impl.store);
  if (impl.options.run_controllers) {
    impl.controllers = std::make_unique<Controllers>(impl.store, impl.config);
    impl.ctx->controllers = impl.controllers.get();
    impl.controllers->start();
  }
  impl.traffic.start(sluice::util::system_clock());
  impl.thread = std::thread([&impl] { impl.http->listen_after_bind(); });
  impl.started = true;
  while (!impl.http->is_running()) std::this_thread::yield();
  return {};
}

void Server::stop() {
  Impl& impl = *impl_;
  if (!impl.started || impl.stopped) return;
  impl.stopped = true;
  impl.stopping.cancel();
  impl.traffic.stop();
  impl.watches.stop();
  if (impl.controllers) impl.controllers->stop();
  impl.http->stop();
  if (impl.thread.joinable()) impl.thread.join();
  impl.audit.detach();
}

int Server::port() const {
  return impl_->options.port;
}

std::string Server::url() const {
  return std::string(impl_->options.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port());
}

std::string Server::ca_pem() const {
  return impl_->certs.ca_pem;
}

std::string Server::kubeconfig() const {
  std::string cluster = "    server: " + url() + "\n";
  if (impl_->options.tls) {
    const std::string ca = ca_pem();
    std::string encoded(ca.size() * 2 + 8, '\0');
    const int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                        reinterpret_cast<const unsigned char*>(ca.data()), static_cast<int>(ca.size()));
    encoded.resize(static_cast<std::size_t>(n));
    cluster += "    certificate-authority-data: " + encoded + "\n";
  }
  const std::string user =
      impl_->options.tokens.empty()
          ? "  user: {}\n"
          : "  user:\n    token: " +
                impl_->options.tokens.front().substr(0, impl_->options.tokens.front().find(',')) + "\n";
  return "apiVersion: v1\nkind: Config\nclusters:\n- name: kubesim\n  cluster:\n" + cluster +
         "users:\n- name: kubesim\n" + user +
         "contexts:\n- name: kubesim\n  context:\n    cluster: kubesim\n    user: kubesim\n    namespace: "
         "default\n"
         "current-context: kubesim\npreferences: {}\n";
}

Store& Server::store() {
  return impl_->store;
}
SimConfig& Server::config() {
  return impl_->config;
}
Audit& Server::audit() {
  return impl_->audit;
}
Controllers* Server::controllers() {
  return impl_->controllers.get();
}

}  // namespace kubesim
