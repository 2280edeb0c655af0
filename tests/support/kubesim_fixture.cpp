#include "support/kubesim_fixture.hpp"

#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include "tree_paths.hpp"

namespace sluice::test {

std::string kubesim_binary() {
  if (const char* bin = std::getenv("KUBESIM_BIN")) return bin;
#ifdef SLUICE_BINARY_DIR
  return std::string(SLUICE_BINARY_DIR) + "/kubesim";
#else
  return "kubesim";
#endif
}

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

Kubesim::Kubesim(KubesimOptions options) : options_(std::move(options)) {
  kubeconfig_ = dir_.file("kubeconfig");
  if (options_.as_process) {
    std::vector<std::string> args = {"--port", "0", "--write-kubeconfig", kubeconfig_};
    if (options_.tls) args.push_back("--tls");
    if (!options_.token.empty()) args.insert(args.end(), {"--token", options_.token});
    if (!options_.controllers) args.push_back("--no-controllers");
    if (!options_.watch_list) args.push_back("--no-watch-list");
    if (!options_.sim_config.empty()) {
      std::ofstream(dir_.file("sim.json")) << options_.sim_config.dump();
      args.insert(args.end(), {"--config", dir_.file("sim.json")});
    }
    args.insert(args.end(), {"--bookmark-interval-ms", std::to_string(options_.bookmark_interval.count())});
    process_ = std::make_unique<Process>(kubesim_binary(), args);
    if (!wait_for_file(kubeconfig_, std::chrono::seconds(30), process_.get())) {
      throw std::runtime_error("kubesim did not write its kubeconfig: " + process_->stderr_text());
    }
    const std::string config = read_text(kubeconfig_);
    std::smatch m;
    if (std::regex_search(config, m, std::regex("server: (\\S+)"))) url_ = m[1];
    if (std::regex_search(config, m, std::regex("certificate-authority-data: (\\S+)"))) {
      const std::string data = m[1];
      std::string pem(data.size(), '\0');
      const int n =
          EVP_DecodeBlock(reinterpret_cast<unsigned char*>(pem.data()),
                          reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
      pem.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
      ca_pem_ = pem.substr(0, pem.find_last_of('-') + 1);  // drop base64 padding bytes
    }
    return;
  }
  kubesim::ServerOptions server_options;
  server_options.tls = options_.tls;
  if (!options_.token.empty()) server_options.tokens = {options_.token};
  server_options.run_controllers = options_.controllers;
  server_options.sim_config = options_.sim_config;
  server_options.bookmark_interval = options_.bookmark_interval;
  server_options.watch_list = options_.watch_list;
  server_ = std::make_unique<kubesim::Server>(server_options);
  if (auto started = server_->start(); !started.ok())
    throw std::runtime_error("kubesim: " + started.error().message);
  url_ = server_->url();
  ca_pem_ = server_->ca_pem();
  std::ofstream(kubeconfig_) << server_->kubeconfig();
}

Kubesim::~Kubesim() {
  if (server_) server_->stop();
  if (process_) process_->terminate();
}

HttpResult Kubesim::request(const std::string& method, const std::string& path, const Json& body,
                            const std::string& content_type) {
  httplib::Client client(url_);
  client.set_connection_timeout(std::chrono::seconds(10));
  client.set_read_timeout(std::chrono::seconds(10));
  if (!options_.token.empty()) client.set_bearer_token_auth(options_.token.c_str());
  if (options_.tls && !ca_pem_.empty()) {
    X509_STORE* store = X509_STORE_new();
    BIO* bio = BIO_new_mem_buf(ca_pem_.data(), static_cast<int>(ca_pem_.size()));
    X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    X509_STORE_add_cert(store, ca);
    X509_free(ca);
    BIO_free(bio);
    client.set_ca_cert_store(store);  // the client takes ownership
  }
  const std::string text = body.is_null() ? "" : body.dump();
  httplib::Result result(nullptr, httplib::Error::Unknown);
  if (method == "GET") result = client.Get(path);
  if (method == "POST") result = client.Post(path, text, content_type);
  if (method == "PUT") result = client.Put(path, text, content_type);
  if (method == "PATCH") result = client.Patch(path, text, content_type);
  if (method == "DELETE")
    result = body.is_null() ? client.Delete(path) : client.Delete(path, text, content_type);
  HttpResult out;
  if (!result) return out;
  out.status = result->status;
  try {
    out.body = Json::parse(result->body);
  } catch (const Json::exception&) {
    out.body = result->body;
  }
  return out;
}

Json Kubesim::create_namespace(const std::string& name) {
  auto r = request("POST", "/api/v1/namespaces",
                   {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}});
  if (r.status != 201) throw std::runtime_error("creating namespace " + name + ": " + r.body.dump());
  return r.body;
}

Json Kubesim::create_deployment(const std::string& ns, const std::string& name, const std::string& image,
                                int replicas, const Json& extra_spec) {
  Json deployment = {
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata", {{"name", name}, {"labels", {{"app", name}}}}},
      {"spec",
       {{"replicas", replicas},
        {"selector", {{"matchLabels", {{"app", name}}}}},
        {"template",
         {{"metadata", {{"labels", {{"app", name}}}}},
          {"spec",
           {{"containers",
             {{{"name", name}, {"image", image}, {"ports", {{{"containerPort", 8080}}}}}}}}}}}}}};
  deployment["spec"].merge_patch(extra_spec);
  auto r = request("POST", "/apis/apps/v1/namespaces/" + ns + "/deployments", deployment);
  if (r.status != 201) throw std::runtime_error("creating deployment " + name + ": " + r.body.dump());
  return r.body;
}

Json Kubesim::create_service(const std::string& ns, const std::string& name, const Json& selector, int port) {
  Json service = {{"apiVersion", "v1"},
                  {"kind", "Service"},
                  {"metadata", {{"name", name}}},
                  {"spec", {{"selector", selector}, {"ports", {{{"port", port}, {"targetPort", 8080}}}}}}};
  auto r = request("POST", "/api/v1/namespaces/" + ns + "/services", service);
  if (r.status != 201) throw std::runtime_error("creating service " + name + ": " + r.body.dump());
  return r.body;
}

Json Kubesim::get_object(const std::string& path) {
  auto r = get(path);
  if (r.status != 200)
    throw std::runtime_error("GET " + path + ": " + std::to_string(r.status) + " " + r.body.dump());
  return r.body;
}

HttpResult Kubesim::control(const std::string& method, const std::string& path, const Json& body) {
  return request(method, "/kubesim/v1/" + path, body);
}

Json Kubesim::audit(std::uint64_t since) {
  auto r = control("GET", "audit?since=" + std::to_string(since));
  if (r.status != 200) throw std::runtime_error("reading the audit log: " + r.body.dump());
  return r.body;
}

}  // namespace sluice::test
