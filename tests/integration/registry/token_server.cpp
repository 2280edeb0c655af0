// The token service of the Docker token-auth protocol, for tests: checks
// Basic credentials and signs JWTs the distribution registry (v2.8) accepts.
#include "registry_server.hpp"

#include <sluice/util/base64.hpp>

#include <httplib.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <stdexcept>

namespace sluice::registry::itest {
namespace {

using nlohmann::json;

std::string base64url(const std::string& bytes) {
  std::string s = util::base64_encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (auto& c : s) c = c == '+' ? '-' : (c == '/' ? '_' : c);
  return s;
}

// One signing key and certificate per test process: EC keys are quick to make.
struct SigningKey {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  std::string cert_pem;
  std::string cert_der_b64;

  SigningKey() {
    key = EVP_EC_gen("P-256");
    cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("sluice test token issuer"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    if (X509_sign(cert, key, EVP_sha256()) == 0) throw std::runtime_error("cannot sign the test certificate");
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    cert_pem.assign(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    unsigned char* der = nullptr;
    int len = i2d_X509(cert, &der);
    cert_der_b64 =
        util::base64_encode(std::string(reinterpret_cast<char*>(der), static_cast<std::size_t>(len)));
    OPENSSL_free(der);
  }
  ~SigningKey() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }

  // ES256: the JOSE signature is r||s, 32 bytes each, not OpenSSL's DER.
  std::string sign(const std::string& input) const {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    std::size_t len = 0;
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
    EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
    std::string der(len, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(der.data()), &len,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    EVP_MD_CTX_free(ctx);
    const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(sig);
    return raw;
  }
};

const SigningKey& signing_key() {
  static SigningKey k;
  return k;
}

// "repository:app:pull,push repository:other:pull" -> access claims.
json access_for(const std::string& scopes) {
  json access = json::array();
  std::size_t start = 0;
  while (start < scopes.size()) {
    auto end = scopes.find(' ', start);
    std::string scope = scopes.substr(start, end - start);
    auto first = scope.find(':'), last = scope.rfind(':');
    if (first != std::string::npos && last > first) {
      json actions = json::array();
      std::string list = scope.substr(last + 1);
      for (std::size_t a = 0; a <= list.size();) {
        auto comma = list.find(',', a);
        actions.push_back(list.substr(a, comma - a));
        if (comma == std::string::npos) break;
        a = comma + 1;
      }
      access.push_back({{"type", scope.substr(0, first)},
                        {"name", scope.substr(first + 1, last - first - 1)},
                        {"actions", actions}});
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return access;
}

}  // namespace

std::string TokenServer::issue(const std::string& scope) const {
  static std::atomic<int> serial{0};
  long now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  json header{{"typ", "JWT"}, {"alg", "ES256"}, {"x5c", {signing_key().cert_der_b64}}};
  json claims{{"iss", "sluice-test-issuer"},
              {"sub", k_user},
              {"aud", "sluice-test"},
              {"exp", now + 300},
              {"nbf", now - 10},
              {"iat", now},
              {"jti", std::to_string(++serial)},
              {"access", access_for(scope)}};
  std::string input = base64url(header.dump()) + "." + base64url(claims.dump());
  return input + "." + base64url(signing_key().sign(input));
}

TokenServer::TokenServer(const std::filesystem::path& dir) : server_(std::make_unique<httplib::Server>()) {
  cert_path_ = (dir / "token-root.crt").string();
  std::ofstream(cert_path_) << signing_key().cert_pem;
  std::string expected = "Basic " + util::base64_encode(std::string(k_user) + ":" + k_password);
  server_->Get("/token", [this, expected](const httplib::Request& req, httplib::Response& res) {
    ++requests_;
    if (req.get_header_value("Authorization") != expected ||
        req.get_param_value("service") != "sluice-test") {
      res.status = 401;
      res.set_content(R"({"details":"wrong credentials"})", "application/json");
      return;
    }
    std::string field = answer_access_token ? "access_token" : "token";
    json body{{field, issue(req.get_param_value("scope"))}, {"expires_in", 300}};
    res.set_content(body.dump(), "application/json");
  });
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("token server cannot bind 127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() is a no-op until the accept loop runs, so do not return before it does.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server_->is_running() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
}

TokenServer::~TokenServer() {
  server_->stop();
  thread_.join();
}

std::string TokenServer::realm() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/token";
}

}  // namespace sluice::registry::itest
