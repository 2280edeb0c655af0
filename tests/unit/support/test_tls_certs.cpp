#include "support/temp_dir.hpp"
#include "support/tls_certs.hpp"

#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <catch2/catch.hpp>

#include <memory>

using sluice::testing::make_tls_certs;
using sluice::testing::TempDir;
using sluice::testing::TlsCertOptions;

namespace {

using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

CertPtr parse(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                BIO_free);
  return CertPtr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
}

// Verifies `leaf` against `ca` for `purpose` the way a TLS peer would.
bool verifies(X509* ca, X509* leaf, int purpose) {
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  X509_STORE_add_cert(store.get(), ca);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                      X509_STORE_CTX_free);
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr);
  X509_STORE_CTX_set_purpose(ctx.get(), purpose);
  return X509_verify_cert(ctx.get()) == 1;
}

}  // namespace

TEST_CASE("make_tls_certs issues server and client certificates the CA verifies") {
  TempDir dir;
  TlsCertOptions options;
  options.client_common_name = "alice";
  options.client_organization = "system:masters";
  auto certs = make_tls_certs(dir.path(), options);
  auto ca = parse(certs.ca_cert_pem), server = parse(certs.server_cert_pem),
       client = parse(certs.client_cert_pem);
  REQUIRE(ca);
  REQUIRE(server);
  REQUIRE(client);
  CHECK(verifies(ca.get(), server.get(), X509_PURPOSE_SSL_SERVER));
  CHECK(verifies(ca.get(), client.get(), X509_PURPOSE_SSL_CLIENT));
  CHECK_FALSE(verifies(ca.get(), client.get(), X509_PURPOSE_SSL_SERVER));
  CHECK(X509_check_ip_asc(server.get(), "127.0.0.1", 0) == 1);
  CHECK(X509_check_host(server.get(), "localhost", 0, 0, nullptr) == 1);
  CHECK(X509_check_host(server.get(), "example.com", 0, 0, nullptr) == 0);
  char subject[256];
  X509_NAME_oneline(X509_get_subject_name(client.get()), subject, sizeof(subject));
  CHECK(std::string(subject) == "/O=system:masters/CN=alice");
  CHECK(std::filesystem::file_size(certs.server_key) > 0);
}

TEST_CASE("certificates from two calls do not trust each other") {
  TempDir one, two;
  auto a = make_tls_certs(one.path()), b = make_tls_certs(two.path());
  CHECK_FALSE(verifies(parse(a.ca_cert_pem).get(), parse(b.server_cert_pem).get(), X509_PURPOSE_SSL_SERVER));
}

TEST_CASE("TempDir removes its directory and everything in it") {
  std::filesystem::path kept;
  {
    TempDir dir("sluice-tempdir-test");
    kept = dir.path();
    auto file = dir.write("nested/file.txt", "content");
    CHECK(std::filesystem::exists(file));
    CHECK(kept.filename().string().rfind("sluice-tempdir-test-", 0) == 0);
  }
  CHECK_FALSE(std::filesystem::exists(kept));
}
