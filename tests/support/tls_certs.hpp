// Certificates generated at test time (OpenSSL C API, P-256 keys so it is
// fast): a CA, a server certificate for localhost/127.0.0.1 and a client
// certificate, as files and as PEM text. Used by the HTTP, kubesim and registry tests.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace sluice::testing {

struct TlsCertOptions {
  std::vector<std::string> server_dns = {"localhost"};    // subjectAltName DNS entries
  std::vector<std::string> server_ips = {"127.0.0.1"};    // subjectAltName IP entries
  std::string client_common_name = "sluice-test-client";  // Kubernetes: the user name
  std::string client_organization;                        // Kubernetes: the group, e.g. system:masters
};

struct TlsCerts {
  std::filesystem::path ca_cert, ca_key;
  std::filesystem::path server_cert, server_key;
  std::filesystem::path client_cert, client_key;
  std::string ca_cert_pem;
  std::string server_cert_pem, server_key_pem;
  std::string client_cert_pem, client_key_pem;
};

// Generates a fresh CA, server and client certificate into `dir` (which must
// exist): ca.crt/ca.key, server.crt/server.key, client.crt/client.key.
// Throws std::runtime_error when OpenSSL fails.
TlsCerts make_tls_certs(const std::filesystem::path& dir, const TlsCertOptions& options = {});

// One set with default options per test process, in a temp dir removed at exit.
const TlsCerts& shared_tls_certs();

}  // namespace sluice::testing
