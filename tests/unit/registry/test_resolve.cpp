#include "fake_registry.hpp"

#include <sluice/registry/registry.hpp>

#include <catch2/catch.hpp>

using namespace sluice::registry;
using sluice::registry::testing::FakeRegistry;
using sluice::util::ErrorKind;

namespace {

constexpr const char* k_index_type = "application/vnd.oci.image.index.v1+json";

struct Fixture {
  std::shared_ptr<FakeRegistry> fake = std::make_shared<FakeRegistry>();
  sluice::util::ManualClock clock;
  RegistryOptions options;

  Fixture() {
    options.http = fake;
    options.clock = &clock;
    options.docker_config_path = "/nonexistent/config.json";
  }
  Result<ResolvedImage> resolve(const std::string& text, const std::vector<std::string>& platforms = {}) {
    std::vector<Platform> wanted;
    for (const auto& p : platforms) wanted.push_back(*parse_platform(p));
    return make_registry(options)->resolve(*parse_image_ref("registry.test/" + text), wanted);
  }
  std::string put_index() {
    std::string amd = fake->put_image("app", "", "linux", "amd64");
    std::string arm = fake->put_image("app", "", "linux", "arm64");
    std::string body =
        R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)"
        R"({"digest":")" +
        amd +
        R"(","platform":{"os":"linux","architecture":"amd64"}},)"
        R"({"digest":")" +
        arm + R"(","platform":{"os":"linux","architecture":"arm64","variant":"v8"}}]})";
    return fake->put_manifest("app", "multi", k_index_type, body);
  }
  std::vector<std::string> methods() const {
    std::vector<std::string> m;
    for (const auto& r : fake->requests) m.push_back(r.method + " " + r.url.substr(r.url.find("/v2/") + 4));
    return m;
  }
};

}  // namespace

TEST_CASE("a tag resolves by HEAD, then a GET by digest that is verified") {
  Fixture f;
  std::string digest = f.put_index();
  auto r = f.resolve("app:multi", {"linux/amd64", "linux/arm64"});
  REQUIRE(r.ok());
  CHECK(r->digest == digest);
  CHECK(r->media_type == k_index_type);
  CHECK(r->pinned_ref == "registry.test/app@" + digest);
  REQUIRE(r->platforms.size() == 2);
  CHECK(r->platforms[1].str() == "linux/arm64/v8");
  CHECK(f.methods() == std::vector<std::string>{"HEAD app/manifests/multi", "GET app/manifests/" + digest});
  for (const auto& req : f.fake->requests) {
    REQUIRE(req.headers.size() == 1);
    CHECK(req.headers[0].second ==
          "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
          "application/vnd.docker.distribution.manifest.list.v2+json, "
          "application/vnd.docker.distribution.manifest.v2+json");
  }
}

TEST_CASE("a single manifest's platform comes from its config blob") {
  Fixture f;
  std::string digest = f.fake->put_image("app", "one", "linux", "arm64");
  auto r = f.resolve("app:one", {"linux/arm64/v8"});
  REQUIRE(r.ok());
  CHECK(r->digest == digest);
  REQUIRE(r->platforms.size() == 1);
  CHECK(r->platforms[0].str() == "linux/arm64");
  CHECK(f.methods().back().rfind("GET app/blobs/sha256:", 0) == 0);
}

TEST_CASE("missing platforms are named with what the image has") {
  Fixture f;
  f.put_index();
  auto r = f.resolve("app:multi", {"linux/arm/v7", "linux/amd64", "linux/s390x"});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::not_found);
  CHECK(r.error().message ==
        "image registry.test/app:multi: missing platforms linux/arm/v7, linux/s390x"
        " (the image has linux/amd64, linux/arm64/v8)");
}

TEST_CASE("without a digest from HEAD the body is fetched and hashed") {
  Fixture f;
  std::string digest = f.fake->put_image("app", "one", "linux", "amd64");
  auto check = [&] {
    auto r = f.resolve("app:one");
    REQUIRE(r.ok());
    CHECK(r->digest == digest);
    CHECK(f.methods()[1] == "GET app/manifests/one");
  };
  SECTION("HEAD answers 405") {
    f.fake->head_405 = true;
    check();
  }
  SECTION("HEAD has no Docker-Content-Digest") {
    f.fake->head_without_digest = true;
    check();
  }
}

