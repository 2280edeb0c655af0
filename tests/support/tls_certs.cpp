#include "support/tls_certs.hpp"

#include "support/temp_dir.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace sluice::testing {
namespace {

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("generating test certificates: ") + what + " failed");
}

KeyPtr new_key() {
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free);
  check(key != nullptr, "EC key generation");
  return key;
}

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  check(ext != nullptr, "X509V3_EXT_conf_nid");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

struct CertSpec {
  std::string common_name;
  std::string organization;
  std::vector<std::pair<int, std::string>> extensions;  // added in order, after the key identifier
};

// Signs `key`'s certificate with `issuer_key`; self-signed when issuer is null.
CertPtr new_cert(EVP_PKEY* key, const CertSpec& spec, X509* issuer, EVP_PKEY* issuer_key) {
  static std::atomic<long> serial{1};
  CertPtr cert(X509_new(), X509_free);
  check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7L * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  auto add_name = [name](const char* field, const std::string& value) {
    auto bytes = reinterpret_cast<const unsigned char*>(value.c_str());
    check(X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC, bytes, -1, -1, 0) == 1, "X509_NAME entry");
  };
  if (!spec.organization.empty()) add_name("O", spec.organization);
  add_name("CN", spec.common_name);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  add_ext(cert.get(), signer, NID_subject_key_identifier, "hash");
  add_ext(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
  for (const auto& [nid, value] : spec.extensions) add_ext(cert.get(), signer, nid, value);
  check(X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

template <class Write>
std::string to_pem(Write write) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  check(bio != nullptr && write(bio.get()) == 1, "PEM encoding");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string cert_pem(X509* cert) {
  return to_pem([cert](BIO* bio) { return PEM_write_bio_X509(bio, cert); });
}

std::string key_pem(EVP_PKEY* key) {
  return to_pem(
      [key](BIO* bio) { return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr); });
}

std::filesystem::path write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  check(static_cast<bool>(out), "writing a certificate file");
  return path;
}

std::string subject_alt_names(const TlsCertOptions& options) {
  std::string san;
  for (const auto& dns : options.server_dns) san += (san.empty() ? "DNS:" : ",DNS:") + dns;
  for (const auto& ip : options.server_ips) san += (san.empty() ? "IP:" : ",IP:") + ip;
  return san;
}

}  // namespace

TlsCerts make_tls_certs(const std::filesystem::path& dir, const TlsCertOptions& options) {
  auto ca_key = new_key(), server_key = new_key(), client_key = new_key();
  auto ca = new_cert(ca_key.get(),
                     {"sluice test CA",
                      "",
                      {{NID_basic_constraints, "critical,CA:TRUE"},
                       {NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature"}}},
                     nullptr, nullptr);
  CertSpec server_spec{"sluice test server",
                       "",
                       {{NID_basic_constraints, "critical,CA:FALSE"},
                        {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
                        {NID_ext_key_usage, "serverAuth"}}};
  std::string san = subject_alt_names(options);
  if (!san.empty()) server_spec.extensions.emplace_back(NID_subject_alt_name, san);
  auto server = new_cert(server_key.get(), server_spec, ca.get(), ca_key.get());
  auto client = new_cert(client_key.get(),
                         {options.client_common_name,
                          options.client_organization,
                          {{NID_basic_constraints, "critical,CA:FALSE"},
                           {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
                           {NID_ext_key_usage, "clientAuth"}}},
                         ca.get(), ca_key.get());
  TlsCerts out;
  out.ca_cert_pem = cert_pem(ca.get());
  out.server_cert_pem = cert_pem(server.get());
  out.server_key_pem = key_pem(server_key.get());
  out.client_cert_pem = cert_pem(client.get());
  out.client_key_pem = key_pem(client_key.get());
  out.ca_cert = write_file(dir / "ca.crt", out.ca_cert_pem);
  out.ca_key = write_file(dir / "ca.key", key_pem(ca_key.get()));
  out.server_cert = write_file(dir / "server.crt", out.server_cert_pem);
  out.server_key = write_file(dir / "server.key", out.server_key_pem);
  out.client_cert = write_file(dir / "client.crt", out.client_cert_pem);
  out.client_key = write_file(dir / "client.key", out.client_key_pem);
  return out;
}

const TlsCerts& shared_tls_certs() {
  struct Shared {
    TempDir dir{"sluice-certs"};
    TlsCerts certs = make_tls_certs(dir.path());
  };
  static Shared shared;
  return shared.certs;
}

}  // namespace sluice::testing
