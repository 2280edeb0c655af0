#include <sluice/registry/auth.hpp>
#include <sluice/util/base64.hpp>

#include <catch2/catch.hpp>

#include "support/temp_dir.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace sluice::registry;
using namespace sluice::registry::detail;
namespace fs = std::filesystem;

namespace {

// Writes a file into a fresh temp dir and returns its path as a string.
std::string write(const sluice::testing::TempDir& dir, const std::string& name, const std::string& text) {
  return dir.write(name, text).string();
}

CredentialHelperRunner fake_helper(std::string& asked_helper, std::string& asked_server) {
  return [&](const std::string& helper, const std::string& server) -> Result<std::string> {
    asked_helper = helper;
    asked_server = server;
    if (server == "none.example") return sluice::util::make_error(sluice::util::ErrorKind::not_found, "none");
    return std::string(R"({"ServerURL":"x","Username":"helper-user","Secret":"helper-pass"})");
  };
}

}  // namespace

TEST_CASE("WWW-Authenticate challenges are read, Bearer preferred") {
  auto c = parse_www_authenticate(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull")");
  REQUIRE(c.has_value());
  CHECK(c->scheme == "bearer");
  CHECK(c->params["realm"] == "https://auth.docker.io/token");
  CHECK(c->params["service"] == "registry.docker.io");
  CHECK(c->params["scope"] == "repository:library/nginx:pull");

  auto both =
      parse_www_authenticate(R"(Basic realm="https://basic.example", Bearer realm="https://t",service=s)");
  REQUIRE(both.has_value());
  CHECK(both->scheme == "bearer");
  CHECK(both->params["realm"] == "https://t");
  CHECK(both->params["service"] == "s");

  auto basic = parse_www_authenticate(R"(Basic realm="Registry Realm")");
  REQUIRE(basic.has_value());
  CHECK(basic->scheme == "basic");
  CHECK_FALSE(parse_www_authenticate("Negotiate").has_value());
}

TEST_CASE("docker config auths hold base64 user:password per host") {
  sluice::testing::TempDir dir("sluice-auth");
  std::string enc = sluice::util::base64_encode("bob:pa:ss");
  auto path = write(dir, "config.json",
                    R"({"auths":{"https://index.docker.io/v1/":{"auth":")" + enc +
                        R"("},"http://reg.example:5000":{"auth":")" + enc + R"("}}})");
  for (std::string host : {"registry-1.docker.io", "reg.example:5000"}) {
    INFO(host);
    auto found = docker_config_credentials(path, host, nullptr);
    REQUIRE(found.ok());
    REQUIRE(found->has_value());
    CHECK((*found)->credentials.username == "bob");
    CHECK((*found)->credentials.password == "pa:ss");
    CHECK((*found)->source == "docker config auths");
  }
  auto other = docker_config_credentials(path, "ghcr.io", nullptr);
  REQUIRE(other.ok());
  CHECK_FALSE(other->has_value());
  auto missing = docker_config_credentials((dir.path() / "absent.json").string(), "ghcr.io", nullptr);
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());
}

TEST_CASE("credential helpers win over auths, credHelpers over credsStore") {
  sluice::testing::TempDir dir("sluice-auth");
  std::string enc = sluice::util::base64_encode("file-user:file-pass");
  auto path = write(dir, "config.json",
                    R"({"credsStore":"desktop","credHelpers":{"gcr.io":"gcloud"},
      "auths":{"none.example":{"auth":")" +
                        enc + R"("}}})");
  std::string helper, server;
  auto run = fake_helper(helper, server);

  auto gcr = docker_config_credentials(path, "gcr.io", run);
  REQUIRE(gcr.ok());
  CHECK(helper == "gcloud");
  CHECK((*gcr)->credentials.username == "helper-user");
  CHECK((*gcr)->source == "docker-credential-gcloud");

  auto hub = docker_config_credentials(path, "registry-1.docker.io", run);
  REQUIRE(hub.ok());
  CHECK(helper == "desktop");
  CHECK(server == "https://index.docker.io/v1/");

  SECTION("a store that holds nothing for the host falls back to auths") {
    auto none = docker_config_credentials(path, "none.example", run);
    REQUIRE(none.ok());
    CHECK((*none)->credentials.username == "file-user");
  }
}

TEST_CASE("a malformed docker config is an error naming the file") {
  sluice::testing::TempDir dir("sluice-auth");
  auto path = write(dir, "config.json", "{nope");
  auto r = docker_config_credentials(path, "ghcr.io", nullptr);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "reading " + path + ": not valid JSON");
  auto bad = write(dir, "bad.json", R"({"auths":{"ghcr.io":{"auth":"bm9jb2xvbg=="}}})");
  CHECK(docker_config_credentials(bad, "ghcr.io", nullptr).error().message ==
        "docker config: auths entry for ghcr.io is not base64 of user:password");
}

TEST_CASE("a real credential helper is run from PATH with the server on stdin") {
  sluice::testing::TempDir dir("sluice-auth");
  auto script =
      write(dir, "docker-credential-sluicetest",
            "#!/bin/sh\n[ \"$1\" = get ] || exit 3\nread server\n"
            "if [ \"$server\" = nope.example ]; then echo 'credentials not found in native keychain'; "
            "exit 1; fi\n"
            "printf '{\"Username\":\"u-%s\",\"Secret\":\"p\"}' \"$server\"\n");
  fs::permissions(script, fs::perms::owner_all);
  std::string old_path = std::getenv("PATH") ? std::getenv("PATH") : "";
  setenv("PATH", (dir.path().string() + ":" + old_path).c_str(), 1);
  auto out = run_credential_helper("sluicetest", "reg.example");
  auto none = run_credential_helper("sluicetest", "nope.example");
  auto absent = run_credential_helper("sluice-no-such-helper", "reg.example");
  setenv("PATH", old_path.c_str(), 1);
  REQUIRE(out.ok());
  CHECK(*out == R"({"Username":"u-reg.example","Secret":"p"})");
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().kind == sluice::util::ErrorKind::not_found);
  REQUIRE_FALSE(absent.ok());
  CHECK(absent.error().message == "docker-credential-sluice-no-such-helper not found in PATH");
}

TEST_CASE("cached tokens expire") {
  TokenCache cache;
  sluice::util::TimePoint t0{};
  cache.put("k", "tok", t0 + std::chrono::seconds(60));
  CHECK(cache.get("k", t0 + std::chrono::seconds(59)) == std::optional<std::string>("tok"));
  CHECK_FALSE(cache.get("k", t0 + std::chrono::seconds(60)).has_value());
  CHECK_FALSE(cache.get("other", t0).has_value());
}