TEST_CASE("bytes that do not hash to the digest are refused") {
  Fixture f;
  std::string digest = f.fake->put_image("app", "one", "linux", "amd64");
  std::string other = "sha256:" + std::string(64, 'b');
  SECTION("the registry claims another digest for a tag") {
    f.fake->head_without_digest = true;
    f.fake->tamper_digest_header = other;
    auto r = f.resolve("app:one");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::invalid);
    CHECK(r.error().message == "image registry.test/app:one: manifest bytes do not match digest " + other +
                                   " (they hash to " + digest + ")");
  }
  SECTION("the registry reports another digest for the one asked") {
    f.fake->tamper_digest_header = other;
    auto r = f.resolve("app@" + digest);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message ==
          "image registry.test/app@" + digest + ": the registry reports digest " + other + " for " + digest);
  }
}

TEST_CASE("with a tag and a digest the digest wins") {
  Fixture f;
  std::string first = f.fake->put_image("app", "v1", "linux", "amd64");
  f.fake->put_image("app", "v1", "linux", "arm64");  // the tag moves on
  auto r = f.resolve("app:v1@" + first);
  REQUIRE(r.ok());
  CHECK(r->digest == first);
  CHECK(r->platforms[0].str() == "linux/amd64");
  CHECK(f.methods()[0] == "HEAD app/manifests/" + first);
}

TEST_CASE("oversized manifests are refused") {
  Fixture f;
  std::string huge = R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","pad":")" +
                     std::string(4 * 1024 * 1024, 'x') + "\"}";
  f.fake->put_manifest("app", "big", "application/vnd.oci.image.manifest.v1+json", huge);
  auto r = f.resolve("app:big");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "image registry.test/app:big: manifest is " + std::to_string(huge.size()) +
                                 " bytes, over the 4 MiB limit");
}

TEST_CASE("registry error codes become one-line messages with kinds") {
  Fixture f;
  f.fake->put_image("app", "one", "linux", "amd64");
  auto check = [&](const std::string& ref, ErrorKind kind, const std::string& message) {
    auto r = f.resolve(ref);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == kind);
    CHECK(r.error().message == message);
  };
  std::string absent = "sha256:" + std::string(64, 'd');
  check("app:nope", ErrorKind::not_found, "image registry.test/app:nope: tag \"nope\" not found");
  check("app@" + absent, ErrorKind::not_found,
        "image registry.test/app@" + absent + ": manifest " + absent + " not found");
  check("other:1", ErrorKind::not_found,
        "image registry.test/other:1: repository \"other\" not found on registry.test");
  auto denied = sluice::http::Response{403, {}, R"({"errors":[{"code":"DENIED","message":"no"}]})"};
  f.fake->scripted = {denied, denied};
  check("app:one", ErrorKind::forbidden,
        "image registry.test/app:one: access to repository \"app\" on registry.test denied");
}

TEST_CASE("429 and 5xx are retried within limits, honouring Retry-After") {
  Fixture f;
  std::string digest = f.fake->put_image("app", "one", "linux", "amd64");
  sluice::http::Response busy{429, {{"Retry-After", "7"}}, R"({"errors":[{"code":"TOOMANYREQUESTS"}]})"};
  sluice::http::Response down{503, {}, ""};
  auto start = f.clock.now();
  SECTION("recovers") {
    f.fake->scripted = {busy, down};
    auto r = f.resolve("app:one");
    REQUIRE(r.ok());
    CHECK(r->digest == digest);
    CHECK(f.clock.now() - start == std::chrono::milliseconds(8000));  // 7 s asked, then a 1 s backoff
  }
  SECTION("gives up after max_attempts") {
    f.options.max_attempts = 2;
    f.fake->scripted = {busy, busy, busy, busy};
    auto r = f.resolve("app:one");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::too_many_requests);
    CHECK(r.error().message ==
          "image registry.test/app:one: registry.test is rate limiting requests (TOOMANYREQUESTS); retry "
          "after 7s");
  }
  SECTION("a Retry-After beyond the limit is not waited for") {
    f.fake->scripted = {sluice::http::Response{429, {{"Retry-After", "3600"}}, ""},
                        sluice::http::Response{429, {{"Retry-After", "3600"}}, ""}};
    auto r = f.resolve("app:one");
    REQUIRE_FALSE(r.ok());
    CHECK(f.clock.now() == start);
    CHECK(f.fake->requests.size() == 1);  // the HEAD's answer is reported; no GET to wait out again
  }
}

