// List-then-watch with resume and re-list: the reflector every wait stands on.
#include <sluice/kube/errors.hpp>
#include <sluice/kube/watch.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

namespace sluice::kube {

using util::ErrorKind;

namespace {

// Errors a retry cannot fix: stop and tell the waiters.
bool fatal(ErrorKind kind) {
  return kind == ErrorKind::unauthorized || kind == ErrorKind::forbidden || kind == ErrorKind::not_found ||
         kind == ErrorKind::invalid || kind == ErrorKind::cancelled || kind == ErrorKind::tls;
}

std::string rv_of(const Json& object) {
  if (!object.is_object() || !object.contains("metadata")) return "";
  return object["metadata"].value("resourceVersion", "");
}

// Outcome of one watch request.
enum class WatchEnd { closed, relist, retry, stop };

bool initial_events_end(const WatchEvent& e) {
  if (e.type != "BOOKMARK") return false;
  const Json* annotations = nullptr;
  if (e.object.is_object() && e.object.contains("metadata")) {
    auto it = e.object["metadata"].find("annotations");
    if (it != e.object["metadata"].end()) annotations = &*it;
  }
  return annotations != nullptr && annotations->is_object() &&
         annotations->value("k8s.io/initial-events-end", "") == "true";
}

// A watch that begins with the state: its ADDED events are held until the
// bookmark that closes them, then handed over as one sync. Anything else
// first (a MODIFIED, a DELETED, a plain bookmark, the end of the stream)
// means the server did not honour sendInitialEvents; nothing was handed
// over then, so a list+watch after it neither repeats nor misses a change.
struct InitialState {
  std::vector<Json> items;
  bool synced = false;
  bool ignored = false;
  bool errored = false;  // an ERROR event came first: the server honoured it and failed; ask again
};

struct WatchLoop {
  Client& client;
  const ResourceRef& ref;
  const std::string& ns;
  const ListWatchOptions& options;
  const ListWatchHandlers& handlers;
  util::Clock& clock;
  const util::CancelToken& cancel;
  std::string rv;
  util::Error last_error;

  // Whether the initial state of the event `e` is still being collected (and took it).
  bool collect_initial(InitialState& initial, const WatchEvent& e) {
    if (initial.synced) return false;
    if (e.type == "ADDED") {
      initial.items.push_back(e.object);
    } else if (initial_events_end(e)) {
      initial.synced = true;
      rv = rv_of(e.object);
      if (handlers.on_sync) handlers.on_sync(initial.items, rv);
      initial.items.clear();
    } else {
      initial.ignored = true;
    }
    return true;
  }

  // Watches once from `rv`, advancing it with every event (BOOKMARKs too);
  // with `initial`, from the current state instead (the WatchList feature).
  WatchEnd watch_once(int& delivered, InitialState* initial = nullptr) {
    bool gone = false;
    WatchOptions w;
    w.label_selector = options.label_selector;
    w.field_selector = options.field_selector;
    w.fields = options.fields;
    w.resource_version = initial != nullptr ? "" : rv;
    w.send_initial_events = initial != nullptr;
    auto on_event = [&](const WatchEvent& e) {
      if (e.type == "ERROR") {
        if (initial != nullptr && !initial->synced) initial->errored = true;
        util::Error error = error_from_status(e.object);
        if (error.kind == ErrorKind::gone || error.http_status == 410) {
          gone = true;
        } else if (handlers.on_error) {
          handlers.on_error(error);
        }
        return false;  // the server ends the stream after an ERROR anyway
      }
      if (initial != nullptr && collect_initial(*initial, e)) return !initial->ignored;
      std::string event_rv = rv_of(e.object);
      if (!event_rv.empty()) rv = event_rv;
      if (e.type == "BOOKMARK") return true;
      ++delivered;
      if (handlers.on_event) handlers.on_event(e);
      return true;
    };
    auto status = client.watch(ref, ns, w, on_event, &cancel);
    if (cancel.cancelled()) return WatchEnd::stop;
    if (gone || (!status && status.error().kind == ErrorKind::gone)) return WatchEnd::relist;
    if (status) return WatchEnd::closed;
    last_error = status.error();
    if (fatal(last_error.kind)) return WatchEnd::stop;
    if (handlers.on_error) handlers.on_error(last_error);
    return WatchEnd::retry;
  }

