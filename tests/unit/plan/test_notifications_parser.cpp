#include <sluice/plan/notifications.hpp>
#include <sluice/plan/parser.hpp>
#include <sluice/plan/user_config.hpp>

#include <catch2/catch.hpp>

#include "plan_test_util.hpp"

using namespace sluice::plan;
using plan_test::errors_of;
using plan_test::k_valid_plan;

namespace {

// k_valid_plan (14 lines), `notifications:` (line 15), `receivers:` (16), then `section` from line 17.
std::string with_notifications(const std::string& section) {
  return k_valid_plan + "notifications:\n  receivers:\n" + section;
}

Notifications parsed(const std::string& section) {
  auto parse = parse_plan(with_notifications(section), "web.yaml");
  INFO(with_notifications(section));
  for (const auto& d : parse.diagnostics) UNSCOPED_INFO(d.to_string());
  REQUIRE(parse.ok());
  return plan_notifications(with_notifications(section), "web.yaml");
}

std::vector<std::string> config_errors(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& d : parse_user_config(text, "config.yaml").diagnostics) out.push_back(d.to_string());
  return out;
}

}  // namespace

TEST_CASE("a plan's receivers are read with their kind, secrets as references and their events",
          "[notify-config]") {
  auto n = parsed(
      "    - name: chat\n"
      "      slack: {url: {valueFrom: {env: SLACK_URL}}}\n"
      "      on: [started, rolledBack]\n"
      "    - name: oncall\n"
      "      pagerduty: {routingKey: {valueFrom: {file: /run/secrets/pd}}}\n"
      "    - name: ci\n"
      "      webhook:\n"
      "        url: https://hooks.example.com/sluice\n"
      "        secret: {valueFrom: {env: HOOK_KEY}}\n"
      "        headers: {X-Team: payments, Authorization: {valueFrom: {env: HOOK_AUTH}}}\n"
      "    - name: alerts\n"
      "      alertmanager: {url: 'http://127.0.0.1:9093'}\n");
  REQUIRE(n.receivers.size() == 4);
  const auto& chat = n.receivers[0];
  CHECK(chat.kind == Receiver::Kind::slack);
  CHECK(chat.url.from->kind == SecretRef::Kind::env);
  CHECK(chat.url.from->name == "SLACK_URL");
  CHECK(chat.on == std::set<NotifyOn>{NotifyOn::started, NotifyOn::rolled_back});
  CHECK(chat.pos.line == 17);
  const auto& oncall = n.receivers[1];
  CHECK(oncall.kind == Receiver::Kind::pagerduty);
  CHECK(oncall.key->kind == SecretRef::Kind::file);
  CHECK(oncall.key->name == "/run/secrets/pd");
  CHECK(oncall.url.literal == "https://events.pagerduty.com/v2/enqueue");
  CHECK(oncall.on == default_notify_on(Receiver::Kind::pagerduty));
  const auto& ci = n.receivers[2];
  CHECK(ci.kind == Receiver::Kind::webhook);
  CHECK(ci.url.literal == "https://hooks.example.com/sluice");
  CHECK(ci.key->name == "HOOK_KEY");
  CHECK(ci.headers.at("X-Team").literal == "payments");
  CHECK(ci.headers.at("Authorization").from->name == "HOOK_AUTH");
  CHECK(ci.on.size() == all_notify_on().size());
  CHECK(n.receivers[3].kind == Receiver::Kind::alertmanager);
  CHECK(n.receivers[3].url.literal == "http://127.0.0.1:9093");
}

TEST_CASE("a secret written inline in a receiver is refused without echoing it", "[notify-config]") {
  SECTION("the Slack webhook URL") {
    CHECK(errors_of(
              with_notifications("    - name: chat\n"
                                 "      slack: {url: 'https://hooks.slack.com/services/T0/B0/planted'}\n")) ==
          std::vector<std::string>{
              "plan.yaml:18:20: notifications.receivers[0].slack.url: is a secret: inline text is refused; "
              "write {valueFrom: {env: NAME}} or {valueFrom: {file: PATH}}"});
  }
  SECTION("a PagerDuty routing key") {
    CHECK(errors_of(with_notifications("    - name: oncall\n"
                                       "      pagerduty: {routingKey: planted}\n")) ==
          std::vector<std::string>{
              "plan.yaml:18:31: notifications.receivers[0].pagerduty.routingKey: is a secret: inline text is "
              "refused; write {valueFrom: {env: NAME}} or {valueFrom: {file: PATH}}"});
  }
  SECTION("a webhook signing key, a credential header and a URL with a token") {
    CHECK(errors_of(with_notifications("    - name: ci\n"
                                       "      webhook:\n"
                                       "        url: 'https://hooks.example.com/x?token=planted'\n"
                                       "        secret: planted\n"
                                       "        headers: {Authorization: Bearer planted}\n")) ==
          std::vector<std::string>{
              "plan.yaml:19:14: notifications.receivers[0].webhook.url: "
              "'https://hooks.example.com/x?token=***' "
              "holds a credential: inline text is refused; write {valueFrom: {env: NAME}} or {valueFrom: "
              "{file: PATH}}",
              "plan.yaml:20:17: notifications.receivers[0].webhook.secret: is a secret: inline text is "
              "refused; "
              "write {valueFrom: {env: NAME}} or {valueFrom: {file: PATH}}",
              "plan.yaml:21:34: notifications.receivers[0].webhook.headers.Authorization: is a credential: "
              "inline text is refused; write {valueFrom: {env: NAME}} or {valueFrom: {file: PATH}}"});
  }
}

