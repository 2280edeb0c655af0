// Authentication as kube-apiserver does it for the credentials kubesim
// accepts; every authenticated identity also gets system:authenticated
// (apiserver authentication/group.AuthenticatedGroupAdder).
#include <kubesim/identity.hpp>
#include <kubesim/kube_object.hpp>

#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <random>

namespace kubesim {

namespace {

constexpr const char* k_masters = "system:masters";
constexpr const char* k_authenticated = "system:authenticated";

ApiError unauthorized() {
  return {401, "Unauthorized", "Unauthorized", Json::object()};
}

UserInfo with_authenticated(UserInfo user) {
  if (std::find(user.groups.begin(), user.groups.end(), k_authenticated) == user.groups.end())
    user.groups.emplace_back(k_authenticated);
  return user;
}

// A CSV record as Go's encoding/csv reads it: commas outside double quotes
// separate fields, "" inside quotes is a quote.
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"' && quoted && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::string random_bytes(std::size_t count) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string bytes(count, '\0');
  for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
  return bytes;
}

std::vector<std::string> subject_field(X509_NAME* subject, int nid) {
  std::vector<std::string> values;
  for (int i = X509_NAME_get_index_by_NID(subject, nid, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(subject, nid, i)) {
    unsigned char* text = nullptr;
    const int n = ASN1_STRING_to_UTF8(&text, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i)));
    if (n >= 0) values.emplace_back(reinterpret_cast<char*>(text), static_cast<std::size_t>(n));
    OPENSSL_free(text);
  }
  return values;
}

}  // namespace

std::string base64url(const std::string& in) {
  std::string out(in.size() * 2 + 8, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  for (char& c : out) c = c == '+' ? '-' : (c == '/' ? '_' : c);
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

bool is_privileged(const UserInfo& user) {
  return std::find(user.groups.begin(), user.groups.end(), k_masters) != user.groups.end();
}

UserInfo unauthenticated_admin() {
  return {"kubernetes-admin", "", {k_masters, k_authenticated}};
}

Result<StaticToken> parse_token_line(const std::string& line) {
  const auto fields = csv_fields(line);
  if (fields.size() == 1) return StaticToken{line, {"kubesim-admin", "", {k_masters, k_authenticated}}};
  if (fields.size() < 3) {
    return sluice::util::make_error(sluice::util::ErrorKind::invalid,
                                    "token file lines must have at least 3 columns (token, user name, user "
                                    "uid), found " +
                                        std::to_string(fields.size()));
  }
  StaticToken token{fields[0], {fields[1], fields[2], {}}};
  if (fields.size() > 3) {
    for (const auto& group : csv_fields(fields[3])) {
      if (!trimmed(group).empty()) token.user.groups.push_back(trimmed(group));
    }
  }
  token.user = with_authenticated(std::move(token.user));
  return token;
}

std::string ServiceAccountTokens::issue(const Json& service_account, sluice::util::WallTime expires) {
  const Json& meta = service_account["metadata"];
  Issued issued{meta.value("namespace", ""), meta.value("name", ""), meta.value("uid", ""), expires};
  const auto exp = std::chrono::duration_cast<std::chrono::seconds>(expires.time_since_epoch()).count();
  const Json claims = {
      {"iss", "kubesim"},
      {"sub", "system:serviceaccount:" + issued.ns + ":" + issued.name},
      {"exp", exp},
      {"kubernetes.io",
       {{"namespace", issued.ns}, {"serviceaccount", {{"name", issued.name}, {"uid", issued.uid}}}}}};
  // Shaped like a JWT so clients that peek at it cope; the "signature" is random.
  const std::string token = base64url(R"({"alg":"none","typ":"JWT"})") + "." + base64url(claims.dump()) +
                            "." + base64url(random_bytes(32));
  std::lock_guard lock(mutex_);
  issued_[token] = std::move(issued);
  return token;
}

std::optional<UserInfo> ServiceAccountTokens::lookup(const std::string& token, const Store& store,
                                                     sluice::util::WallTime now) const {
  Issued issued;
  {
    std::lock_guard lock(mutex_);
    const auto found = issued_.find(token);
    if (found == issued_.end()) return std::nullopt;
    issued = found->second;
  }
  if (now >= issued.expires) return std::nullopt;
  auto account = store.get("serviceaccounts", issued.ns, issued.name);
  if (!account.ok() || (*account)["metadata"].value("uid", "") != issued.uid) return std::nullopt;
  return UserInfo{"system:serviceaccount:" + issued.ns + ":" + issued.name,
                  issued.uid,
                  {"system:serviceaccounts", "system:serviceaccounts:" + issued.ns, k_authenticated}};
}

Result<std::vector<StaticToken>> Authenticator::parse_tokens(const std::vector<std::string>& lines) {
  std::vector<StaticToken> tokens;
  for (const auto& line : lines) {
    auto token = parse_token_line(line);
    if (!token.ok()) return token.error();
    if (!token->token.empty()) tokens.push_back(std::move(*token));  // as tokenfile.go: skipped
  }
  return tokens;
}

Authenticator::Authenticator(std::vector<StaticToken> tokens, bool client_certs, const Store& store,
                             const sluice::util::Clock& clock)
    : tokens_(std::move(tokens)), client_certs_(client_certs), store_(store), clock_(clock) {}

std::optional<ApiError> Authenticator::authenticate(const httplib::Request& req, UserInfo& user) const {
  user = {"system:anonymous", "", {"system:unauthenticated"}};
  const std::string auth = req.get_header_value("Authorization");
  if (auth.rfind("Bearer ", 0) == 0) {
    const std::string token = auth.substr(7);
    const auto known =
        std::find_if(tokens_.begin(), tokens_.end(), [&](const StaticToken& t) { return t.token == token; });
    if (known != tokens_.end()) {
      user = known->user;
      return std::nullopt;
    }
    auto account = service_accounts_.lookup(token, store_, clock_.wall_now());
    if (!account) return unauthorized();
    user = std::move(*account);
    return std::nullopt;
  }
  return from_certificate(req, user);
}

// The x509 authenticator: CN is the user name, each O a group.
std::optional<ApiError> Authenticator::from_certificate(const httplib::Request& req, UserInfo& user) const {
  if (req.ssl == nullptr || !client_certs_) return std::nullopt;
  X509* peer = SSL_get1_peer_certificate(req.ssl);
  if (peer == nullptr) return std::nullopt;
  const auto names = subject_field(X509_get_subject_name(peer), NID_commonName);
  const auto groups = subject_field(X509_get_subject_name(peer), NID_organizationName);
  X509_free(peer);
  if (SSL_get_verify_result(req.ssl) != X509_V_OK) return unauthorized();
  user = with_authenticated({names.empty() ? "" : names.front(), "", groups});
  return std::nullopt;
}

}  // namespace kubesim
