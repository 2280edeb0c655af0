// `sluice image resolve` end to end: the real binary against a real registry.
#include "registry_server.hpp"

#include <sluice/util/base64.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include "tree_paths.hpp"

using namespace sluice::registry;
using namespace sluice::registry::itest;

namespace {

std::string sluice_bin() {
  const char* bin = std::getenv("SLUICE_BIN");
  return bin != nullptr ? bin : SLUICE_BINARY_DIR "/sluice";
}

// HOME points at an empty directory so the developer's own docker config is never read.
sluice::test::RunResult run_sluice(const std::vector<std::string>& args, const std::string& input = "",
                                   std::vector<std::string> env = {}) {
  static sluice::testing::TempDir home("sluice-home");
  env.push_back("HOME=" + home.path().string());
  env.push_back("DOCKER_CONFIG=");
  return sluice::test::run(sluice_bin(), args, env, std::chrono::seconds(60), input);
}

}  // namespace

TEST_CASE("image resolve prints digest, media type and platforms, as text or JSON") {
  RegistryServer server(Auth::none);
  std::string digest = server.push_index("web", "2", {{"linux", "amd64", ""}, {"linux", "arm64", "v8"}});
  std::string ref = server.host() + "/web:2";

  auto text = run_sluice({"image", "resolve", ref, "--platform", "linux/arm64"});
  CHECK(text.exit_code == 0);
  CHECK(text.err.empty());
  CHECK(text.out == "reference:  " + ref + "\n" + "digest:     " + digest + "\n" +
                        "media type: application/vnd.oci.image.index.v1+json\n" +
                        "platforms:  linux/amd64, linux/arm64/v8\n" + "pinned:     " + server.host() +
                        "/web@" + digest + "\n");

  auto json = run_sluice({"image", "resolve", ref, "-o", "json"});
  REQUIRE(json.exit_code == 0);
  // One document on one line (NDJSON), as every verb prints under -o json.
  CHECK(std::count(json.out.begin(), json.out.end(), '\n') == 1);
  auto doc = nlohmann::json::parse(json.out);
  CHECK(doc["digest"] == digest);
  CHECK(doc["platforms"] == nlohmann::json::array({"linux/amd64", "linux/arm64/v8"}));
  CHECK(doc["pinned"] == server.host() + "/web@" + digest);
}

TEST_CASE(
    "image resolve exits 6 with one line when the tag or a platform is missing, 2 for a bad reference") {
  RegistryServer server(Auth::none);
  server.push_image("web", "2", {"linux", "amd64", ""});
  std::string ref = server.host() + "/web:2";

  auto platform = run_sluice({"image", "resolve", ref, "--platform", "linux/arm/v7"});
  CHECK(platform.exit_code == 6);
  CHECK(platform.out.empty());
  CHECK(platform.err == "sluice image resolve: image " + ref +
                            ": missing platform linux/arm/v7 (the image has linux/amd64)\n");

  auto tag = run_sluice({"image", "resolve", server.host() + "/web:3"});
  CHECK(tag.exit_code == 6);
  CHECK(tag.err == "sluice image resolve: image " + server.host() + "/web:3: tag \"3\" not found\n");

  auto bad = run_sluice({"image", "resolve", "Web:2"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err ==
        "sluice image resolve: invalid image reference \"Web:2\": repository name must be lowercase\n");

  auto bad_platform = run_sluice({"image", "resolve", ref, "--platform", "arm64"});
  CHECK(bad_platform.exit_code == 2);
}

TEST_CASE("image resolve takes credentials from the environment, stdin or the docker config") {
  RegistryServer server(Auth::htpasswd);
  std::string digest = server.push_image("web", "2", {"linux", "amd64", ""});
  std::string ref = server.host() + "/web:2";

  auto env = run_sluice(
      {"image", "resolve", ref}, "",
      {"REGISTRY_USERNAME=" + std::string(k_user), "REGISTRY_PASSWORD=" + std::string(k_password)});
  CHECK(env.exit_code == 0);
  CHECK(env.out.find(digest) != std::string::npos);

  auto stdin_pw = run_sluice({"image", "resolve", ref, "--username", k_user, "--password-stdin"},
                             std::string(k_password) + "\n");
  CHECK(stdin_pw.exit_code == 0);

  auto wrong =
      run_sluice({"image", "resolve", ref, "--username", k_user, "--password-stdin"}, "bad-password\n");
  CHECK(wrong.exit_code == 6);
  CHECK(wrong.err == "sluice image resolve: image " + ref + ": " + server.host() +
                         " rejected the credentials from --username/--password-stdin\n");

  sluice::testing::TempDir dir("sluice-cli");
  auto config = dir.path() / "config.json";
  std::ofstream(config) << R"({"auths":{")" + server.host() + R"(":{"auth":")" +
                               sluice::util::base64_encode(std::string(k_user) + ":" + k_password) +
                               R"("}}})";
  auto from_config = run_sluice({"image", "resolve", ref, "--docker-config", config.string()});
  CHECK(from_config.exit_code == 0);

  SECTION("a credential helper named by credsStore is run from PATH") {
    auto helper = dir.path() / "docker-credential-sluicetest";
    std::ofstream(helper) << "#!/bin/sh\nread server\nprintf '{\"ServerURL\":\"%s\",\"Username\":\"" << k_user
                          << "\",\"Secret\":\"" << k_password << "\"}' \"$server\"\n";
    std::filesystem::permissions(helper, std::filesystem::perms::owner_all);
    std::ofstream(dir.path() / "helper.json") << R"({"credsStore":"sluicetest"})";
    std::string path =
        dir.path().string() + ":" + std::string(std::getenv("PATH") ? std::getenv("PATH") : "");
    auto r = run_sluice({"image", "resolve", ref, "--docker-config", (dir.path() / "helper.json").string()},
                        "", {"PATH=" + path});
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
  }
}

TEST_CASE("image resolve exits 6 with one line when the registry cannot be reached") {
  std::string host;
  {
    RegistryServer gone(Auth::none);
    host = gone.host();
  }  // stopped: nothing listens on its port any more
  auto r = run_sluice({"image", "resolve", host + "/web:1"});
  CHECK(r.exit_code == 6);
  CHECK(r.err.rfind("sluice image resolve: image " + host + "/web:1: ", 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);

  auto json = run_sluice({"-o", "json", "image", "resolve", host + "/web:1"});
  CHECK(json.exit_code == 6);
  REQUIRE(std::count(json.out.begin(), json.out.end(), '\n') == 1);
  auto doc = nlohmann::json::parse(json.out);
  CHECK(doc["reference"] == host + "/web:1");
  CHECK(doc["exitCode"] == 6);
  CHECK(doc["error"].get<std::string>().rfind("image " + host + "/web:1: ", 0) == 0);
}

TEST_CASE("image resolve shows a hostile reference escaped, on one line") {
  auto bad = run_sluice({"image", "resolve", "web\x1b]0;pwned\x07\n:1"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err ==
        "sluice image resolve: invalid image reference \"web\\x1B]0;pwned\\x07\\n:1\": invalid "
        "reference format\n");
  auto platform = run_sluice({"image", "resolve", "web:1", "--platform", "linux/\x1b[2Jarm"});
  CHECK(platform.exit_code == 2);
  CHECK(platform.err ==
        "sluice image resolve: invalid platform \"linux/\\x1B[2Jarm\": want "
        "os/architecture[/variant], e.g. linux/arm64\n");
}
