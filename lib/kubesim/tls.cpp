#include <kubesim/tls.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace kubesim {

namespace {

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

std::string key_pem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string cert_pem(X509* cert) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext != nullptr) {
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
}

CertPtr make_cert(EVP_PKEY* key, const std::string& cn, X509* issuer, EVP_PKEY* issuer_key, long serial) {
  CertPtr cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 365);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  if (issuer == nullptr) {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
  } else {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,digitalSignature,keyEncipherment");
  }
  X509_sign(cert.get(), issuer_key, EVP_sha256());
  return cert;
}

KeyPtr load_key(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                BIO_free);
  return KeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
}

CertPtr load_cert(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                BIO_free);
  return CertPtr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
}

}  // namespace

sluice::util::Result<GeneratedCerts> generate_server_certs() {
  KeyPtr ca_key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  KeyPtr server_key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  if (!ca_key || !server_key)
    return sluice::util::make_error(sluice::util::ErrorKind::tls, "generating keys failed");
  CertPtr ca = make_cert(ca_key.get(), "kubesim-ca", nullptr, ca_key.get(), 1);
  CertPtr server = make_cert(server_key.get(), "kubesim", ca.get(), ca_key.get(), 2);
  add_extension(server.get(), ca.get(), NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  add_extension(server.get(), ca.get(), NID_ext_key_usage, "serverAuth");
  X509_sign(server.get(), ca_key.get(), EVP_sha256());
  return GeneratedCerts{cert_pem(ca.get()), key_pem(ca_key.get()), cert_pem(server.get()),
                        key_pem(server_key.get())};
}

sluice::util::Result<std::pair<std::string, std::string>> generate_client_cert(
    const GeneratedCerts& authority, const std::string& user, const std::string& group) {
  KeyPtr ca_key = load_key(authority.ca_key_pem);
  CertPtr ca = load_cert(authority.ca_pem);
  KeyPtr key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  if (!ca_key || !ca || !key)
    return sluice::util::make_error(sluice::util::ErrorKind::tls, "generating a client certificate failed");
  CertPtr cert = make_cert(key.get(), user, ca.get(), ca_key.get(), 3);
  if (!group.empty()) {
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(group.c_str()), -1, -1, 0);
  }
  add_extension(cert.get(), ca.get(), NID_ext_key_usage, "clientAuth");
  X509_sign(cert.get(), ca_key.get(), EVP_sha256());
  return std::pair{cert_pem(cert.get()), key_pem(key.get())};
}

}  // namespace kubesim
