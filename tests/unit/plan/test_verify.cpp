#include <sluice/plan/parser.hpp>

#include <catch2/catch.hpp>

#include "plan_test_util.hpp"

using namespace sluice::plan;
using plan_test::errors_of;
using plan_test::k_valid_plan;

namespace {

const std::string k_pem = "-----BEGIN PUBLIC KEY-----\\nMFkw\\n-----END PUBLIC KEY-----\\n";

std::string with_verify(const std::string& section) {
  return k_valid_plan + "verify:\n" + section;
}

}  // namespace

TEST_CASE("a verify section names keys, annotations and attestations", "[plan][verify]") {
  auto parse = parse_plan(with_verify("  keys:\n"
                                      "    - {valueFrom: {file: keys/cosign.pub}}\n"
                                      "    - {valueFrom: {env: COSIGN_PUBLIC_KEY}}\n"
                                      "    - {valueFrom: {secretKeyRef: {name: signing, key: cosign.pub}}}\n"
                                      "    - \"" +
                                      k_pem +
                                      "\"\n"
                                      "  annotations: {team: payments}\n"
                                      "  attestations: [spdx, https://slsa.dev/provenance/v1]\n"),
                          "web.yaml");

  REQUIRE(parse.diagnostics.empty());
  REQUIRE(parse.plan->verify.has_value());
  const auto& verify = *parse.plan->verify;
  REQUIRE(verify.keys.size() == 4);
  CHECK(verify.keys[0].from->kind == SecretRef::Kind::file);
  CHECK(verify.keys[0].from->name == "keys/cosign.pub");
  CHECK(verify.keys[1].from->kind == SecretRef::Kind::env);
  CHECK(verify.keys[2].from->kind == SecretRef::Kind::secret_key);
  CHECK(verify.keys[3].literal.rfind("-----BEGIN PUBLIC KEY-----", 0) == 0);
  CHECK(verify.annotations == std::map<std::string, std::string>{{"team", "payments"}});
  CHECK(verify.attestations == std::vector<std::string>{"spdx", "https://slsa.dev/provenance/v1"});
}

TEST_CASE("a plan without verify deploys unverified images", "[plan][verify]") {
  auto parse = parse_plan(k_valid_plan, "web.yaml");
  REQUIRE(parse.diagnostics.empty());
  CHECK_FALSE(parse.plan->verify.has_value());
}

TEST_CASE("a verify section that cannot prove anything is refused where it is wrong", "[plan][verify]") {
  auto expect_error = [](const std::string& section, const std::string& error) {
    auto errors = errors_of(with_verify(section));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == error);
  };
  SECTION("no keys") {
    expect_error("  attestations: [spdx]\n", "plan.yaml:16:3: verify.keys: required field is missing");
  }
  SECTION("keys not a list") {
    expect_error("  keys: cosign.pub\n",
                 "plan.yaml:16:9: verify.keys: must be a list of public keys (PEM, or {valueFrom: ...}), not "
                 "'cosign.pub'");
  }
  SECTION("an inline key that is not PEM") {
    expect_error(
        "  keys: [cosign.pub]\n",
        "plan.yaml:16:10: verify.keys[0]: is not a PEM public key; write the PEM text or {valueFrom: {file: "
        "cosign.pub}}");
  }
  SECTION("an inline private key") {
    expect_error(
        "  keys: [\"-----BEGIN EC PRIVATE KEY-----\"]\n",
        "plan.yaml:16:10: verify.keys[0]: is a private key; list the public key (cosign.pub), never the "
        "private one");
  }
  SECTION("keyless") {
    expect_error(
        "  keys: [{valueFrom: {env: K}}]\n  keyless: {issuer: https://token.actions.githubusercontent.com}\n",
        "plan.yaml:17:12: verify.keyless: keyless verification needs the public Sigstore services (Fulcio, "
        "Rekor), which sluice does not call; sign with a key pair and list its public key under verify.keys");
  }
}
