#include <catch2/catch.hpp>

#include <sluice/http/client.hpp>

using sluice::http::redact_header;
using sluice::http::redact_url;

TEST_CASE("redact_url hides the password in userinfo") {
  CHECK(redact_url("https://user:s3cret@host/") == "https://user:***@host/");
  CHECK(redact_url("https://user:p@ss@host:8443/v2/") == "https://user:***@host:8443/v2/");
  SECTION("a lone user name may be a token, so it goes too") {
    CHECK(redact_url("https://ghp_abcdef@host/x") == "https://***@host/x");
  }
}

TEST_CASE("redact_url hides token query parameters") {
  CHECK(redact_url("https://h/p?access_token=abc&x=1") == "https://h/p?access_token=***&x=1");
  CHECK(redact_url("https://h/p?x=1&TOKEN=abc#frag") == "https://h/p?x=1&TOKEN=***#frag");
  // Any name containing "token" goes: "tokens" or "refresh_token" hold tokens too.
  CHECK(redact_url("http://h/?password=a&client_secret=b&tokens=c&x=d") ==
        "http://h/?password=***&client_secret=***&tokens=***&x=d");
}

TEST_CASE("redact_url leaves URLs without credentials alone") {
  CHECK(redact_url("https://h:6443/api/v1/pods?watch=true&resourceVersion=10") ==
        "https://h:6443/api/v1/pods?watch=true&resourceVersion=10");
  CHECK(redact_url("https://h/a@b") == "https://h/a@b");
  CHECK(redact_url("not a url") == "not a url");
  CHECK(redact_url("") == "");
}

TEST_CASE("redact_header keeps the scheme and hides the credential") {
  CHECK(redact_header("Authorization", "Bearer eyJhbGciOi") == "Authorization: Bearer ***");
  CHECK(redact_header("authorization", "Basic dXNlcjpwYXNz") == "authorization: Basic ***");
  CHECK(redact_header("Proxy-Authorization", "opaque") == "Proxy-Authorization: ***");
  CHECK(redact_header("Cookie", "session=abc") == "Cookie: ***");
  CHECK(redact_header("Set-Cookie", "session=abc") == "Set-Cookie: ***");
  CHECK(redact_header("Accept", "application/json") == "Accept: application/json");
}

TEST_CASE("redact_url hides every usual credential query parameter") {
  for (const char* name : {"token", "access_token", "api_key", "apikey", "key", "secret", "password",
                           "passwd", "sig", "signature", "X-Amz-Signature", "auth", "client_secret",
                           "refresh_token", "x-amz-security-token", "my_api_secret"}) {
    std::string url = std::string("https://h/p?a=1&") + name + "=planted&b=2";
    CHECK(redact_url(url) == std::string("https://h/p?a=1&") + name + "=***&b=2");
  }
  SECTION("names that only look alike are kept") {
    CHECK(redact_url("https://h/p?author=bob&keyboard=us&query=up") ==
          "https://h/p?author=bob&keyboard=us&query=up");
  }
}

TEST_CASE("redact_url can mark what it hid with another marker") {
  CHECK(redact_url("http://u:pw@h/?token=t", "<redacted>") == "http://u:<redacted>@h/?token=<redacted>");
}

TEST_CASE("redact_header hides any header named like a credential") {
  CHECK(redact_header("X-Api-Key", "planted") == "X-Api-Key: ***");
  CHECK(redact_header("X-Auth-Token", "planted") == "X-Auth-Token: ***");
  CHECK(redact_header("X-Vault-Token", "planted") == "X-Vault-Token: ***");
  CHECK(redact_header("X-Client-Secret", "planted") == "X-Client-Secret: ***");
  CHECK(redact_header("Private-Key-Id", "planted") == "Private-Key-Id: ***");
  CHECK(redact_header("X-Custom-Auth", "planted") == "X-Custom-Auth: ***");
  SECTION("a server's authentication challenge is no credential and helps debugging") {
    CHECK(redact_header("WWW-Authenticate", "Bearer realm=\"r\"") == "WWW-Authenticate: Bearer realm=\"r\"");
  }
}

TEST_CASE("is_secret_header and is_secret_query_param name credentials") {
  using sluice::http::is_secret_header;
  using sluice::http::is_secret_query_param;
  CHECK(is_secret_header("authorization"));
  CHECK(is_secret_header("Cookie"));
  CHECK_FALSE(is_secret_header("X-Probe"));
  CHECK(is_secret_query_param("api_key"));
  CHECK_FALSE(is_secret_query_param("query"));
}
