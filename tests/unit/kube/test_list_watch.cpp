#include <sluice/kube/selector.hpp>
#include <sluice/kube/watch.hpp>

#include <catch2/catch.hpp>

#include <deque>

using namespace sluice::kube;
using sluice::util::ErrorKind;
using sluice::util::ManualClock;

namespace {

std::string query_value(const ApiRequest& r, const std::string& key) {
  for (const auto& [k, v] : r.query) {
    if (k == key) return v;
  }
  return "";
}

// A kube::Client whose lists and watch streams are scripted; when the script
// runs out it cancels the loop under test.
class ScriptedKube final : public Client {
 public:
  struct Stream {
    std::vector<std::string> lines;
    std::optional<sluice::util::Error> error;  // after the lines
  };
  std::deque<Json> lists;
  std::deque<Stream> streams;
  std::vector<std::string> watched_from;  // "state" for a watch that begins with the state
  int lists_made = 0;
  sluice::util::CancelToken* stop = nullptr;

  Result<Json> request(const ApiRequest&, const CancelToken*) override {
    ++lists_made;
    if (lists.empty()) return sluice::util::make_error(ErrorKind::internal, "no list scripted");
    Json list = lists.front();
    lists.pop_front();
    return list;
  }
  sluice::util::Status watch_stream(const ApiRequest& r,
                                    const std::function<bool(const WatchEvent&)>& on_event,
                                    const CancelToken*) override {
    bool with_state = query_value(r, "sendInitialEvents") == "true" &&
                      query_value(r, "resourceVersionMatch") == "NotOlderThan" &&
                      query_value(r, "allowWatchBookmarks") == "true";
    watched_from.push_back(with_state ? "state" : query_value(r, "resourceVersion"));
    if (streams.empty()) {
      stop->cancel();
      return sluice::util::make_error(ErrorKind::cancelled, "script done");
    }
    Stream s = streams.front();
    streams.pop_front();
    for (const auto& line : s.lines) {
      Json e = Json::parse(line);
      if (!on_event({e["type"], e["object"]})) break;
    }
    if (s.error) return *s.error;
    return {};
  }
  std::uint64_t requests_made() const override { return 0; }
};

Json pod(const std::string& name, const std::string& rv) {
  return {{"metadata", {{"name", name}, {"namespace", "ns"}, {"resourceVersion", rv}}}};
}

std::string event(const std::string& type, const Json& object) {
  return Json{{"type", type}, {"object", object}}.dump();
}

std::string initial_events_end(const std::string& rv) {
  return event(
      "BOOKMARK",
      {{"metadata", {{"resourceVersion", rv}, {"annotations", {{"k8s.io/initial-events-end", "true"}}}}}});
}

// What the loop hands its handlers, one line each.
struct Seen {
  std::vector<std::string> lines;
  ListWatchHandlers handlers() {
    ListWatchHandlers h;
    h.on_sync = [this](const std::vector<Json>& items, const std::string& rv) {
      lines.push_back("sync@" + rv + ":" + std::to_string(items.size()));
    };
    h.on_event = [this](const WatchEvent& e) {
      lines.push_back(e.type + " " + e.object["metadata"]["name"].get<std::string>());
    };
    return h;
  }
};

ListWatchOptions with_watch_list() {
  ListWatchOptions o;
  o.watch_list = std::make_shared<std::atomic<bool>>(true);
  return o;
}

}  // namespace

TEST_CASE("list-watch resumes from the last RV, bookmarks included, and re-lists on 410", "[kube][watch]") {
  ScriptedKube kube;
  ManualClock clock;
  sluice::util::CancelToken cancel;
  kube.stop = &cancel;
  kube.lists.push_back({{"metadata", {{"resourceVersion", "10"}}}, {"items", {pod("a", "3")}}});
  kube.streams.push_back({{event("ADDED", pod("b", "11"))}, std::nullopt});  // server closed the stream
  kube.streams.push_back({{event("BOOKMARK", {{"metadata", {{"resourceVersion", "15"}}}})},
                          sluice::util::make_error(ErrorKind::unavailable, "connection reset")});
  kube.streams.push_back(
      {{event("MODIFIED", pod("b", "16")),
        event("ERROR", {{"kind", "Status"}, {"code", 410}, {"reason", "Expired"}, {"message", "too old"}})},
       std::nullopt});
  kube.lists.push_back(
      {{"metadata", {{"resourceVersion", "30"}}}, {"items", {pod("b", "16"), pod("c", "29")}}});

  std::vector<std::string> seen;
  ListWatchHandlers handlers;
  handlers.on_sync = [&](const std::vector<Json>& items, const std::string& rv) {
    seen.push_back("sync@" + rv + ":" + std::to_string(items.size()));
  };
  handlers.on_event = [&](const WatchEvent& e) {
    seen.push_back(e.type + " " + e.object["metadata"]["name"].get<std::string>());
  };
  handlers.on_error = [&](const sluice::util::Error& e) {
    seen.push_back(std::string("error ") + to_string(e.kind));
  };

  auto status = run_list_watch(kube, k_pods, "ns", {}, handlers, clock, cancel);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().kind == ErrorKind::cancelled);
  CHECK(kube.watched_from == std::vector<std::string>{"10", "11", "15", "30"});
  CHECK(seen ==
        std::vector<std::string>{"sync@10:1", "ADDED b", "error unavailable", "MODIFIED b", "sync@30:2"});
}

