#include <sluice/registry/manifest.hpp>

#include <catch2/catch.hpp>

using namespace sluice::registry::detail;

TEST_CASE("an index lists its platforms, attestations left out") {
  std::string body = R"({"schemaVersion":2,"manifests":[
    {"digest":"sha256:1","platform":{"os":"linux","architecture":"amd64"}},
    {"digest":"sha256:2","platform":{"os":"linux","architecture":"arm","variant":"v7"}},
    {"digest":"sha256:3","platform":{"os":"unknown","architecture":"unknown"}}]})";
  auto m = parse_manifest(body, "application/vnd.docker.distribution.manifest.list.v2+json; charset=utf-8");
  REQUIRE(m.ok());
  CHECK(m->is_index);
  CHECK(m->media_type == k_docker_list);
  REQUIRE(m->platforms.size() == 2);
  CHECK(m->platforms[1].str() == "linux/arm/v7");
}

TEST_CASE("the media type comes from the body when the header is generic") {
  std::string config = "sha256:" + std::string(64, 'c');
  std::string body =
      R"({"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"digest":")" + config +
      R"("}})";
  auto m = parse_manifest(body, "application/json");
  REQUIRE(m.ok());
  CHECK_FALSE(m->is_index);
  CHECK(m->media_type == k_docker_manifest);
  CHECK(m->config_digest == config);
}

TEST_CASE("unreadable and unsupported manifests are refused") {
  CHECK(parse_manifest("[]", "").error().message == "unreadable manifest: not a JSON object");
  CHECK(parse_manifest(R"({"config":{"digest":"md5:x"}})", k_oci_manifest).error().message ==
        "unreadable manifest: config digest \"md5:x\" is not sha256");
  CHECK(parse_manifest("{}", "application/vnd.docker.distribution.manifest.v1+prettyjws").error().message ==
        "unsupported manifest type application/vnd.docker.distribution.manifest.v1+prettyjws"
        " (sluice reads OCI and Docker v2 manifests)");
}

TEST_CASE("the config blob gives a single manifest's platform") {
  auto p = parse_config_platform(R"({"os":"linux","architecture":"arm64","variant":"v8"})");
  REQUIRE(p.ok());
  CHECK(p->str() == "linux/arm64/v8");
  CHECK(parse_config_platform(R"({"os":"linux"})").error().message ==
        "unreadable image config: no os/architecture");
}

TEST_CASE("registry error bodies yield their first code") {
  auto e = parse_error_body(
      R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{}}]})");
  REQUIRE(e.has_value());
  CHECK(e->code == "MANIFEST_UNKNOWN");
  CHECK(e->message == "manifest unknown");
  CHECK_FALSE(parse_error_body("<html>bad gateway</html>").has_value());
  CHECK_FALSE(parse_error_body(R"({"errors":[]})").has_value());
}

TEST_CASE("digests are sha256 of the exact bytes") {
  CHECK(sha256_digest("") == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(is_sha256_digest(sha256_digest("x")));
  CHECK_FALSE(is_sha256_digest("sha256:E3B0"));
}
