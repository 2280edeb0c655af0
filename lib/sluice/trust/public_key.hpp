// A public key that image signatures are checked against: ECDSA (P-256,
// P-384), Ed25519 or RSA (2048 bits or more), read from PEM, with the hash
// Cosign signs with for each. Verification is OpenSSL's.
#pragma once

#include <sluice/util/result.hpp>

#include <memory>
#include <string>
#include <string_view>

using evp_pkey_st = struct evp_pkey_st;

namespace sluice::trust {

class PublicKey {
 public:
  // Errors (ErrorKind::invalid) say what is wrong: not PEM, a private key,
  // an unsupported algorithm or curve, a short RSA key.
  static util::Result<PublicKey> from_pem(const std::string& pem);

  // "ECDSA P-256", "Ed25519", "RSA 4096".
  const std::string& algorithm() const { return algorithm_; }
  // True when `signature` (raw bytes: DER for ECDSA) signs `message` under this key.
  bool verify(std::string_view message, std::string_view signature) const;

 private:
  std::shared_ptr<evp_pkey_st> key_;
  std::string algorithm_;
  std::string hash_;  // "SHA256", "SHA384", or "" (Ed25519 signs the message itself)
};

}  // namespace sluice::trust