TEST_CASE("list-watch stops on errors a retry cannot fix", "[kube][watch]") {
  ScriptedKube kube;
  ManualClock clock;
  sluice::util::CancelToken cancel;
  kube.stop = &cancel;
  kube.lists.push_back({{"metadata", {{"resourceVersion", "1"}}}, {"items", Json::array()}});
  kube.streams.push_back({{}, sluice::util::make_error(ErrorKind::forbidden, "pods is forbidden")});
  auto status = run_list_watch(kube, k_pods, "ns", {}, {}, clock, cancel);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().kind == ErrorKind::forbidden);
  CHECK(status.error().message == "pods is forbidden");
}

TEST_CASE("ERROR events other than 410 are surfaced and the watch resumes", "[kube][watch]") {
  ScriptedKube kube;
  ManualClock clock;
  sluice::util::CancelToken cancel;
  kube.stop = &cancel;
  kube.lists.push_back({{"metadata", {{"resourceVersion", "5"}}}, {"items", Json::array()}});
  kube.streams.push_back(
      {{event("ERROR",
              {{"kind", "Status"}, {"code", 500}, {"reason", "InternalError"}, {"message", "oops"}})},
       std::nullopt});
  std::vector<std::string> errors;
  ListWatchHandlers handlers;
  handlers.on_error = [&](const sluice::util::Error& e) { errors.push_back(e.message); };
  (void)run_list_watch(kube, k_pods, "ns", {}, handlers, clock, cancel);
  CHECK(errors == std::vector<std::string>{"oops"});
  CHECK(kube.watched_from == std::vector<std::string>{"5", "5"});
}

TEST_CASE("label selectors match like the API server's", "[kube][watch]") {
  Json labels = {{"app", "web"}, {"track", "canary"}, {"tier", "front"}};
  struct Row {
    const char* selector;
    bool match;
  };
  const Row rows[] = {
      {"", true},
      {"app=web", true},
      {"app==web", true},
      {"app=api", false},
      {"app!=api", true},
      {"app=web,track=stable", false},
      {"track in (canary, stable)", true},
      {"track notin (canary)", false},
      {"app", true},
      {"!app", false},
      {"!owner", true},
      {"owner!=x", true},
      {"app=web, track in (canary),tier", true},
  };
  for (const auto& row : rows) {
    INFO(row.selector);
    CHECK(labels_match(labels, row.selector) == row.match);
  }
}

// Issue 15: the state comes as the watch's first events (sendInitialEvents,
// the WatchList feature), closed by a bookmark annotated
// k8s.io/initial-events-end: no list, and a stream that ends resumes from
// the last version seen like any watch.
TEST_CASE("list-watch takes the state from a watch that begins with it, without listing",
          "[kube][watch][watchlist]") {
  ScriptedKube kube;
  ManualClock clock;
  sluice::util::CancelToken cancel;
  kube.stop = &cancel;
  kube.streams.push_back({{event("ADDED", pod("a", "3")), event("ADDED", pod("b", "7")),
                           initial_events_end("10"), event("MODIFIED", pod("a", "11"))},
                          std::nullopt});
  Seen seen;
  auto options = with_watch_list();
  (void)run_list_watch(kube, k_pods, "ns", options, seen.handlers(), clock, cancel);
  CHECK(kube.lists_made == 0);
  CHECK(kube.watched_from == std::vector<std::string>{"state", "11"});
  CHECK(seen.lines == std::vector<std::string>{"sync@10:2", "MODIFIED a"});
  CHECK(options.watch_list->load());
}