TEST_CASE("a receiver's secrets may come from a Kubernetes Secret", "[notify-config]") {
  auto n = parsed(
      "    - name: ci\n"
      "      webhook:\n"
      "        url: {valueFrom: {secretKeyRef: {name: hooks, key: url}}}\n"
      "        secret: {valueFrom: {secretKeyRef: {name: hooks, key: signing}}}\n"
      "        headers: {Authorization: {valueFrom: {secretKeyRef: {name: hooks, key: auth}}}}\n");
  REQUIRE(n.receivers.size() == 1);
  const auto& ci = n.receivers[0];
  REQUIRE(ci.url.from);
  CHECK(ci.url.from->kind == SecretRef::Kind::secret_key);
  CHECK(ci.url.from->name == "hooks");
  CHECK(ci.url.from->key == "url");
  REQUIRE(ci.key);
  CHECK(ci.key->kind == SecretRef::Kind::secret_key);
  CHECK(ci.key->key == "signing");
  CHECK(ci.headers.at("Authorization").from->key == "auth");
}

TEST_CASE("receivers are checked: one kind each, a unique name, known events", "[notify-config]") {
  SECTION("no kind") {
    CHECK(errors_of(with_notifications("    - name: chat\n")) ==
          std::vector<std::string>{"plan.yaml:17:7: notifications.receivers[0]: needs exactly one of slack, "
                                   "pagerduty, webhook or alertmanager"});
  }
  SECTION("a misspelt event") {
    CHECK(errors_of(with_notifications("    - name: chat\n"
                                       "      alertmanager: {url: 'http://am:9093'}\n"
                                       "      on: [rolledback]\n")) ==
          std::vector<std::string>{"plan.yaml:19:12: notifications.receivers[0].on[0]: unknown event "
                                   "'rolledback' (did you mean 'rolledBack'?)"});
  }
  SECTION("a name given twice") {
    CHECK(errors_of(with_notifications("    - {name: am, alertmanager: {url: 'http://am:9093'}}\n"
                                       "    - {name: am, alertmanager: {url: 'http://am2:9093'}}\n")) ==
          std::vector<std::string>{
              "plan.yaml:18:7: notifications.receivers[1].name: receiver 'am' is named twice"});
  }
}

TEST_CASE("the config file holds receivers with the plan's rules", "[notify-config]") {
  SECTION("a valid file") {
    auto parse = parse_user_config(
        "notifications:\n  receivers:\n"
        "    - {name: am, alertmanager: {url: 'http://am:9093'}, on: [succeeded]}\n",
        "config.yaml");
    REQUIRE(parse.config);
    REQUIRE(parse.config->notifications.receivers.size() == 1);
    CHECK(parse.config->notifications.receivers[0].on == std::set<NotifyOn>{NotifyOn::succeeded});
  }
  SECTION("an unknown section and an inline secret") {
    CHECK(config_errors("notification: {}\n") ==
          std::vector<std::string>{
              "config.yaml:1:1: notification: unknown field (did you mean 'notifications'?)"});
    CHECK(
        config_errors("notifications:\n  receivers:\n    - {name: pd, pagerduty: {routingKey: planted}}\n") ==
        std::vector<std::string>{
            "config.yaml:3:42: notifications.receivers[0].pagerduty.routingKey: is a secret: inline text is "
            "refused; write {valueFrom: {env: NAME}} or {valueFrom: {file: PATH}}"});
  }
  SECTION("where the file is looked for") {
    CHECK(default_user_config_path("/x", "/home/u") == "/x/sluice/config.yaml");
    CHECK(default_user_config_path("", "/home/u") == "/home/u/.config/sluice/config.yaml");
    CHECK(default_user_config_path(nullptr, nullptr).empty());
  }
}

TEST_CASE("a plan receiver replaces the config file's receiver of the same name", "[notify-config]") {
  Receiver a{"a", Receiver::Kind::webhook, {"http://config/a", std::nullopt}, std::nullopt, {}, {}, {}};
  Receiver b{"b", Receiver::Kind::webhook, {"http://config/b", std::nullopt}, std::nullopt, {}, {}, {}};
  Receiver a2{"a", Receiver::Kind::webhook, {"http://plan/a", std::nullopt}, std::nullopt, {}, {}, {}};
  auto merged = merge_notifications(Notifications{{a, b}}, Notifications{{a2}});
  REQUIRE(merged.receivers.size() == 2);
  CHECK(merged.receivers[0].url.literal == "http://config/b");
  CHECK(merged.receivers[1].url.literal == "http://plan/a");
}
