#include <sluice/gate/provider.hpp>

#include <sluice/http/client.hpp>
#include <sluice/plan/condition.hpp>
#include <sluice/plan/model.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <deque>

using namespace sluice;
using gate::Phase;

namespace {

// Answers requests from a queue and keeps what it was sent.
class QueueClient final : public http::Client {
 public:
  util::Result<http::Response> send(const http::Request& request, const util::CancelToken*) override {
    sent.push_back(request);
    if (answers.empty()) return util::make_error(util::ErrorKind::internal, "no scripted answer");
    auto answer = answers.front();
    answers.pop_front();
    return answer;
  }
  util::Result<http::Response> stream(const http::Request&, const http::LineHandler&,
                                      const util::CancelToken*) override {
    return util::make_error(util::ErrorKind::internal, "not streamed");
  }

  std::deque<util::Result<http::Response>> answers;
  std::vector<http::Request> sent;
};

http::Response answer(int status, std::string body) {
  return http::Response{status, {}, std::move(body)};
}

std::string vector_of(const std::string& value) {
  return R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,")" + value +
         R"("]}]}})";
}

plan::Condition condition(const std::string& text) {
  auto parsed = plan::parse_condition(text);
  REQUIRE_FALSE(parsed.error.has_value());
  return plan::Condition{text, parsed.expr};
}

plan::Check prometheus_check(const std::string& success, const std::string& failure = "") {
  plan::Check check;
  check.name = "errors";
  check.source = plan::PrometheusSource{"http://prom:9090", "sum(rate(x{hash=\"{{canary_hash}}\"}[1m]))"};
  check.success_condition = condition(success);
  if (!failure.empty()) check.failure_condition = condition(failure);
  return check;
}

gate::CheckContext context() {
  gate::CheckContext c;
  c.rollout = "web";
  c.ns = "shop";
  c.service = "web";
  c.canary_hash = "c4n4ry";
  c.stable_hash = "st4bl3";
  c.step = 2;
  c.weight = 10;
  c.strategy = "canary";
  return c;
}

}  // namespace

TEST_CASE("templates are expanded from the check context") {
  auto vars = context().variables();
  CHECK(*gate::expand_template("a{{namespace}}b{{ canary_hash }}c{{stable_hash}}{{name}}", vars) ==
        "ashopbc4n4rycst4bl3web");
  CHECK(gate::expand_template("{{nope}}", vars).error().message == "unknown template variable '{{nope}}'");
  CHECK(gate::expand_template("x{{namespace", vars).error().message == "unclosed '{{' at offset 1");
  CHECK(context().baseline_variables().at("hash") == "st4bl3");
}

TEST_CASE("a prometheus check judges the query's value") {
  util::ManualClock clock;
  QueueClient client;
  auto provider = gate::make_provider(prometheus_check("result < 0.05", "result >= 0.1"), client, clock);
  struct Row {
    std::string body;
    Phase expected;
  };
  std::vector<Row> rows{{vector_of("0.01"), Phase::successful},
                        {vector_of("0.5"), Phase::failed},
                        {vector_of("0.07"), Phase::inconclusive},
                        {vector_of("NaN"), Phase::error},
                        {R"({"status":"success","data":{"resultType":"vector","result":[]}})", Phase::error}};
  for (const auto& row : rows) {
    INFO(row.body);
    client.answers.push_back(answer(200, row.body));
    CHECK(provider->measure(context(), nullptr).phase == row.expected);
  }
  CHECK(client.sent.back().url ==
        "http://prom:9090/api/v1/query?query=sum%28rate%28x%7Bhash%3D%22c4n4ry%22%7D%5B1m%5D%29%29");
}

TEST_CASE("a prometheus check that cannot read its data source is an Error") {
  util::ManualClock clock;
  QueueClient client;
  auto provider = gate::make_provider(prometheus_check("result < 0.05"), client, clock);
  SECTION("unreachable") {
    client.answers.push_back(util::make_error(util::ErrorKind::unavailable, "connection refused"));
    auto m = provider->measure(context(), nullptr);
    CHECK(m.phase == Phase::error);
    CHECK(m.message == "querying Prometheus at http://prom:9090: connection refused");
  }
  SECTION("a proxy error page") {
    client.answers.push_back(answer(502, "<html>bad gateway</html>"));
    auto m = provider->measure(context(), nullptr);
    CHECK(m.phase == Phase::error);
    CHECK(m.message == "Prometheus at http://prom:9090: answer is not a Prometheus API response (HTTP 502)");
  }
  SECTION("a sample value Prometheus would never write, such as hex") {
    // 0x0 used to be read as 0 and passed "result < 0.05": a promotion on a value nobody measured.
    client.answers.push_back(answer(200, vector_of("0x0")));
    auto m = provider->measure(context(), nullptr);
    CHECK(m.phase == Phase::error);
    CHECK(m.message ==
          "Prometheus at http://prom:9090: bad sample value '0x0': not a number as Prometheus writes one "
          "(e.g. 0.25, 1e-06, NaN, +Inf)");
  }
  SECTION("several series") {
    client.answers.push_back(answer(200, R"({"status":"success","data":{"resultType":"vector","result":[
        {"metric":{"a":"1"},"value":[1,"1"]},{"metric":{"a":"2"},"value":[1,"2"]}]}})"));
    auto m = provider->measure(context(), nullptr);
    CHECK(m.phase == Phase::error);
    CHECK(m.message == "query returned 2 series, expected one; aggregate it (e.g. sum(...))");
  }
}