  // Watches from the list's RV until a re-list is needed or the loop must stop.
  bool watch_until_relist() {
    util::Duration backoff = options.initial_backoff;
    for (;;) {
      int delivered = 0;
      auto started = clock.now();
      WatchEnd end = watch_once(delivered);
      if (end == WatchEnd::stop) return false;
      if (end == WatchEnd::relist) {
        spdlog::debug("kube: watch {} rv {} expired (410); re-listing", ref.key(), rv);
        return true;
      }
      bool quick_empty_close =
          end == WatchEnd::closed && delivered == 0 && clock.now() - started < util::Duration{1000};
      if (end == WatchEnd::retry || quick_empty_close) {
        // Resume from the same RV after a pause so a flapping server is not hammered.
        if (!clock.sleep_for(backoff, &cancel)) return false;
        backoff = std::min(backoff * 2, options.max_backoff);
      } else {
        backoff = options.initial_backoff;
      }
    }
  }
};

}  // namespace

namespace {

enum class ListEnd { listed, retry, stop };

// Lists into `loop.rv`; on stop, `fatal_error` says why (empty: cancelled).
ListEnd list_once(WatchLoop& loop, const ListWatchHandlers& handlers, util::Duration& backoff,
                  std::optional<util::Error>& fatal_error) {
  ListOptions list_options;
  list_options.label_selector = loop.options.label_selector;
  list_options.field_selector = loop.options.field_selector;
  auto listed = loop.client.list_all(loop.ref, loop.ns, list_options, &loop.cancel);
  if (!listed) {
    if (loop.cancel.cancelled()) return ListEnd::stop;
    if (fatal(listed.error().kind)) {
      fatal_error = listed.error();
      return ListEnd::stop;
    }
    if (handlers.on_error) handlers.on_error(listed.error());
    if (!loop.clock.sleep_for(backoff, &loop.cancel)) return ListEnd::stop;
    backoff = std::min(backoff * 2, loop.options.max_backoff);
    return ListEnd::retry;
  }
  backoff = loop.options.initial_backoff;
  if (handlers.on_sync) handlers.on_sync(listed->items, listed->resource_version);
  loop.rv = listed->resource_version;
  return ListEnd::listed;
}

bool streams_state(const ListWatchOptions& options) {
  return options.watch_list != nullptr && options.watch_list->load();
}

// In place of a list: one watch that begins with the state. Listed: the
// state arrived and the same stream went on as a watch until `end`. A
// server without the WatchList feature refuses it (422 Invalid from 1.27
// with the gate off, from 1.19 for resourceVersionMatch on a watch) or, older
// still, ignores it: both switch every stream of the hub to list+watch.
ListEnd watch_with_state(WatchLoop& loop, util::Duration& backoff, std::optional<util::Error>& fatal_error,
                         WatchEnd& end) {
  InitialState initial;
  int delivered = 0;
  end = loop.watch_once(delivered, &initial);
  if (initial.synced) {
    backoff = loop.options.initial_backoff;
    return ListEnd::listed;
  }
  if (loop.cancel.cancelled()) return ListEnd::stop;
  bool refused = end == WatchEnd::stop && loop.last_error.kind == ErrorKind::invalid;
  if (refused || initial.ignored || (end == WatchEnd::closed && !initial.errored)) {
    spdlog::debug("kube: watch {} did not start with the state ({}); listing from now on", loop.ref.key(),
                  refused ? loop.last_error.message : "no initial-events-end bookmark");
    loop.options.watch_list->store(false);
    return ListEnd::retry;
  }
  if (end == WatchEnd::stop) {
    fatal_error = loop.last_error;
    return ListEnd::stop;
  }
  if (!loop.clock.sleep_for(backoff, &loop.cancel)) return ListEnd::stop;
  backoff = std::min(backoff * 2, loop.options.max_backoff);
  return ListEnd::retry;
}

}  // namespace

util::Status run_list_watch(Client& client, const ResourceRef& ref, const std::string& ns,
                            const ListWatchOptions& options, const ListWatchHandlers& handlers,
                            util::Clock& clock, const util::CancelToken& cancel) {
  WatchLoop loop{client, ref, ns, options, handlers, clock, cancel, "", {}};
  util::Duration backoff = options.initial_backoff;
  bool seeded = !options.seed_version.empty();
  while (!cancel.cancelled()) {
    if (seeded) {
      // The state is known already: watch from it (a 410 lists as usual).
      seeded = false;
      if (handlers.on_sync) handlers.on_sync(options.seed_items, options.seed_version);
      loop.rv = options.seed_version;
    } else {
      std::optional<util::Error> fatal_error;
      bool with_state = streams_state(options);
      WatchEnd streamed = WatchEnd::closed;
      ListEnd end = with_state ? watch_with_state(loop, backoff, fatal_error, streamed)
                               : list_once(loop, handlers, backoff, fatal_error);
      if (end == ListEnd::retry) continue;
      if (end == ListEnd::stop) {
        if (fatal_error) return *fatal_error;
        break;
      }
      // The watch that brought the state has ended too: resume it, or list again.
      if (streamed == WatchEnd::relist) continue;
      if (streamed == WatchEnd::stop) {
        if (cancel.cancelled()) break;
        return loop.last_error;
      }
    }
    if (!loop.watch_until_relist()) {
      if (cancel.cancelled()) break;
      return loop.last_error;
    }
  }
  return util::make_error(ErrorKind::cancelled, "watch of " + ref.key() + " cancelled");
}

}  // namespace sluice::kube
