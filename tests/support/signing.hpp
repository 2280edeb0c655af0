// Test support: fresh key pairs and signatures made with OpenSSL, as a
// signer (cosign, skopeo) would make them, for the signature tests.
#pragma once

#include <string>
#include <string_view>

namespace sluice::test {

enum class KeyType { ecdsa_p256, ed25519, rsa2048, ecdsa_p521 };

class SigningKey {
 public:
  explicit SigningKey(KeyType type);
  ~SigningKey();
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;

  std::string public_pem() const;
  std::string private_pem() const;  // PKCS#8, unencrypted
  // Raw signature bytes (DER for ECDSA) over `message`, hashed as Cosign does.
  std::string sign(std::string_view message) const;

 private:
  void* key_;  // EVP_PKEY*
  KeyType type_;
};

// A Cosign simple-signing payload for `digest` of `reference`.
std::string simple_signing_payload(const std::string& reference, const std::string& digest,
                                   const std::string& optional_json = "null");

// An in-toto statement of `predicate_type` about `digest`, in a DSSE envelope signed by `key`.
std::string signed_attestation(const SigningKey& key, const std::string& predicate_type,
                               const std::string& digest);

}  // namespace sluice::test
