#include "support/signing.hpp"

#include <sluice/trust/payloads.hpp>
#include <sluice/trust/public_key.hpp>
#include <sluice/trust/verify.hpp>
#include <sluice/util/base64.hpp>

#include <catch2/catch.hpp>

using namespace sluice;
using test::KeyType;
using test::SigningKey;

namespace {

const std::string k_digest = "sha256:" + std::string(64, 'a');
const std::string k_other_digest = "sha256:" + std::string(64, 'b');

// Serves what the test attached; counts nothing, fetches nothing.
class AttachedRegistry final : public registry::Registry {
 public:
  std::vector<registry::AttachedLayer> signatures;
  std::vector<registry::AttachedLayer> attestations;

  util::Result<registry::ResolvedImage> resolve(const registry::ImageRef&,
                                                const std::vector<registry::Platform>&,
                                                const util::CancelToken*) override {
    return util::make_error(util::ErrorKind::internal, "not used");
  }
  util::Result<std::vector<registry::AttachedLayer>> attachments(const registry::ImageRef&,
                                                                 const std::string& digest,
                                                                 registry::Attachment kind,
                                                                 const util::CancelToken*) override {
    if (digest != k_digest) return std::vector<registry::AttachedLayer>{};
    return kind == registry::Attachment::signature ? signatures : attestations;
  }
};

registry::ResolvedImage image() {
  registry::ResolvedImage image;
  image.ref = *registry::parse_image_ref("127.0.0.1:5000/shop/web:2");
  image.digest = k_digest;
  image.pinned_ref = image.ref.pinned(k_digest);
  return image;
}

registry::AttachedLayer signature_layer(const SigningKey& key, const std::string& payload,
                                        const std::string& signed_payload = "") {
  const std::string sig = key.sign(signed_payload.empty() ? payload : signed_payload);
  return {trust::k_simple_signing_type,
          {{trust::k_signature_annotation, util::base64_encode(sig)}},
          payload,
          "tag sha256-aaaa.sig"};
}

trust::Policy policy_for(const SigningKey& key) {
  return trust::Policy{{{"key 1", key.public_pem()}}, {}, {}};
}

const std::string k_reference = "127.0.0.1:5000/shop/web:2";

}  // namespace

TEST_CASE("a signature by the policy's key over this digest proves the image", "[trust]") {
  auto type = GENERATE(KeyType::ecdsa_p256, KeyType::ed25519, KeyType::rsa2048);
  SigningKey key(type);
  AttachedRegistry reg;
  reg.signatures = {signature_layer(key, test::simple_signing_payload(k_reference, k_digest))};

  auto verified = trust::verify_image(image(), policy_for(key), reg);

  REQUIRE(verified.ok());
  CHECK(verified->key == "key 1");
  CHECK(verified->found_by == "tag sha256-aaaa.sig");
}

TEST_CASE("an image without a signature is refused", "[trust]") {
  SigningKey key(KeyType::ecdsa_p256);
  AttachedRegistry reg;

  auto verified = trust::verify_image(image(), policy_for(key), reg);

  REQUIRE_FALSE(verified.ok());
  CHECK(verified.error().kind == util::ErrorKind::invalid);
  CHECK(verified.error().message == "image 127.0.0.1:5000/shop/web@" + k_digest +
                                        " is not signed: no signature at tag sha256-" + std::string(64, 'a') +
                                        ".sig nor in the referrers API");
}

TEST_CASE("a signature that does not prove the image says why", "[trust]") {
  SigningKey key(KeyType::ecdsa_p256);
  SigningKey other(KeyType::ecdsa_p256);
  AttachedRegistry reg;
  const std::string payload = test::simple_signing_payload(k_reference, k_digest);
  auto expect_refused = [&](const std::string& why) {
    auto policy = policy_for(key);
    if (why.rfind("annotation", 0) == 0) policy.annotations = {{"team", "payments"}};
    auto verified = trust::verify_image(image(), policy, reg);
    REQUIRE_FALSE(verified.ok());
    CHECK(verified.error().message ==
          "image 127.0.0.1:5000/shop/web@" + k_digest +
              " has no valid signature: signature 1 (tag sha256-aaaa.sig): " + why);
  };

  SECTION("signed by another key") {
    reg.signatures = {signature_layer(other, payload)};
    expect_refused("not signed by any of the keys (or the payload was altered)");
  }
  SECTION("a payload altered after signing") {
    reg.signatures = {
        signature_layer(key, test::simple_signing_payload(k_reference, k_other_digest), payload)};
    expect_refused("not signed by any of the keys (or the payload was altered)");
  }
  SECTION("a payload for another digest") {
    reg.signatures = {signature_layer(key, test::simple_signing_payload(k_reference, k_other_digest))};
    expect_refused("signs " + k_other_digest + ", not this digest");
  }
  SECTION("a payload for another repository") {
    reg.signatures = {
        signature_layer(key, test::simple_signing_payload("127.0.0.1:5000/shop/other:2", k_digest))};
    expect_refused("signs repository 127.0.0.1:5000/shop/other:2, not 127.0.0.1:5000/shop/web");
  }
  SECTION("a signature that is not base64") {
    reg.signatures = {signature_layer(key, payload)};
    reg.signatures[0].annotations[trust::k_signature_annotation] = "!!not base64!!";
    expect_refused("the signature is not base64");
  }
  SECTION("a required annotation missing") {
    reg.signatures = {
        signature_layer(key, test::simple_signing_payload(k_reference, k_digest, R"({"team":"ops"})"))};
    expect_refused("annotation team=payments missing");
  }
}

