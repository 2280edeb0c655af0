#include "support/signing.hpp"

#include <sluice/trust/payloads.hpp>
#include <sluice/util/base64.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <stdexcept>

namespace sluice::test {
namespace {

EVP_PKEY* generate(KeyType type) {
  switch (type) {
    case KeyType::ecdsa_p256: return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    case KeyType::ecdsa_p521: return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521");
    case KeyType::ed25519: return EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    case KeyType::rsa2048: return EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(2048));
  }
  return nullptr;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

}  // namespace

SigningKey::SigningKey(KeyType type) : key_(generate(type)), type_(type) {
  if (key_ == nullptr) throw std::runtime_error("SigningKey: key generation failed");
}

SigningKey::~SigningKey() {
  EVP_PKEY_free(static_cast<EVP_PKEY*>(key_));
}

std::string SigningKey::public_pem() const {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), static_cast<EVP_PKEY*>(key_));
  return bio_text(bio.get());
}

std::string SigningKey::private_pem() const {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), static_cast<EVP_PKEY*>(key_), nullptr, nullptr, 0, nullptr, nullptr);
  return bio_text(bio.get());
}

std::string SigningKey::sign(std::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  const EVP_MD* md = type_ == KeyType::ed25519      ? nullptr
                     : type_ == KeyType::ecdsa_p521 ? EVP_sha512()
                                                    : EVP_sha256();
  if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, static_cast<EVP_PKEY*>(key_)) != 1)
    throw std::runtime_error("SigningKey: sign init failed");
  std::size_t length = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(message.data());
  EVP_DigestSign(ctx.get(), nullptr, &length, bytes, message.size());
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, bytes,
                     message.size()) != 1)
    throw std::runtime_error("SigningKey: sign failed");
  signature.resize(length);
  return signature;
}

std::string simple_signing_payload(const std::string& reference, const std::string& digest,
                                   const std::string& optional_json) {
  nlohmann::json payload = {{"critical",
                             {{"identity", {{"docker-reference", reference}}},
                              {"image", {{"docker-manifest-digest", digest}}},
                              {"type", "cosign container image signature"}}},
                            {"optional", nlohmann::json::parse(optional_json)}};
  return payload.dump();
}

std::string signed_attestation(const SigningKey& key, const std::string& predicate_type,
                               const std::string& digest) {
  nlohmann::json statement = {{"_type", "https://in-toto.io/Statement/v0.1"},
                              {"predicateType", predicate_type},
                              {"subject", {{{"name", "image"}, {"digest", {{"sha256", digest.substr(7)}}}}}},
                              {"predicate", nlohmann::json::object()}};
  const std::string payload = statement.dump();
  const std::string sig = key.sign(trust::dsse_pae(trust::k_in_toto_type, payload));
  nlohmann::json envelope = {{"payloadType", trust::k_in_toto_type},
                             {"payload", util::base64_encode(payload)},
                             {"signatures", {{{"keyid", ""}, {"sig", util::base64_encode(sig)}}}}};
  return envelope.dump();
}

}  // namespace sluice::test
