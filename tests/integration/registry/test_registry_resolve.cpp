// Resolving images pushed to a real distribution registry on 127.0.0.1.
#include "registry_server.hpp"

#include <sluice/registry/registry.hpp>

#include <catch2/catch.hpp>

using namespace sluice::registry;
using namespace sluice::registry::itest;
using sluice::util::ErrorKind;

namespace {

const Platform k_amd64{"linux", "amd64", ""};
const Platform k_arm64{"linux", "arm64", "v8"};
const Platform k_armv7{"linux", "arm", "v7"};

std::unique_ptr<Registry> registry_for(std::optional<Credentials> creds = std::nullopt) {
  RegistryOptions options;
  options.docker_config_path = "/nonexistent/config.json";
  options.credentials = std::move(creds);
  options.credentials_source = "test credentials";
  options.http = sluice::http::make_curl_client({});
  return make_registry(std::move(options));
}

Result<ResolvedImage> resolve(Registry& registry, const std::string& ref,
                              const std::vector<Platform>& wanted = {}) {
  auto parsed = parse_image_ref(ref);
  REQUIRE(parsed.ok());
  return registry.resolve(*parsed, wanted);
}

std::string err(const Result<ResolvedImage>& r) {
  return r.ok() ? "(resolved)" : r.error().message;
}

}  // namespace

TEST_CASE("a plain registry resolves a single manifest, an OCI index and a Docker manifest list") {
  RegistryServer server(Auth::none);
  std::string base = server.host() + "/app";
  std::string single = server.push_image("app", "single", k_amd64);
  std::string index = server.push_index("app", "multi", {k_amd64, k_arm64});
  std::string list = server.push_index("app", "list", {k_amd64, k_armv7}, true);
  auto registry = registry_for();

  auto s = resolve(*registry, base + ":single", {k_amd64});
  REQUIRE(s.ok());
  CHECK(s->digest == single);
  CHECK(s->media_type == "application/vnd.oci.image.manifest.v1+json");
  REQUIRE(s->platforms.size() == 1);
  CHECK(s->platforms[0].str() == "linux/amd64");
  CHECK(s->pinned_ref == base + "@" + single);

  auto i = resolve(*registry, base + ":multi", {{"linux", "arm64", ""}, k_amd64});
  REQUIRE(i.ok());
  CHECK(i->digest == index);
  CHECK(i->media_type == "application/vnd.oci.image.index.v1+json");
  CHECK(i->platforms.size() == 2);

  auto l = resolve(*registry, base + ":list", {{"linux", "arm", ""}});
  REQUIRE(l.ok());
  CHECK(l->digest == list);
  CHECK(l->media_type == "application/vnd.docker.distribution.manifest.list.v2+json");
  CHECK(l->platforms[1].str() == "linux/arm/v7");
}

TEST_CASE("missing tags, repositories, digests and platforms give the documented errors") {
  RegistryServer server(Auth::none);
  std::string base = server.host() + "/app";
  std::string index = server.push_index("app", "multi", {k_amd64, k_arm64});
  std::string single = server.push_image("app", "single", k_amd64);
  auto registry = registry_for();

  auto tag = resolve(*registry, base + ":nope");
  CHECK(tag.error().kind == ErrorKind::not_found);
  CHECK(err(tag) == "image " + base + ":nope: tag \"nope\" not found");

  // distribution 2.8 answers MANIFEST_UNKNOWN, not NAME_UNKNOWN, for a repository it never saw.
  auto repo = resolve(*registry, server.host() + "/ghost:1");
  CHECK(repo.error().kind == ErrorKind::not_found);
  CHECK(err(repo) == "image " + server.host() + "/ghost:1: tag \"1\" not found");

  auto platform = resolve(*registry, base + ":multi", {k_armv7, {"linux", "s390x", ""}});
  CHECK(platform.error().kind == ErrorKind::not_found);
  CHECK(err(platform) == "image " + base +
                             ":multi: missing platforms linux/arm/v7, linux/s390x"
                             " (the image has linux/amd64, linux/arm64/v8)");

  auto single_platform = resolve(*registry, base + ":single", {k_arm64});
  CHECK(err(single_platform) ==
        "image " + base + ":single: missing platform linux/arm64/v8 (the image has linux/amd64)");

  SECTION("a tampered digest names nothing the registry holds") {
    std::string tampered = index.substr(0, 70) + (index.back() == '0' ? "1" : "0");
    auto r = resolve(*registry, base + ":multi@" + tampered);
    CHECK(r.error().kind == ErrorKind::not_found);
    CHECK(err(r) == "image " + base + ":multi@" + tampered + ": manifest " + tampered + " not found");
  }
  SECTION("with a tag and a digest, the digest wins") {
    auto r = resolve(*registry, base + ":multi@" + single);
    REQUIRE(r.ok());
    CHECK(r->digest == single);
    CHECK(r->media_type == "application/vnd.oci.image.manifest.v1+json");
  }
}

