#include <sluice/gate/provider.hpp>
#include <sluice/gate/secrets.hpp>

#include <sluice/http/client.hpp>
#include <sluice/plan/model.hpp>
#include <sluice/plan/parser.hpp>
#include <sluice/util/base64.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

using namespace sluice;
using gate::Phase;

namespace {

// Knows one Secret ("probe-creds" in "shop") and refuses every other Secret;
// environment variables and files are read as the real reader reads them.
class FakeReader final : public gate::SecretReader {
 public:
  util::Result<std::string> read(const plan::SecretRef& ref, const std::string& ns) override {
    if (ref.kind != plan::SecretRef::Kind::secret_key) return gate::default_secret_reader().read(ref, ns);
    reads.push_back(ref.name + "@" + ns);
    if (ref.kind == plan::SecretRef::Kind::secret_key && ns == "shop" && ref.name == "probe-creds")
      return std::string("from-secret-" + ref.key);
    return util::make_error(util::ErrorKind::not_found, "no " + ref.name);
  }
  std::vector<std::string> reads;
};

class RecordingClient final : public http::Client {
 public:
  util::Result<http::Response> send(const http::Request& request, const util::CancelToken*) override {
    sent.push_back(request);
    return http::Response{200, {}, body};
  }
  util::Result<http::Response> stream(const http::Request&, const http::LineHandler&,
                                      const util::CancelToken*) override {
    return util::make_error(util::ErrorKind::internal, "not streamed");
  }
  std::string header(std::size_t i, const std::string& name) const {
    for (const auto& [n, v] : sent.at(i).headers)
      if (n == name) return v;
    return "";
  }
  std::string body = "ok";
  std::vector<http::Request> sent;
};

plan::Check check_from(const std::string& source) {
  std::string text =
      "apiVersion: sluice/v1\nkind: Plan\nmetadata: {name: web}\ntarget: {namespace: shop, deployment: web}\n"
      "image: r/web:1\nstrategy:\n  rolling:\n    checks: [probe]\nchecks:\n  probe:\n" +
      source;
  auto parse = plan::parse_plan(text, "web.yaml");
  INFO(text);
  REQUIRE(parse.diagnostics.empty());
  return parse.plan->checks.at("probe");
}

gate::CheckContext in_shop() {
  gate::CheckContext c;
  c.ns = "shop";
  return c;
}

}  // namespace

TEST_CASE("a check sends its credentials resolved from the Secret, the environment or a file") {
  util::ManualClock clock;
  RecordingClient client;
  FakeReader secrets;
  ::setenv("SLUICE_TEST_PROBE_KEY", "from-env", 1);
  std::string file = "/tmp/sluice-test-secret-" + std::to_string(::getpid());
  std::ofstream(file) << "from-file\n";
  auto check = check_from(
      "    http:\n      url: http://probe/health\n"
      "      bearerToken: {valueFrom: {secretKeyRef: {name: probe-creds, key: token}}}\n"
      "      headers:\n        X-Env: {valueFrom: {env: SLUICE_TEST_PROBE_KEY}}\n"
      "        X-File: {valueFrom: {file: " +
      file + "}}\n        X-Plain: plain\n");
  auto provider = gate::make_provider(check, client, clock, &secrets);
  auto m = provider->measure(in_shop(), nullptr);
  std::remove(file.c_str());
  CHECK(m.phase == Phase::successful);
  CHECK(client.header(0, "Authorization") == "Bearer from-secret-token");
  CHECK(client.header(0, "X-Env") == "from-env");
  CHECK(client.header(0, "X-File") == "from-file");
  CHECK(client.header(0, "X-Plain") == "plain");
  CHECK(secrets.reads == std::vector<std::string>{"probe-creds@shop"});
  CHECK(m.message.find("from-") == std::string::npos);
}

TEST_CASE("a Prometheus check sends basic auth from its URL user-info or basicAuth") {
  util::ManualClock clock;
  RecordingClient client;
  client.body = R"({"status":"success","data":{"resultType":"scalar","result":[1,"0.5"]}})";
  FakeReader secrets;
  auto check = check_from(
      "    prometheus: {address: 'http://reader:p%40ss@prom:9090', query: up}\n"
      "    successCondition: result < 1\n");
  auto m = gate::make_provider(check, client, clock, &secrets)->measure(in_shop(), nullptr);
  CHECK(m.phase == Phase::successful);
  CHECK(client.sent.at(0).url == "http://prom:9090/api/v1/query?query=up");
  CHECK(client.header(0, "Authorization") == "Basic " + util::base64_encode("reader:p@ss"));
}

TEST_CASE("a credential that cannot be read is an Error measurement and nothing is sent") {
  util::ManualClock clock;
  RecordingClient client;
  FakeReader secrets;
  auto check = check_from(
      "    webhook:\n      url: http://hooks/x\n"
      "      headers: {X-Key: {valueFrom: {secretKeyRef: {name: missing, key: k}}}}\n");
  auto m = gate::make_provider(check, client, clock, &secrets)->measure(in_shop(), nullptr);
  CHECK(m.phase == Phase::error);
  CHECK(m.message == "credentials: header 'X-Key': no missing");
  CHECK(client.sent.empty());
}

TEST_CASE("a secret the record redacted is never sent: the check errors and says to use valueFrom") {
  util::ManualClock clock;
  RecordingClient client;
  FakeReader secrets;
  const std::string hint =
      " was written inline in the plan and is not kept in the rollout record; give it with valueFrom (env, "
      "file or secretKeyRef) so that promote, abort and rollback can send it";
  SECTION("a header") {
    auto check = check_from("    http: {url: http://p/, headers: {Authorization: \"<redacted>\"}}\n");
    auto m = gate::make_provider(check, client, clock, &secrets)->measure(in_shop(), nullptr);
    CHECK(m.phase == Phase::error);
    CHECK(m.message == "credentials: header 'Authorization'" + hint);
  }
  SECTION("URL user-info") {
    auto check = check_from(
        "    prometheus: {address: 'http://u:<redacted>@prom/', query: up}\n"
        "    successCondition: result < 1\n");
    auto m = gate::make_provider(check, client, clock, &secrets)->measure(in_shop(), nullptr);
    CHECK(m.phase == Phase::error);
    CHECK(m.message == "credentials: the basic-auth password" + hint);
  }
  SECTION("a URL query token") {
    auto check = check_from("    http: {url: 'http://p/?token=<redacted>'}\n");
    auto m = gate::make_provider(check, client, clock, &secrets)->measure(in_shop(), nullptr);
    CHECK(m.phase == Phase::error);
    CHECK(m.message == "credentials: a credential in the URL's query" + hint);
  }
  CHECK(client.sent.empty());
}

TEST_CASE("without a Kubernetes client a secretKeyRef cannot be read") {
  plan::SecretValue value{"", plan::SecretRef{plan::SecretRef::Kind::secret_key, "creds", "k"}};
  auto got = gate::resolve_secret(value, "the bearer token", "shop", gate::default_secret_reader());
  REQUIRE_FALSE(got);
  CHECK(got.error().message == "the bearer token: no Kubernetes client to read Secret creds");
}