TEST_CASE("Basic auth sends credentials after the challenge") {
  Fixture f;
  f.fake->auth = FakeRegistry::Auth::basic;
  f.fake->put_image("app", "one", "linux", "amd64");
  SECTION("right password") {
    f.options.credentials = Credentials{"alice", "s3cret"};
    REQUIRE(f.resolve("app:one").ok());
  }
  SECTION("wrong password: rejected, and the password is not in the message") {
    f.options.credentials = Credentials{"alice", "hunter2"};
    auto r = f.resolve("app:one");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::unauthorized);
    CHECK(r.error().message ==
          "image registry.test/app:one: registry.test rejected the credentials from "
          "REGISTRY_USERNAME/REGISTRY_PASSWORD");
  }
  SECTION("no credentials") {
    auto r = f.resolve("app:one");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message ==
          "image registry.test/app:one: registry.test requires authentication and no credentials were found "
          "for it");
  }
}

TEST_CASE("Bearer tokens are fetched from the realm and cached per scope until they expire") {
  Fixture f;
  f.fake->auth = FakeRegistry::Auth::bearer;
  f.fake->put_image("app", "one", "linux", "amd64");
  f.options.credentials = Credentials{"alice", "s3cret"};
  auto registry = make_registry(f.options);
  auto ref = *parse_image_ref("registry.test/app:one");
  REQUIRE(registry->resolve(ref, {}).ok());
  CHECK(f.fake->token_requests == 1);
  const auto& token_req = f.fake->requests[1];
  CHECK(token_req.url == "https://auth.test/token?service=fake&scope=repository%3Aapp%3Apull");

  f.clock.advance(std::chrono::seconds(59));  // expires_in absent: 60 s
  REQUIRE(registry->resolve(ref, {}).ok());
  CHECK(f.fake->token_requests == 1);

  f.clock.advance(std::chrono::seconds(2));
  REQUIRE(registry->resolve(ref, {}).ok());
  CHECK(f.fake->token_requests == 2);

  SECTION("a wrong password is reported by the token service") {
    f.options.credentials = Credentials{"alice", "wrong-pass"};
    auto r = make_registry(f.options)->resolve(ref, {});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::unauthorized);
    CHECK(r.error().message ==
          "image registry.test/app:one: the token service auth.test rejected the credentials from "
          "REGISTRY_USERNAME/REGISTRY_PASSWORD");
  }
}

TEST_CASE("public images get an anonymous token; a clear-text realm is refused") {
  Fixture f;
  f.fake->auth = FakeRegistry::Auth::bearer;
  f.fake->anonymous_tokens = true;
  f.fake->put_image("app", "one", "linux", "amd64");
  SECTION("anonymous token") {
    REQUIRE(f.resolve("app:one").ok());
    CHECK(f.fake->token_requests == 1);
    for (const auto& [name, value] : f.fake->requests[1].headers) CHECK(name != "Authorization");
  }
  SECTION("a realm over plain HTTP on a secure registry") {
    f.fake->realm = "http://auth.test/token";
    f.options.credentials = Credentials{"alice", "s3cret"};
    auto r = f.resolve("app:one");
    REQUIRE_FALSE(r.ok());
    CHECK(f.fake->token_requests == 0);
    CHECK(r.error().message ==
          "image registry.test/app:one: registry.test sent a token realm "
          "\"http://auth.test/token\" that is neither https nor an insecure host");
  }
}

TEST_CASE("plain HTTP is used only for insecure and loopback hosts") {
  Fixture f;
  f.options.insecure_hosts = {"insecure.test:5000"};
  f.fake->scripted = {sluice::http::Response{503, {}, ""}};
  f.options.max_attempts = 1;
  for (std::string ref : {"insecure.test:5000/app:1", "localhost:5000/app:1", "127.0.0.2/app:1",
                          "[::1]:5000/app:1", "secure.test/app:1"}) {
    f.fake->requests.clear();
    f.fake->scripted = {sluice::http::Response{503, {}, ""}, sluice::http::Response{503, {}, ""}};
    auto r = make_registry(f.options)->resolve(*parse_image_ref(ref), {});
    REQUIRE_FALSE(r.ok());
    bool plain = f.fake->requests.at(0).url.rfind("http://", 0) == 0;
    CHECK(plain == (ref.rfind("secure.test", 0) != 0));
  }
}
