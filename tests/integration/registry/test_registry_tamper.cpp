// A man-in-the-middle on loopback that alters manifest bytes: sluice must
// notice that what it received is not what the digest names.
#include "registry_server.hpp"

#include <httplib.h>
#include <catch2/catch.hpp>

using namespace sluice::registry;
using namespace sluice::registry::itest;

namespace {

// Forwards manifest requests to the registry, appending a space to GET bodies.
class TamperingProxy {
 public:
  explicit TamperingProxy(const std::string& upstream) : upstream_("http://" + upstream) {
    server_.Get(R"(/v2/.*)",
                [this](const httplib::Request& req, httplib::Response& res) { forward(req, res); });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!server_.is_running() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  }
  ~TamperingProxy() {
    server_.stop();
    thread_.join();
  }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  void forward(const httplib::Request& req, httplib::Response& res) {
    httplib::Headers headers{{"Accept", req.get_header_value("Accept")}};
    auto up = upstream_.Get(req.path.c_str(), headers);
    if (!up) {
      res.status = 502;
      return;
    }
    res.status = up->status;
    for (const char* h : {"Docker-Content-Digest", "Content-Type"}) {
      if (up->has_header(h)) res.set_header(h, up->get_header_value(h));
    }
    std::string body = up->body;
    if (req.method == "GET" && req.path.find("/manifests/") != std::string::npos) body += " ";
    // httplib answers HEAD with the headers of the GET it would send, body dropped.
    res.set_content(body, up->get_header_value("Content-Type").c_str());
  }

  httplib::Client upstream_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace

TEST_CASE("manifest bytes altered on the way are refused, though the digest header looks right") {
  RegistryServer server(Auth::none);
  std::string digest = server.push_image("app", "1", {"linux", "amd64", ""});
  TamperingProxy proxy(server.host());

  RegistryOptions options;
  options.docker_config_path = "/nonexistent/config.json";
  options.http = sluice::http::make_curl_client({});
  auto registry = make_registry(std::move(options));
  std::string ref = proxy.host() + "/app:1";
  auto r = registry->resolve(*parse_image_ref(ref), {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == sluice::util::ErrorKind::invalid);
  CHECK(r.error().message.rfind(
            "image " + ref + ": manifest bytes do not match digest " + digest + " (they hash to sha256:",
            0) == 0);
}