// kube-apiserver 1.27+ with the WatchList gate off answers 422
// ("sendInitialEvents is forbidden for watch unless the WatchList feature
// gate is enabled"; 1.19-1.26: resourceVersionMatch is forbidden for
// watch): list and watch instead, and never ask again in this process.
TEST_CASE("list-watch lists when the server refuses a watch that begins with the state",
          "[kube][watch][watchlist]") {
  ScriptedKube kube;
  ManualClock clock;
  sluice::util::CancelToken cancel;
  kube.stop = &cancel;
  kube.streams.push_back({{}, sluice::util::make_error(ErrorKind::invalid, "sendInitialEvents: Forbidden")});
  kube.lists.push_back({{"metadata", {{"resourceVersion", "20"}}}, {"items", {pod("a", "3")}}});
  kube.streams.push_back({{event("MODIFIED", pod("a", "21"))}, std::nullopt});
  Seen seen;
  auto options = with_watch_list();
  auto status = run_list_watch(kube, k_pods, "ns", options, seen.handlers(), clock, cancel);
  CHECK(status.error().kind == ErrorKind::cancelled);
  CHECK(kube.watched_from == std::vector<std::string>{"state", "20", "21"});
  CHECK(seen.lines == std::vector<std::string>{"sync@20:1", "MODIFIED a"});
  CHECK_FALSE(options.watch_list->load());
}

// A server older than resourceVersionMatch ignores the parameters: a watch
// from "" sends the state as ADDED events but never the closing bookmark.
// The first event that is not ADDED (or a plain bookmark) gives it away;
// nothing from that stream was handed on, so the list after it neither
// repeats an object nor misses the change.
namespace {

// What every way of ignoring the request must lead to: one list, a watch
// from its version, nothing handed on from the first stream, and no
// WatchList asked for again. Called inside each section, so each section
// asserts on its own stream.
void check_lists_after_ignored_state(ScriptedKube& kube, ManualClock& clock,
                                     sluice::util::CancelToken& cancel) {
  kube.lists.push_back({{"metadata", {{"resourceVersion", "20"}}}, {"items", {pod("a", "19")}}});
  Seen seen;
  auto options = with_watch_list();
  (void)run_list_watch(kube, k_pods, "ns", options, seen.handlers(), clock, cancel);
  CHECK(kube.watched_from == std::vector<std::string>{"state", "20"});
  CHECK(seen.lines == std::vector<std::string>{"sync@20:1"});
  CHECK_FALSE(options.watch_list->load());
}

}  // namespace

TEST_CASE("list-watch lists when the server ignored the request for the state", "[kube][watch][watchlist]") {
  ScriptedKube kube;
  ManualClock clock;
  sluice::util::CancelToken cancel;
  kube.stop = &cancel;
  SECTION("a change before any initial-events-end bookmark") {
    kube.streams.push_back(
        {{event("ADDED", pod("a", "3")), event("MODIFIED", pod("a", "19"))}, std::nullopt});
    check_lists_after_ignored_state(kube, clock, cancel);
  }
  SECTION("a bookmark without the annotation") {
    kube.streams.push_back(
        {{event("ADDED", pod("a", "3")), event("BOOKMARK", {{"metadata", {{"resourceVersion", "19"}}}})},
         std::nullopt});
    check_lists_after_ignored_state(kube, clock, cancel);
  }
  SECTION("the stream ends before the bookmark") {
    kube.streams.push_back({{event("ADDED", pod("a", "3"))}, std::nullopt});
    check_lists_after_ignored_state(kube, clock, cancel);
  }
}

// An ERROR event is the server's answer to a request it understood: the
// watch is asked for again, still with the state, after a pause.
TEST_CASE("list-watch asks again for the state after an ERROR event", "[kube][watch][watchlist]") {
  ScriptedKube kube;
  ManualClock clock;
  sluice::util::CancelToken cancel;
  kube.stop = &cancel;
  kube.streams.push_back(
      {{event("ADDED", pod("a", "3")),
        event("ERROR",
              {{"kind", "Status"}, {"code", 500}, {"reason", "InternalError"}, {"message", "oops"}})},
       std::nullopt});
  kube.streams.push_back({{event("ADDED", pod("a", "3")), initial_events_end("10")}, std::nullopt});
  Seen seen;
  auto options = with_watch_list();
  (void)run_list_watch(kube, k_pods, "ns", options, seen.handlers(), clock, cancel);
  CHECK(kube.lists_made == 0);
  CHECK(kube.watched_from == std::vector<std::string>{"state", "state", "10"});
  CHECK(seen.lines == std::vector<std::string>{"sync@10:1"});
  CHECK(options.watch_list->load());
}
