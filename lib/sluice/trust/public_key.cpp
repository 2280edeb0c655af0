#include <sluice/trust/public_key.hpp>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstring>

namespace sluice::trust {
namespace {

using util::ErrorKind;
using util::make_error;

std::string curve_name(EVP_PKEY* key) {
  char name[64] = {0};
  std::size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(key, "group", name, sizeof name, &length) != 1) return "";
  return std::string(name, length);
}

}  // namespace

util::Result<PublicKey> PublicKey::from_pem(const std::string& pem) {
  if (pem.find("PRIVATE KEY-----") != std::string::npos) {
    return make_error(ErrorKind::invalid,
                      "is a private key; give the public key (cosign.pub), never the private one");
  }
  if (pem.find("-----BEGIN PUBLIC KEY-----") == std::string::npos)
    return make_error(ErrorKind::invalid, "is not a PEM public key (no \"-----BEGIN PUBLIC KEY-----\" line)");
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                &BIO_free);
  EVP_PKEY* raw = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (raw == nullptr) return make_error(ErrorKind::invalid, "is not a readable PEM public key");
  PublicKey key;
  key.key_ = std::shared_ptr<evp_pkey_st>(raw, &EVP_PKEY_free);
  if (EVP_PKEY_is_a(raw, "ED25519")) {
    key.algorithm_ = "Ed25519";
  } else if (EVP_PKEY_is_a(raw, "EC")) {
    const std::string curve = curve_name(raw);
    if (curve == "prime256v1" || curve == "P-256") {
      key.algorithm_ = "ECDSA P-256";
      key.hash_ = "SHA256";
    } else if (curve == "secp384r1" || curve == "P-384") {
      key.algorithm_ = "ECDSA P-384";
      key.hash_ = "SHA384";
    } else {
      return make_error(ErrorKind::invalid, "is an ECDSA key on curve " + (curve.empty() ? "?" : curve) +
                                                "; sluice verifies P-256 and P-384");
    }
  } else if (EVP_PKEY_is_a(raw, "RSA")) {
    const int bits = EVP_PKEY_get_bits(raw);
    if (bits < 2048) {
      return make_error(ErrorKind::invalid,
                        "is a " + std::to_string(bits) + "-bit RSA key; at least 2048 bits");
    }
    key.algorithm_ = "RSA " + std::to_string(bits);
    key.hash_ = "SHA256";
  } else {
    return make_error(ErrorKind::invalid, "is neither an ECDSA, Ed25519 nor RSA public key");
  }
  return key;
}

bool PublicKey::verify(std::string_view message, std::string_view signature) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx) return false;
  const EVP_MD* md = hash_.empty() ? nullptr : EVP_get_digestbyname(hash_.c_str());
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key_.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

}  // namespace sluice::trust
