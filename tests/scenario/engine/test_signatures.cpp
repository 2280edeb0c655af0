// Supply chain: a plan with `verify` deploys only a digest signed by its key
// (Cosign's formats, in the real docker-registry), and refuses anything else
// at preflight with exit 6 and no write to the cluster.
//
// The signatures are made by an independent tool, the openssl CLI
// (`openssl dgst -sha256 -sign`), over Cosign's simple-signing payload, and
// stored as cosign stores them. Debian 12's skopeo would be the natural
// signer (`skopeo copy --sign-by-sigstore-private-key`), but its build has
// sigstore signing disabled; the last test case records that, and signs with
// skopeo wherever a skopeo that can is installed.
#include "support/process.hpp"
#include "support/signing.hpp"
#include "world.hpp"

#include <sluice/trust/payloads.hpp>
#include <sluice/util/base64.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tree_paths.hpp"

using namespace sluice;
using namespace sluice::scenario;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A P-256 key pair made with the openssl CLI, signing as `cosign sign --key` does.
class OpensslSigner {
 public:
  OpensslSigner(const test::TempDir& dir, const std::string& name)
      : private_(dir.file(name + ".key")), public_(dir.file(name + ".pub")), dir_(dir.path()) {
    run({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", private_});
    run({"pkey", "-in", private_, "-pubout", "-out", public_});
  }
  const std::string& public_key() const { return public_; }
  const std::string& private_key() const { return private_; }

  std::string sign_base64(const std::string& payload) const {
    const std::string in = dir_ + "/payload", out = dir_ + "/signature";
    std::ofstream(in, std::ios::binary) << payload;
    run({"dgst", "-sha256", "-sign", private_, "-out", out, in});
    return util::base64_encode(read_file(out));
  }

 private:
  static void run(const std::vector<std::string>& args) {
    auto r = test::run("/usr/bin/openssl", args, {}, std::chrono::seconds(30));
    if (r.exit_code != 0) throw std::runtime_error("openssl failed: " + r.err);
  }
  std::string private_, public_, dir_;
};

// Attaches to `digest` a signature by `signer` of the payload naming
// `reference` at `signed_digest` (the same digest, unless a test swaps it).
void attach_signature(World& w, const OpensslSigner& signer, const std::string& digest,
                      const std::string& reference, const std::string& signed_digest) {
  const std::string payload = test::simple_signing_payload(reference, signed_digest);
  w.registry.push_signature("web", digest, payload, signer.sign_base64(payload));
}

std::string verify_section(const std::string& public_key) {
  return "verify:\n  keys:\n    - {valueFrom: {file: " + public_key + "}}\n";
}

// Every request that changes something, since `mark`.
int cluster_writes(World& w, std::uint64_t mark) {
  int writes = 0;
  const Json log = w.sim.audit(mark);
  for (const auto& e : log["requests"]) {
    const std::string verb = e.value("verb", "");
    if (verb != "get" && verb != "list" && verb != "watch") ++writes;
  }
  return writes;
}

std::string sluice_bin() {
  const char* bin = std::getenv("SLUICE_BIN");
  return bin != nullptr ? bin : SLUICE_BINARY_DIR "/sluice";
}

std::string message_of(const SluiceRun& run) {
  return run.out + run.err;
}

}  // namespace

TEST_CASE("apply deploys a digest signed by the plan's key and refuses any other before writing",
          "[signatures]") {
  // Given an image signed by the plan's key, by openssl, in cosign's layout
  World w;
  test::TempDir keys;
  OpensslSigner signer(keys, "cosign");
  const std::string repo = w.registry.host() + "/web";
  const std::string signed_digest = w.registry.push("web", "2");
  attach_signature(w, signer, signed_digest, repo + ":2", signed_digest);

  SECTION("the signed image goes out") {
    auto plan = w.write_plan("web.yaml", w.rolling_plan(repo + ":2", verify_section(signer.public_key())));
    auto run = w.sluice({"apply", plan});
    CHECK(run.exit_code == 0);
    CHECK(w.deployment("web")["spec"]["template"]["spec"]["containers"][0]["image"] ==
          repo + "@" + signed_digest);
  }

  SECTION("anything else is refused with exit 6, the reason, and no write to the cluster") {
    const std::string digest = w.registry.push("web", "3");
    auto expect_refused = [&](const std::string& why) {
      auto plan = w.write_plan("web.yaml", w.rolling_plan(repo + ":3", verify_section(signer.public_key())));
      auto mark = w.audit_mark();

      auto run = w.sluice({"apply", plan});

      CHECK(run.exit_code == 6);
      CHECK(contains(message_of(run), why));
      CHECK(cluster_writes(w, mark) == 0);
      CHECK(w.deployment("web")["spec"]["template"]["spec"]["containers"][0]["image"] == w.first_image);
    };
    SECTION("no signature") {
      expect_refused("is not signed: no signature at tag sha256-" + digest.substr(7) +
                     ".sig nor in the referrers API");
    }
    SECTION("signed by another key") {
      OpensslSigner other(keys, "other");
      attach_signature(w, other, digest, repo + ":3", digest);
      expect_refused("not signed by any of the keys (or the payload was altered)");
    }
    SECTION("a valid signature of another digest, attached to this one") {
      attach_signature(w, signer, digest, repo + ":2", signed_digest);
      expect_refused("signs " + signed_digest + ", not this digest");
    }
    SECTION("a corrupted signature") {
      w.registry.push_signature("web", digest, test::simple_signing_payload(repo + ":3", digest),
                                "MEUCIQ%%%not-base64");
      expect_refused("the signature is not base64");
    }
  }
}

TEST_CASE("image verify checks a reference on its own, exit 0 or 6, as text or JSON", "[signatures]") {
  World w(1);
  test::TempDir keys;
  OpensslSigner signer(keys, "cosign");
  const std::string repo = w.registry.host() + "/web";
  const std::string digest = w.registry.push("web", "2");
  attach_signature(w, signer, digest, repo + ":2", digest);
  w.registry.push("web", "3");

  auto ok = test::run(sluice_bin(), {"image", "verify", repo + ":2", "--key", signer.public_key()}, {},
                      std::chrono::seconds(60));
  CHECK(ok.exit_code == 0);
  CHECK(contains(ok.out, "signed by:    --key " + signer.public_key() + " (ECDSA P-256)\n"));
  CHECK(contains(ok.out, "found at:     tag sha256-" + digest.substr(7) + ".sig\n"));

  auto json =
      test::run(sluice_bin(), {"image", "verify", repo + ":2", "--key", signer.public_key(), "-o", "json"},
                {}, std::chrono::seconds(60));
  REQUIRE(json.exit_code == 0);
  auto doc = Json::parse(json.out);
  CHECK(doc["verified"] == true);
  CHECK(doc["digest"] == digest);

  auto unsigned_image =
      test::run(sluice_bin(), {"image", "verify", repo + ":3", "--key", signer.public_key()}, {},
                std::chrono::seconds(60));
  CHECK(unsigned_image.exit_code == 6);
  CHECK(contains(unsigned_image.err, "sluice image verify: image " + repo + "@"));
  CHECK(contains(unsigned_image.err, " is not signed: no signature at tag sha256-"));

  auto private_key = test::run(sluice_bin(), {"image", "verify", repo + ":2", "--key", signer.private_key()},
                               {}, std::chrono::seconds(60));
  CHECK(private_key.exit_code == 6);
  CHECK(contains(private_key.err,
                 "--key " + signer.private_key() +
                     " is a private key; give the public key (cosign.pub), never the private one"));
}

TEST_CASE("a signature made by skopeo verifies, where skopeo can make one", "[signatures][skopeo]") {
  // Given a Cosign-format encrypted key made from a fresh key (support/cosign_key.py)
  World w(1);
  test::TempDir dir;
  OpensslSigner signer(dir, "fresh");
  auto made = test::run("/usr/bin/python3",
                        {SLUICE_SOURCE_DIR "/tests/support/cosign_key.py", signer.private_key(), "s3cret",
                         dir.file("cosign.key")},
                        {}, std::chrono::seconds(60));
  REQUIRE(made.exit_code == 0);
  std::ofstream(dir.file("passphrase")) << "s3cret";
  std::ofstream(dir.file("default.yaml")) << "default-docker:\n  use-sigstore-attachments: true\n";
  const std::string ref = w.registry.host() + "/web:2";
  w.registry.push("web", "2");

  // When skopeo copies the image onto itself, signing it
  auto sign =
      test::run("/usr/bin/skopeo",
                {"copy", "--insecure-policy", "--src-tls-verify=false", "--dest-tls-verify=false",
                 "--registries.d", dir.path(), "--sign-by-sigstore-private-key", dir.file("cosign.key"),
                 "--sign-passphrase-file", dir.file("passphrase"), "docker://" + ref, "docker://" + ref},
                {}, std::chrono::seconds(60));
  if (sign.exit_code != 0) {
    // Debian 12's skopeo 1.9.3: "creating signature: Debian-local change: sigstore disabled".
    CHECK(contains(sign.err, "sigstore disabled"));
    WARN("this skopeo cannot make sigstore signatures: " << sign.err);
    return;
  }
  // Then sluice verifies what skopeo made
  auto verified = test::run(sluice_bin(), {"image", "verify", ref, "--key", signer.public_key()}, {},
                            std::chrono::seconds(60));
  CHECK(verified.exit_code == 0);
}

TEST_CASE("a plan that requires an SBOM attestation deploys only a digest that carries one, signed",
          "[signatures]") {
  // Given a signed image and a plan that also requires an SPDX attestation
  World w(1);
  test::TempDir keys;
  OpensslSigner signer(keys, "cosign");
  const std::string repo = w.registry.host() + "/web";
  const std::string digest = w.registry.push("web", "2");
  attach_signature(w, signer, digest, repo + ":2", digest);
  auto plan = w.write_plan("web.yaml", w.rolling_plan(repo + ":2", verify_section(signer.public_key()) +
                                                                       "  attestations: [spdx]\n"));

  SECTION("without the attestation, preflight refuses it") {
    auto run = w.sluice({"apply", plan});
    CHECK(run.exit_code == 6);
    CHECK(contains(message_of(run),
                   "no spdx attestation (https://spdx.dev/Document) signed by the policy's keys"));
  }
  SECTION("with it, signed by the key over DSSE's encoding, the image goes out") {
    const std::string statement =
        Json{{"_type", "https://in-toto.io/Statement/v0.1"},
             {"predicateType", "https://spdx.dev/Document"},
             {"subject", {{{"name", repo}, {"digest", {{"sha256", digest.substr(7)}}}}}},
             {"predicate", {{"spdxVersion", "SPDX-2.3"}}}}
            .dump();
    const std::string type = trust::k_in_toto_type;
    const std::string pae = trust::dsse_pae(type, statement);
    w.registry.push_attestation("web", digest,
                                Json{{"payloadType", type},
                                     {"payload", util::base64_encode(statement)},
                                     {"signatures", {{{"keyid", ""}, {"sig", signer.sign_base64(pae)}}}}}
                                    .dump());
    auto run = w.sluice({"apply", plan});
    CHECK(run.exit_code == 0);
  }
}
