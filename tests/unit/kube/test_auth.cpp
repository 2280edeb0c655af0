#include "fake_http.hpp"

#include <sluice/kube/auth.hpp>
#include <sluice/kube/client.hpp>
#include <sluice/util/rfc3339.hpp>

#include <catch2/catch.hpp>
#include <support/temp_dir.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

using namespace sluice::kube;
using sluice::testing::TempDir;
using sluice::util::Duration;
using sluice::util::ErrorKind;
using sluice::util::ManualClock;

namespace {

// A plugin that counts its runs, saves KUBERNETES_EXEC_INFO and prints a
// token numbered by the run, expiring at EXPIRY (or never when empty).
std::string write_plugin(const TempDir& dir) {
  auto path = dir.write("plugin.sh", R"(#!/bin/sh
count=$(cat "$STATE/count" 2>/dev/null || echo 0)
count=$((count + 1))
echo $count > "$STATE/count"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$STATE/info"
if [ -n "$EXPIRY" ]; then exp=",\"expirationTimestamp\":\"$EXPIRY\""; else exp=""; fi
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"tok-%s"%s}}' "$count" "$exp"
)");
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  return path.string();
}

Config exec_config(const TempDir& dir, const std::string& expiry) {
  Config config;
  config.cluster.server = "https://k8s.test";
  ExecConfig exec;
  exec.command = write_plugin(dir);
  exec.env = {{"STATE", dir.path().string()}, {"EXPIRY", expiry}};
  exec.provide_cluster_info = true;
  config.user.exec = exec;
  return config;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("an exec plugin's token is cached until its expirationTimestamp", "[kube][auth]") {
  TempDir dir;
  ManualClock clock;
  auto expiry = sluice::util::format_rfc3339(clock.wall_now() + std::chrono::seconds(60));
  Authenticator auth(exec_config(dir, expiry), clock);

  auto first = auth.current();
  REQUIRE(first.ok());
  CHECK(first->authorization == "Bearer tok-1");
  auto info = nlohmann::json::parse(slurp(dir.path() / "info"));
  CHECK(info["apiVersion"] == "client.authentication.k8s.io/v1");
  CHECK(info["kind"] == "ExecCredential");
  CHECK(info["spec"]["interactive"] == false);
  CHECK(info["spec"]["cluster"]["server"] == "https://k8s.test");

  clock.advance(Duration{59000});
  CHECK(auth.current()->authorization == "Bearer tok-1");
  clock.advance(Duration{2000});
  CHECK(auth.current()->authorization == "Bearer tok-2");
}

TEST_CASE("a 401 re-runs the exec plugin once and retries", "[kube][auth]") {
  TempDir dir;
  auto state = std::make_shared<testing::FakeHttp::State>();
  state->answers.push_back(testing::answer(401, R"({"kind":"Status","reason":"Unauthorized","code":401})"));
  state->answers.push_back(testing::answer(200, "{}"));
  state->answers.push_back(testing::answer(401, R"({"kind":"Status","reason":"Unauthorized","code":401})"));
  state->answers.push_back(testing::answer(401, R"({"kind":"Status","reason":"Unauthorized","code":401})"));
  ClientOptions options;
  options.http_factory = [state](const sluice::http::ClientOptions&) {
    return std::make_unique<testing::FakeHttp>(state);
  };
  auto client = make_client(exec_config(dir, ""), options);
  REQUIRE(client.ok());
  REQUIRE((*client)->get(k_pods, "p", "x").ok());
  CHECK(state->requests.at(0).headers.back().second == "Bearer tok-1");
  CHECK(state->requests.at(1).headers.back().second == "Bearer tok-2");

  auto denied = (*client)->get(k_pods, "p", "x");
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.error().kind == ErrorKind::unauthorized);
  CHECK(state->requests.size() == 4);  // one re-run per request, not a loop
}

TEST_CASE("a missing exec command is a clear error with the install hint", "[kube][auth]") {
  ManualClock clock;
  Config config;
  config.cluster.server = "https://k8s.test";
  ExecConfig exec;
  exec.command = "sluice-no-such-credential-helper";
  exec.install_hint = "Install it with: apt install sluice-helper";
  config.user.exec = exec;
  Authenticator auth(config, clock);
  auto creds = auth.current();
  REQUIRE_FALSE(creds.ok());
  CHECK(creds.error().kind == ErrorKind::unauthorized);
  CHECK(creds.error().message ==
        "exec plugin: executable 'sluice-no-such-credential-helper' not found; Install it with: apt install "
        "sluice-helper");
}

TEST_CASE("a failing or malformed exec plugin is reported", "[kube][auth]") {
  TempDir dir;
  ManualClock clock;
  auto fail = dir.write("fail.sh", "#!/bin/sh\necho 'no credentials for you' >&2\nexit 3\n");
  auto junk =
      dir.write("junk.sh", "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\"}'\n");
  std::filesystem::permissions(fail, std::filesystem::perms::owner_all);
  std::filesystem::permissions(junk, std::filesystem::perms::owner_all);
  ExecConfig exec;
  exec.command = fail.string();
  auto result = run_exec_plugin(exec, ClusterInfo{});
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().message ==
        "exec plugin '" + fail.string() + "' exited with 3: no credentials for you");
  exec.command = junk.string();
  result = run_exec_plugin(exec, ClusterInfo{});
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().message ==
        "exec plugin '" + junk.string() +
            "': ExecCredential apiVersion \"client.authentication.k8s.io/v1beta1\", want "
            "\"client.authentication.k8s.io/v1\"");
}

TEST_CASE("tokenFile is re-read when it changes", "[kube][auth]") {
  TempDir dir;
  ManualClock clock;
  auto file = dir.write("token", "first\n");
  Config config;
  config.cluster.server = "https://k8s.test";
  config.user.token = "static";
  config.user.token_file = file.string();
  Authenticator auth(config, clock);
  CHECK(auth.current()->authorization == "Bearer first");
  dir.write("token", "second\n");
  // Rotation tools replace the file; a new mtime is what marks the change.
  std::filesystem::last_write_time(file, std::filesystem::last_write_time(file) + std::chrono::seconds(5));
  CHECK(auth.current()->authorization == "Bearer second");
}
