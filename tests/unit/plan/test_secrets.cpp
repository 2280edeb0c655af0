#include <sluice/plan/parser.hpp>
#include <sluice/plan/secrets.hpp>

#include <catch2/catch.hpp>

#include "plan_test_util.hpp"

using namespace sluice::plan;
using plan_test::errors_of;
using plan_test::k_valid_plan;
using plan_test::replace;

namespace {

const std::string k_prometheus = "    prometheus: {address: http://prom:9090, query: up}\n";

// k_valid_plan with its check's source replaced by `source` (indented 4).
std::string with_source(const std::string& source) {
  return replace(
      replace(k_valid_plan, k_prometheus, source), "    successCondition: result < 0.01\n",
      source.find("prometheus") != std::string::npos ? "    successCondition: result < 0.01\n" : "");
}

Plan parsed(const std::string& text) {
  auto parse = parse_plan(text, "web.yaml");
  INFO(text);
  REQUIRE(parse.diagnostics.empty());
  return *parse.plan;
}

const Credentials& credentials_of(const Plan& plan) {
  const auto& source = plan.checks.at("errors").source;
  if (const auto* http = std::get_if<HttpSource>(&source)) return http->credentials;
  if (const auto* hook = std::get_if<WebhookSource>(&source)) return hook->credentials;
  return std::get<PrometheusSource>(source).credentials;
}

const std::string k_everything =
    "    http:\n"
    "      url: 'https://probe.example.com/health?token=planted-query&x=1'\n"
    "      # the header below is a credential\n"
    "      headers:\n"
    "        Authorization: Bearer planted-header\n"
    "        X-Api-Key: \"planted-key\"\n"
    "        X-Probe: sluice\n"
    "        X-Other: 'Basic planted-basic'\n"
    "        X-From-Env: {valueFrom: {env: PROBE_KEY}}\n";

}  // namespace

TEST_CASE("a secret is a string or a valueFrom reference to env, a file or a Secret key") {
  Plan plan = parsed(
      with_source("    http:\n      url: http://probe/health\n      headers:\n        A: literal\n"
                  "        B: {valueFrom: {env: PROBE_B}}\n        C: {valueFrom: {file: /run/secrets/c}}\n"
                  "        D: {valueFrom: {secretKeyRef: {name: probe-creds, key: d}}}\n"));
  const auto& headers = credentials_of(plan).headers;
  CHECK(headers.at("A").literal == "literal");
  CHECK_FALSE(headers.at("A").from);
  CHECK(headers.at("B").from->kind == SecretRef::Kind::env);
  CHECK(headers.at("B").from->name == "PROBE_B");
  CHECK(headers.at("C").from->kind == SecretRef::Kind::file);
  CHECK(headers.at("C").from->name == "/run/secrets/c");
  CHECK(headers.at("D").from->kind == SecretRef::Kind::secret_key);
  CHECK(headers.at("D").from->name == "probe-creds");
  CHECK(headers.at("D").from->key == "d");
}

TEST_CASE("basicAuth and bearerToken take secrets on every check source") {
  SECTION("prometheus") {
    Plan plan =
        parsed(with_source("    prometheus:\n      address: http://prom:9090\n      query: up\n"
                           "      basicAuth: {username: reader, password: {valueFrom: {env: PROM_PW}}}\n"));
    REQUIRE(credentials_of(plan).basic_auth);
    CHECK(credentials_of(plan).basic_auth->username == "reader");
    CHECK(credentials_of(plan).basic_auth->password.from->name == "PROM_PW");
  }
  SECTION("webhook") {
    Plan plan =
        parsed(with_source("    webhook:\n      url: http://hooks/judge\n"
                           "      bearerToken: {valueFrom: {file: /tmp/token}}\n"));
    CHECK(credentials_of(plan).bearer_token->from->name == "/tmp/token");
  }
}

TEST_CASE("URL user-info moves to basic auth, so no URL in the plan holds a password") {
  Plan plan =
      parsed(with_source("    prometheus: {address: 'http://reader:p%40ss@prom:9090/', query: up}\n"));
  const auto& prom = std::get<PrometheusSource>(plan.checks.at("errors").source);
  CHECK(prom.address == "http://prom:9090/");
  REQUIRE(prom.credentials.basic_auth);
  CHECK(prom.credentials.basic_auth->username == "reader");
  CHECK(prom.credentials.basic_auth->password.literal == "p@ss");
}

TEST_CASE("bad secrets and conflicting credentials are reported") {
  CHECK(
      errors_of(with_source("    http: {url: http://p/, headers: {A: [x]}}\n")) ==
      std::vector<std::string>{
          "plan.yaml:13:41: checks.errors.http.headers.A: must be a string or {valueFrom: ...}, not a list"});
  CHECK(
      errors_of(with_source("    http: {url: http://p/, headers: {A: {valueFrom: {env: X, file: Y}}}}\n")) ==
      std::vector<std::string>{
          "plan.yaml:13:53: checks.errors.http.headers.A.valueFrom: needs exactly one of env, file or "
          "secretKeyRef"});
  CHECK(
      errors_of(
          with_source("    http: {url: http://p/, bearerToken: {valueFrom: {secretKeyRef: {name: s}}}}\n")) ==
      std::vector<std::string>{"plan.yaml:13:68: checks.errors.http.bearerToken.valueFrom.secretKeyRef.key: "
                               "required field is missing"});
  CHECK(
      errors_of(with_source("    http: {url: 'http://u:p@h/', basicAuth: {username: u, password: p}}\n")) ==
      std::vector<std::string>{
          "plan.yaml:13:45: checks.errors.http.basicAuth: the URL has user-info too; give the credentials in "
          "one place"});
  CHECK(errors_of(
            with_source("    webhook: {url: 'http://h/', bearerToken: t, headers: {authorization: x}}\n")) ==
        std::vector<std::string>{
            "plan.yaml:13:58: checks.errors.webhook.headers: has an Authorization header and basicAuth or "
            "bearerToken; give one"});
}

