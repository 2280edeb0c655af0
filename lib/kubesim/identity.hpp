// Who a request comes from: kubesim's authenticators (static tokens from
// --token/--token-file, client certificates, ServiceAccount tokens it issued
// through TokenRequest), answering with the apiserver's user.Info.
#pragma once

#include <kubesim/api_status.hpp>
#include <kubesim/store.hpp>

#include <sluice/util/clock.hpp>

#include <httplib.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace kubesim {

struct UserInfo {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;
};

// The apiserver's privileged group: always authorized, RBAC is not asked.
bool is_privileged(const UserInfo& user);

// Unpadded base64url: a JWT's segment form, and URL-safe (list continue tokens).
std::string base64url(const std::string& in);
// The identity of a request when authentication is off: an admin.
UserInfo unauthenticated_admin();

struct StaticToken {
  std::string token;
  UserInfo user;
};

// One line of kube-apiserver's --token-auth-file: `token,user,uid,"g1,g2"`
// (apiserver authentication/token/tokenfile). A line holding only a token is
// kubesim's own shorthand for an admin in system:masters, as before RBAC.
Result<StaticToken> parse_token_line(const std::string& line);

// Bearer tokens for ServiceAccounts, as TokenRequest issues them. Opaque:
// they look like a JWT but carry no verifiable signature.
class ServiceAccountTokens {
 public:
  std::string issue(const Json& service_account, sluice::util::WallTime expires);
  // The ServiceAccount's identity while the token is unexpired and the
  // ServiceAccount it was issued for (same uid) still exists.
  std::optional<UserInfo> lookup(const std::string& token, const Store& store,
                                 sluice::util::WallTime now) const;

 private:
  struct Issued {
    std::string ns;
    std::string name;
    std::string uid;
    sluice::util::WallTime expires;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Issued> issued_;
};

class Authenticator {
 public:
  // Fails on a malformed token line.
  static Result<std::vector<StaticToken>> parse_tokens(const std::vector<std::string>& lines);
  Authenticator(std::vector<StaticToken> tokens, bool client_certs, const Store& store,
                const sluice::util::Clock& clock);
  bool enabled() const { return !tokens_.empty() || client_certs_; }
  // The request's identity (system:anonymous without credentials), or 401.
  std::optional<ApiError> authenticate(const httplib::Request& req, UserInfo& user) const;
  ServiceAccountTokens& service_account_tokens() { return service_accounts_; }
  const sluice::util::Clock& clock() const { return clock_; }

 private:
  std::optional<ApiError> from_certificate(const httplib::Request& req, UserInfo& user) const;
  std::vector<StaticToken> tokens_;
  bool client_certs_;
  const Store& store_;
  const sluice::util::Clock& clock_;
  ServiceAccountTokens service_accounts_;
};

}  // namespace kubesim