TEST_CASE("a baseline query runs with the stable version's variables") {
  util::ManualClock clock;
  QueueClient client;
  plan::Check check = prometheus_check("result <= baseline + 0.01");
  check.baseline = plan::Baseline{"sum(rate(x{hash=\"{{hash}}\"}[1m]))"};
  auto provider = gate::make_provider(check, client, clock);
  client.answers.push_back(answer(200, vector_of("0.03")));
  client.answers.push_back(answer(200, vector_of("0.025")));
  auto m = provider->measure(context(), nullptr);
  CHECK(m.phase == Phase::successful);
  CHECK(m.value == 0.03);
  CHECK(m.baseline == 0.025);
  REQUIRE(client.sent.size() == 2);
  CHECK(client.sent[1].url.find("st4bl3") != std::string::npos);
  SECTION("a failing baseline query is an Error") {
    client.answers.push_back(answer(200, vector_of("0.03")));
    client.answers.push_back(util::make_error(util::ErrorKind::timeout, "timed out"));
    auto e = provider->measure(context(), nullptr);
    CHECK(e.phase == Phase::error);
    CHECK(e.message == "baseline: querying Prometheus at http://prom:9090: timed out");
  }
}

TEST_CASE("an http check compares status and body") {
  util::ManualClock clock;
  QueueClient client;
  plan::Check check;
  check.name = "smoke";
  check.source =
      plan::HttpSource{"GET", "http://app/{{service}}/health", 200, "ok", std::chrono::milliseconds(500), {}};
  auto provider = gate::make_provider(check, client, clock);
  client.answers.push_back(answer(200, "all ok"));
  client.answers.push_back(answer(200, "degraded"));
  client.answers.push_back(answer(503, "ok"));
  client.answers.push_back(util::make_error(util::ErrorKind::timeout, "timed out after 500 ms"));
  CHECK(provider->measure(context(), nullptr).phase == Phase::successful);
  CHECK(provider->measure(context(), nullptr).message ==
        "GET http://app/web/health: body does not contain 'ok'");
  CHECK(provider->measure(context(), nullptr).message ==
        "GET http://app/web/health: status 503, expected 200");
  auto timeout = provider->measure(context(), nullptr);
  CHECK(timeout.phase == Phase::error);
  CHECK(timeout.message == "GET http://app/web/health: timed out after 500 ms");
  CHECK(client.sent[0].timeout == std::chrono::milliseconds(500));
}

TEST_CASE("a webhook check POSTs the rollout and passes on 2xx only") {
  util::ManualClock clock;
  QueueClient client;
  plan::Check check;
  check.name = "approval";
  check.source = plan::WebhookSource{
      "http://hooks/approve", std::chrono::milliseconds(1000), {{{"X-Team", {"shop", {}}}}}};
  auto provider = gate::make_provider(check, client, clock);
  client.answers.push_back(answer(204, ""));
  client.answers.push_back(answer(403, "no"));
  client.answers.push_back(util::make_error(util::ErrorKind::unavailable, "connection refused"));
  CHECK(provider->measure(context(), nullptr).phase == Phase::successful);
  CHECK(provider->measure(context(), nullptr).phase == Phase::failed);
  CHECK(provider->measure(context(), nullptr).phase == Phase::error);
  const auto& sent = client.sent[0];
  CHECK(sent.method == "POST");
  CHECK(sent.replay_safe == false);
  auto body = nlohmann::json::parse(sent.body);
  CHECK(body["check"] == "approval");
  CHECK(body["rollout"] == "web");
  CHECK(body["namespace"] == "shop");
  CHECK(body["step"] == 2);
  CHECK(body["weight"] == 10);
  CHECK(body["canaryHash"] == "c4n4ry");
}

TEST_CASE("NaN and empty results are Errors unless the condition decides them") {
  util::ManualClock clock;
  QueueClient client;
  SECTION("isNaN in the condition decides NaN") {
    auto provider = gate::make_provider(prometheus_check("result < 0.05 || isNaN(result)"), client, clock);
    client.answers.push_back(answer(200, vector_of("NaN")));
    CHECK(provider->measure(context(), nullptr).phase == Phase::successful);
  }
  SECTION("noData() decides an empty result") {
    auto provider = gate::make_provider(prometheus_check("noData() || result < 0.05"), client, clock);
    client.answers.push_back(
        answer(200, R"({"status":"success","data":{"resultType":"vector","result":[]}})"));
    CHECK(provider->measure(context(), nullptr).phase == Phase::successful);
  }
  SECTION("without them the measurement says why it is an Error") {
    auto provider = gate::make_provider(prometheus_check("result < 0.05"), client, clock);
    client.answers.push_back(answer(200, vector_of("NaN")));
    CHECK(provider->measure(context(), nullptr).message ==
          "result NaN: the conditions cannot judge it (no data, NaN or missing baseline)");
  }
}