TEST_CASE("a URL that is not http names it without its password") {
  auto errors = errors_of(with_source("    http: {url: 'ftp://u:planted@h/'}\n"));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].find("planted") == std::string::npos);
  CHECK(errors[0] ==
        "plan.yaml:13:17: checks.errors.http.url: 'ftp://u:***@h/' is not an http:// or https:// URL");
}

TEST_CASE("the recorded plan text has every inline secret redacted, in place") {
  std::string text = with_source(k_everything);
  std::string redacted = redact_plan_text(text);
  CHECK(redacted.find("planted") == std::string::npos);
  SECTION("the layout, comments and other values stay as written") {
    CHECK(redacted.find("      # the header below is a credential\n") != std::string::npos);
    CHECK(redacted.find("        Authorization: \"<redacted>\"\n") != std::string::npos);
    CHECK(redacted.find("        X-Api-Key: \"<redacted>\"\n") != std::string::npos);
    CHECK(redacted.find("        X-Other: \"<redacted>\"\n") != std::string::npos);
    CHECK(redacted.find("        X-Probe: sluice\n") != std::string::npos);
    CHECK(redacted.find("        X-From-Env: {valueFrom: {env: PROBE_KEY}}\n") != std::string::npos);
    CHECK(redacted.find("      url: \"https://probe.example.com/health?token=<redacted>&x=1\"\n") !=
          std::string::npos);
  }
  SECTION("it still parses, and what was redacted is known as such") {
    Plan plan = parsed(redacted);
    const auto& http = std::get<HttpSource>(plan.checks.at("errors").source);
    CHECK(is_redacted(http.credentials.headers.at("Authorization")));
    CHECK_FALSE(is_redacted(http.credentials.headers.at("X-Probe")));
    CHECK(has_redacted_credentials(http.url));
  }
  SECTION("redacting twice changes nothing") {
    CHECK(redact_plan_text(redacted) == redacted);
  }
}

TEST_CASE("URL user-info, basic-auth passwords and bearer tokens are redacted in the record") {
  std::string text =
      replace(replace(k_valid_plan, "    successCondition: result < 0.01\n", ""), k_prometheus,
              "    prometheus:\n      address: http://reader:planted-pw@prom:9090\n      query: up\n"
              "    successCondition: result < 0.01\n"
              "  hook:\n    webhook:\n      url: https://planted-lone-token@hooks/x\n"
              "  other:\n    webhook:\n      url: https://hooks/y\n      bearerToken: planted-bearer\n"
              "  third:\n    webhook:\n      url: https://hooks/z\n"
              "      basicAuth: {username: u, password: planted-basic}\n");
  std::string redacted = redact_plan_text(text);
  CHECK(redacted.find("planted") == std::string::npos);
  Plan plan = parsed(redacted);
  const auto& prom = std::get<PrometheusSource>(plan.checks.at("errors").source);
  CHECK(is_redacted(prom.credentials.basic_auth->password));
  CHECK(std::get<WebhookSource>(plan.checks.at("hook").source).credentials.basic_auth->username ==
        k_redacted);
  CHECK(is_redacted(*std::get<WebhookSource>(plan.checks.at("other").source).credentials.bearer_token));
}

TEST_CASE("a secret the text cannot be edited in place for is redacted by writing the plan out again") {
  std::string text = with_source(
      "    http:\n      url: http://probe/health\n      headers:\n"
      "        Authorization: >-\n          Bearer\n          planted-folded\n");
  std::string redacted = redact_plan_text(text);
  CHECK(redacted.find("planted") == std::string::npos);
  Plan plan = parsed(redacted);
  CHECK(is_redacted(
      std::get<HttpSource>(plan.checks.at("errors").source).credentials.headers.at("Authorization")));
}

TEST_CASE("a plan without inline secrets is recorded byte for byte") {
  CHECK(redact_plan_text(k_valid_plan) == k_valid_plan);
  CHECK(redact_plan_text("") == "");
}

TEST_CASE("validate's warnings name each inline secret, and valueFrom gives none") {
  Plan plan = parsed(with_source(k_everything + "  basic:\n    webhook:\n      url: http://hooks/\n"
                                                "      basicAuth: {username: u, password: inline}\n"
                                                "  fine:\n    webhook:\n      url: http://hooks/\n"
                                                "      bearerToken: {valueFrom: {env: T}}\n"));
  std::vector<std::string> paths;
  for (const auto& w : inline_secret_warnings(plan)) paths.push_back(w.path);
  CHECK(paths == std::vector<std::string>{"checks.basic.webhook.basicAuth", "checks.errors.http.url",
                                          "checks.errors.http.headers.Authorization",
                                          "checks.errors.http.headers.X-Api-Key",
                                          "checks.errors.http.headers.X-Other"});
  CHECK(
      inline_secret_warnings(plan)[2].to_string() ==
      "web.yaml:13:5: checks.errors.http.headers.Authorization: header 'Authorization' is written inline: it "
      "is kept out of the rollout record, so promote, abort and rollback cannot send it; give it with "
      "valueFrom (env, file or secretKeyRef)");
}

TEST_CASE("a Prometheus address is a base URL, without a query that could hold a token") {
  CHECK(errors_of(with_source("    prometheus: {address: 'http://prom/?token=planted', query: up}\n")) ==
        std::vector<std::string>{
            "plan.yaml:13:27: checks.errors.prometheus.address: 'http://prom/?token=***' has a "
            "query or fragment; give the base URL the Prometheus API is under"});
}