TEST_CASE("one valid signature among refused ones proves the image, with its annotations", "[trust]") {
  SigningKey key(KeyType::ed25519);
  SigningKey other(KeyType::ed25519);
  AttachedRegistry reg;
  const std::string payload = test::simple_signing_payload(k_reference, k_digest, R"({"team":"payments"})");
  reg.signatures = {signature_layer(other, payload), signature_layer(key, payload)};
  SigningKey retired(KeyType::ecdsa_p256);
  trust::Policy policy{
      {{"old key", retired.public_pem()}, {"new key", key.public_pem()}}, {{"team", "payments"}}, {}};

  auto verified = trust::verify_image(image(), policy, reg);

  REQUIRE(verified.ok());
  CHECK(verified->key == "new key");
}

TEST_CASE("required attestations must be signed by the policy's keys and name this digest", "[trust]") {
  SigningKey key(KeyType::ecdsa_p256);
  SigningKey other(KeyType::ecdsa_p256);
  AttachedRegistry reg;
  reg.signatures = {signature_layer(key, test::simple_signing_payload(k_reference, k_digest))};
  auto policy = policy_for(key);
  policy.attestations = {"spdx"};

  SECTION("present") {
    reg.attestations = {{trust::k_dsse_type,
                         {},
                         test::signed_attestation(key, "https://spdx.dev/Document", k_digest),
                         "tag sha256-aaaa.att"}};
    auto verified = trust::verify_image(image(), policy, reg);
    REQUIRE(verified.ok());
    CHECK(verified->attestations == std::vector<std::string>{"https://spdx.dev/Document"});
  }
  SECTION("refused") {
    auto expect_refused = [&] {
      auto verified = trust::verify_image(image(), policy, reg);
      REQUIRE_FALSE(verified.ok());
      CHECK(verified.error().message == "image 127.0.0.1:5000/shop/web@" + k_digest +
                                            ": no spdx attestation (https://spdx.dev/Document) signed by the "
                                            "policy's keys");
    };
    auto attest = [&](const SigningKey& by, const std::string& type, const std::string& digest) {
      reg.attestations = {{trust::k_dsse_type, {}, test::signed_attestation(by, type, digest), "tag"}};
    };
    SECTION("none") {
      expect_refused();
    }
    SECTION("signed by another key") {
      attest(other, "https://spdx.dev/Document", k_digest);
      expect_refused();
    }
    SECTION("about another digest") {
      attest(key, "https://spdx.dev/Document", k_other_digest);
      expect_refused();
    }
    SECTION("of another type") {
      attest(key, "https://slsa.dev/provenance/v0.2", k_digest);
      expect_refused();
    }
  }
}

TEST_CASE("keys sluice cannot verify with are refused with the reason", "[trust]") {
  auto expect_refused = [](const std::string& pem, const std::string& why) {
    auto key = trust::PublicKey::from_pem(pem);
    REQUIRE_FALSE(key.ok());
    CHECK(key.error().message == why);
  };
  SECTION("a private key") {
    expect_refused(SigningKey(KeyType::ecdsa_p256).private_pem(),
                   "is a private key; give the public key (cosign.pub), never the private one");
  }
  SECTION("not PEM") {
    expect_refused("ssh-ed25519 AAAA", "is not a PEM public key (no \"-----BEGIN PUBLIC KEY-----\" line)");
  }
  SECTION("a curve sluice does not verify") {
    expect_refused(SigningKey(KeyType::ecdsa_p521).public_pem(),
                   "is an ECDSA key on curve secp521r1; sluice verifies P-256 and P-384");
  }
}
