#include <sluice/registry/attachments.hpp>

#include <catch2/catch.hpp>

using namespace sluice::registry;

TEST_CASE("Cosign's tags for what is attached to a digest", "[registry][attachments]") {
  CHECK(attachment_tag("sha256:abc", Attachment::signature) == "sha256-abc.sig");
  CHECK(attachment_tag("sha256:abc", Attachment::attestation) == "sha256-abc.att");
}

TEST_CASE("an attached artifact's layers keep their media type, digest and annotations",
          "[registry][attachments]") {
  const std::string digest = "sha256:" + std::string(64, 'c');
  const std::string manifest =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[)"
      R"({"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","size":3,"digest":")" +
      digest + R"(","annotations":{"dev.cosignproject.cosign/signature":"MEUC"}}]})";

  auto layers = detail::parse_artifact_layers(manifest);

  REQUIRE(layers.ok());
  REQUIRE(layers->size() == 1);
  CHECK((*layers)[0].media_type == "application/vnd.dev.cosign.simplesigning.v1+json");
  CHECK((*layers)[0].digest == digest);
  CHECK((*layers)[0].annotations.at("dev.cosignproject.cosign/signature") == "MEUC");
  CHECK_FALSE(detail::parse_artifact_layers(R"({"layers":[{"digest":"md5:x"}]})").ok());
  CHECK_FALSE(detail::parse_artifact_layers("404 page not found").ok());
}

TEST_CASE("a referrers index yields the manifests of Cosign's artifact types only",
          "[registry][attachments]") {
  const std::string sig = "sha256:" + std::string(64, '1');
  const std::string att = "sha256:" + std::string(64, '2');
  const std::string other = "sha256:" + std::string(64, '3');
  const std::string index = R"({"schemaVersion":2,"manifests":[)"
                            R"({"digest":")" +
                            sig +
                            R"(","artifactType":"application/vnd.dev.cosign.artifact.sig.v1+json"},)"
                            R"({"digest":")" +
                            att +
                            R"(","artifactType":"application/vnd.dsse.envelope.v1+json"},)"
                            R"({"digest":")" +
                            other + R"(","artifactType":"application/vnd.example.sbom"}]})";

  CHECK(*detail::parse_referrer_digests(index, Attachment::signature) == std::vector<std::string>{sig});
  CHECK(*detail::parse_referrer_digests(index, Attachment::attestation) == std::vector<std::string>{att});
  CHECK_FALSE(detail::parse_referrer_digests("404 page not found", Attachment::signature).ok());
}
