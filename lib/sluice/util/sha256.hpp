// SHA-256 digests as lowercase hex, for OCI content digests ("sha256:<hex>")
// and anywhere else bytes must be identified by content. Backed by OpenSSL EVP.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace sluice::util {

// Lowercase hex SHA-256 of `bytes` (64 characters, no "sha256:" prefix).
std::string sha256_hex(std::string_view bytes);

// Incremental form for bodies that arrive in pieces (blob downloads).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view bytes);
  // Lowercase hex of everything fed so far; the hasher is spent afterwards.
  std::string hex_digest();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace sluice::util
