#include <sluice/registry/registry.hpp>
#include <sluice/util/quote.hpp>

#include <catch2/catch.hpp>

using sluice::registry::parse_image_ref;

namespace {
const std::string k_digest = "sha256:" + std::string(64, 'a');
}

TEST_CASE("image references are parsed as Docker parses them") {
  struct Row {
    std::string text, domain, repository, tag, digest, api_host;
  };
  auto rows = std::vector<Row>{
      {"nginx", "docker.io", "library/nginx", "latest", "", "registry-1.docker.io"},
      {"nginx:1.25", "docker.io", "library/nginx", "1.25", "", "registry-1.docker.io"},
      {"bitnami/redis:7", "docker.io", "bitnami/redis", "7", "", "registry-1.docker.io"},
      {"docker.io/nginx", "docker.io", "library/nginx", "latest", "", "registry-1.docker.io"},
      {"index.docker.io/library/nginx", "docker.io", "library/nginx", "latest", "", "registry-1.docker.io"},
      {"ghcr.io/org/team/app:v1.2.3", "ghcr.io", "org/team/app", "v1.2.3", "", "ghcr.io"},
      {"localhost/app", "localhost", "app", "latest", "", "localhost"},
      {"localhost:5000/app:dev", "localhost:5000", "app", "dev", "", "localhost:5000"},
      {"127.0.0.1:5000/a/b", "127.0.0.1:5000", "a/b", "latest", "", "127.0.0.1:5000"},
      {"[::1]:5000/app:x", "[::1]:5000", "app", "x", "", "[::1]:5000"},
      {"Registry.Example.com/app", "Registry.Example.com", "app", "latest", "", "Registry.Example.com"},
      {"app@" + k_digest, "docker.io", "library/app", "", k_digest, "registry-1.docker.io"},
      {"reg.io:443/app:1@" + k_digest, "reg.io:443", "app", "1", k_digest, "reg.io:443"},
      {"a/b__c/d-e.f/g--h:Tag_1.0-rc", "docker.io", "a/b__c/d-e.f/g--h", "Tag_1.0-rc", "",
       "registry-1.docker.io"},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    auto ref = parse_image_ref(row.text);
    REQUIRE(ref.ok());
    CHECK(ref->domain == row.domain);
    CHECK(ref->repository == row.repository);
    CHECK(ref->tag == row.tag);
    CHECK(ref->digest == row.digest);
    CHECK(ref->api_host() == row.api_host);
  }
}

TEST_CASE("a reference prints canonically and pins to a digest") {
  auto ref = parse_image_ref("nginx:1.25");
  REQUIRE(ref.ok());
  CHECK(ref->str() == "docker.io/library/nginx:1.25");
  CHECK(ref->pinned(k_digest) == "docker.io/library/nginx@" + k_digest);
  auto both = parse_image_ref("localhost:5000/app:1@" + k_digest);
  REQUIRE(both.ok());
  CHECK(both->str() == "localhost:5000/app:1@" + k_digest);
}

TEST_CASE("invalid image references are refused with the reason") {
  std::string long_name(256, 'a');
  auto rows = std::vector<std::pair<std::string, std::string>>{
      {"", "the reference is empty"},
      {"Nginx", "repository name must be lowercase"},
      {"docker.io/Library/nginx", "repository name must be lowercase"},
      {"app:", "invalid tag format"},
      {"app:-x", "invalid tag format"},
      {"app:" + std::string(129, 't'), "invalid tag format"},
      {"app@sha256:abc", "invalid digest format (want sha256:<64 lowercase hex>)"},
      {"app@md5:" + std::string(32, 'a'), "invalid digest format (want sha256:<64 lowercase hex>)"},
      {"app@sha256:" + std::string(64, 'A'), "invalid digest format (want sha256:<64 lowercase hex>)"},
      {"app/", "invalid reference format"},
      {"a//b", "invalid reference format"},
      {"-app", "invalid reference format"},
      {"app.", "invalid reference format"},
      {"a..b", "invalid reference format"},
      {"a___b", "invalid reference format"},
      {"host:port/app", "invalid reference format"},
      {"-bad.host/app", "invalid reference format"},
      {"app b", "invalid reference format"},
      {std::string(64, 'f'), "cannot specify 64-byte hexadecimal strings"},
      {"reg.io/" + long_name, "repository name must not be more than 255 characters"},
  };
  for (const auto& [text, why] : rows) {
    INFO(text);
    auto ref = parse_image_ref(text);
    REQUIRE_FALSE(ref.ok());
    CHECK(ref.error().kind == sluice::util::ErrorKind::invalid);
    CHECK(ref.error().message == "invalid image reference " + sluice::util::quoted(text, '"') + ": " + why);
  }
}

TEST_CASE("a hostile reference is shown escaped: nothing reaches the terminal raw") {
  auto ref = parse_image_ref("app\x1b]0;pwned\x07\nx:1");
  REQUIRE_FALSE(ref.ok());
  CHECK(ref.error().message ==
        "invalid image reference \"app\\x1B]0;pwned\\x07\\nx:1\": invalid reference format");
}

TEST_CASE("a huge reference is shown cut, with its size") {
  auto ref = parse_image_ref("reg.io/" + std::string(900000, 'a'));
  REQUIRE_FALSE(ref.ok());
  CHECK(ref.error().message ==
        "invalid image reference \"reg.io/" + std::string(73, 'a') +
            "\u2026\" (900007 bytes): repository name must not be more than 255 characters");
}

TEST_CASE("image_ref_problem gives the reason alone") {
  CHECK(sluice::registry::image_ref_problem("shop/Web:1") == "repository name must be lowercase");
  CHECK(sluice::registry::image_ref_problem("shop/web:1") == std::nullopt);
}
