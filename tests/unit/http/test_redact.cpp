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
  CHECK(redact_url("http://h/?password=a&client_secret=b&tokens=c") ==
        "http://h/?password=***&client_secret=***&tokens=c");
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
