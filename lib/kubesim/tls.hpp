// Certificates for kubesim's HTTPS mode: a throwaway CA plus a server
// certificate for 127.0.0.1/localhost, generated in memory at start.
#pragma once

#include <sluice/util/result.hpp>

#include <string>

namespace kubesim {

struct GeneratedCerts {
  std::string ca_pem;
  std::string ca_key_pem;
  std::string server_cert_pem;
  std::string server_key_pem;
};

sluice::util::Result<GeneratedCerts> generate_server_certs();
// A client certificate with CN `user` and O `group` (none when empty) signed by the generated CA.
sluice::util::Result<std::pair<std::string, std::string>> generate_client_cert(const GeneratedCerts& ca,
                                                                               const std::string& user,
                                                                               const std::string& group = "");

}  // namespace kubesim