TEST_CASE("a tag re-pointed mid-rollout does not change what sluice deploys") {
  RegistryServer server(Auth::none);
  std::string base = server.host() + "/app";
  // Given the tag resolved once, as preflight does, and pinned.
  std::string first = server.push_image("app", "rolling", k_amd64);
  auto registry = registry_for();
  auto pinned = resolve(*registry, base + ":rolling");
  REQUIRE(pinned.ok());
  REQUIRE(pinned->pinned_ref == base + "@" + first);

  // When someone pushes a different image to the same tag.
  std::string second = server.push_image("app", "rolling", k_arm64);
  REQUIRE(second != first);
  auto moved = resolve(*registry, base + ":rolling");
  REQUIRE(moved.ok());
  CHECK(moved->digest == second);

  // Then the pinned reference still names, and resolves to, the first image.
  auto again = resolve(*registry, pinned->pinned_ref);
  REQUIRE(again.ok());
  CHECK(again->digest == first);
  CHECK(again->pinned_ref == pinned->pinned_ref);
  REQUIRE(again->platforms.size() == 1);
  CHECK(again->platforms[0].str() == "linux/amd64");
}

TEST_CASE("htpasswd Basic auth: the right password resolves, a wrong or missing one is reported") {
  RegistryServer server(Auth::htpasswd);
  std::string ref = server.host() + "/app:1";
  std::string digest = server.push_image("app", "1", k_amd64);

  auto ok = resolve(*registry_for(Credentials{k_user, k_password}), ref);
  REQUIRE(ok.ok());
  CHECK(ok->digest == digest);

  auto wrong = resolve(*registry_for(Credentials{k_user, "not-the-password"}), ref);
  CHECK(wrong.error().kind == ErrorKind::unauthorized);
  CHECK(err(wrong) ==
        "image " + ref + ": " + server.host() + " rejected the credentials from test credentials");
  CHECK(err(wrong).find("not-the-password") == std::string::npos);

  auto none = resolve(*registry_for(), ref);
  CHECK(none.error().kind == ErrorKind::unauthorized);
  CHECK(err(none) == "image " + ref + ": " + server.host() +
                         " requires authentication and no credentials were found for it");
}

TEST_CASE("token auth: a Bearer token from the test's token server, cached per scope") {
  RegistryServer server(Auth::token);
  std::string digest = server.push_index("app", "1", {k_amd64, k_arm64});
  std::string ref = server.host() + "/app:1";
  auto registry = registry_for(Credentials{k_user, k_password});

  auto first = resolve(*registry, ref, {k_arm64});
  REQUIRE(first.ok());
  CHECK(first->digest == digest);
  CHECK(server.tokens()->requests() == 1);
  REQUIRE(resolve(*registry, ref).ok());
  CHECK(server.tokens()->requests() == 1);  // the cached token was reused

  SECTION("an access_token answer works too") {
    server.tokens()->answer_access_token = true;
    auto r = resolve(*registry_for(Credentials{k_user, k_password}), ref);
    REQUIRE(r.ok());
    CHECK(server.tokens()->requests() == 2);
  }
  SECTION("a wrong password is refused by the token service") {
    auto r = resolve(*registry_for(Credentials{k_user, "wrong-password"}), ref);
    CHECK(r.error().kind == ErrorKind::unauthorized);
    CHECK(err(r) == "image " + ref + ": the token service 127.0.0.1:" +
                        server.tokens()->realm().substr(17, server.tokens()->realm().size() - 23) +
                        " rejected the credentials from test credentials");
  }
}
