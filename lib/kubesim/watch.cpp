// Watch: one JSON event per line over a chunked response. Events come from
// a Store listener into a per-watch queue; resourceVersion ""/"0" first sends
// the current state as ADDED, an older RV replays history (or ends with an
// ERROR event carrying a 410 Status when compacted). Objects entering or
// leaving the selector appear as ADDED / DELETED, as the apiserver does.
#include <kubesim/event_versions.hpp>
#include <kubesim/list_options.hpp>
#include <kubesim/selectors.hpp>
#include <kubesim/server_internal.hpp>

#include <deque>

namespace kubesim {

namespace {

using Clock = std::chrono::steady_clock;

struct WatchStream {
  ApiContext* ctx = nullptr;
  const ResourceType* type = nullptr;
  const ResourceType* served = nullptr;  // the version the client watches, when not the stored one
  std::vector<Requirement> labels;
  std::vector<Requirement> fields;
  bool bookmarks = false;
  bool table = false;
  Clock::time_point deadline;
  Clock::time_point next_bookmark;
  std::uint64_t generation = 0;
  std::uint64_t last_rv = 0;
  std::vector<std::string> initial;
  bool initial_sent = false;
  bool end_after_initial = false;
  int listener = 0;

  std::mutex mutex;
  std::condition_variable cv;
  std::deque<WatchEvent> queue;

  bool matches(const Json& o) const { return matches_labels(labels, o) && matches_fields(fields, o); }

  // Whether translate() could send anything for the event: the object's
  // state before or after it is in the selection.
  bool concerns(const WatchEvent& event) const {
    if (event.type != "DELETED" && matches(event.object)) return true;
    if (event.type == "ADDED") return false;
    return matches(event.previous != nullptr ? *event.previous : event.object);
  }

  std::string line(const std::string& type_name, const Json& object) const {
    auto make = [&] {
      const Json shown = table    ? to_table(*type, {object}, object["metadata"].value("resourceVersion", ""))
                         : served ? event_to_events_v1(object)
                                  : object;
      return Json{{"type", type_name}, {"object", shown}}.dump() + "\n";
    };
    if (table) return make();
    // An object's state at a resourceVersion is the same for every watcher.
    const std::string key = object["metadata"].value("resourceVersion", "") + " " + type_name + " " +
                            object["metadata"].value("uid", "") + " " + shown_type().api_version();
    return *ctx->watches.line(key, make);
  }

  // The event the client should see for a store event, if any: with a
  // selector, an object entering it is ADDED and one leaving it DELETED, judged
  // by the states before and after the change, as the apiserver's cacher does.
  std::optional<std::string> translate(const WatchEvent& event) const {
    const Json& before = event.previous != nullptr ? *event.previous : event.object;
    const bool was = event.type != "ADDED" && matches(before);
    const bool is = event.type != "DELETED" && matches(event.object);
    if (is && !was) return line("ADDED", event.object);
    if (is && was) return line("MODIFIED", event.object);
    if (!is && was) return line("DELETED", event.object);
    return std::nullopt;
  }

  const ResourceType& shown_type() const { return served != nullptr ? *served : *type; }

  bool should_end() const {
    return ctx->watches.stopping() || ctx->watches.generation() != generation || Clock::now() >= deadline;
  }

  bool pump(httplib::DataSink& sink) {
    if (!initial_sent) {
      initial_sent = true;
      for (const auto& l : initial) {
        if (!sink.write(l.data(), l.size())) return false;
      }
      if (end_after_initial) {
        sink.done();
        return true;
      }
    }
    std::deque<WatchEvent> batch;
    {
      std::unique_lock lock(mutex);
      const auto wake =
          std::min({deadline, bookmarks ? next_bookmark : deadline, Clock::now() + std::chrono::seconds(1)});
      if (queue.empty() && !should_end()) ctx->watches.wait(lock, cv, wake);
      batch.swap(queue);
    }
    if (should_end()) {
      sink.done();
      return true;
    }
    for (const auto& event : batch) {
      if (event.resource_version <= last_rv) continue;
      last_rv = event.resource_version;
      if (auto l = translate(event)) {
        if (!sink.write(l->data(), l->size())) return false;
      }
    }
    if (bookmarks && Clock::now() >= next_bookmark) {
      next_bookmark = Clock::now() + ctx->options.bookmark_interval;
      const Json object = {
          {"kind", type->kind},
          {"apiVersion", shown_type().api_version()},
          {"metadata",
           {{"resourceVersion", std::to_string(std::max(last_rv, ctx->store.resource_version()))}}}};
      const std::string l = Json{{"type", "BOOKMARK"}, {"object", object}}.dump() + "\n";
      if (!sink.write(l.data(), l.size())) return false;
    }
    return sink.is_writable();
  }
};

// Without copying the namespace out: this runs for every watch on every event.
bool in_namespace(const Json& object, const std::string& ns) {
  const auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return false;
  const auto it = meta->find("namespace");
  return it != meta->end() && it->is_string() && it->get_ref<const std::string&>() == ns;
}

std::string gone_line(const std::string& message) {
  ApiError gone{410, "Expired", message, Json::object()};
  return Json{{"type", "ERROR"}, {"object", status_json(gone)}}.dump() + "\n";
}

std::string initial_events_end(const ResourceType& type, std::uint64_t rv) {
  const Json object = {
      {"kind", type.kind},
      {"apiVersion", type.api_version()},
      {"metadata",
       {{"resourceVersion", std::to_string(rv)}, {"annotations", {{"k8s.io/initial-events-end", "true"}}}}}};
  return Json{{"type", "BOOKMARK"}, {"object", object}}.dump() + "\n";
}

// Fills the initial lines: the current state as ADDED for RV ""/"0" (and for
// sendInitialEvents, closed by a BOOKMARK), else exactly the history after RV.
std::optional<ApiError> prepare(WatchStream& w, const ListOptions& request, const ApiRoute& route) {
  const std::string& rv = request.resource_version;
  const bool from_now = rv.empty() || rv == "0";
  // sendInitialEvents=false with no version starts at the current version, with no state.
  const bool send_state = request.send_initial_events.value_or(from_now);
  if (send_state || from_now) {
    auto [items, list_rv] = w.ctx->store.list(route.type->key(), route.ns);
    for (const auto& o : items) {
      if (send_state && w.matches(o)) w.initial.push_back(w.line("ADDED", o));
    }
    w.last_rv = list_rv;
    if (request.send_initial_events.value_or(false))
      w.initial.push_back(initial_events_end(w.shown_type(), list_rv));
    return std::nullopt;
  }
  std::uint64_t since = 0;
  try {
    since = std::stoull(rv);
  } catch (const std::exception&) {
    return bad_request("invalid resource version: " + rv);
  }
  auto events = w.ctx->store.events_since(route.type->key(), route.ns, since);
  if (!events.ok()) {
    w.initial.push_back(gone_line(events.error().message));
    w.end_after_initial = true;
    return std::nullopt;
  }
  for (const auto& e : *events) {
    if (auto l = w.translate(e)) w.initial.push_back(*l);
  }
  w.last_rv = std::max(since, events->empty() ? since : events->back().resource_version);
  return std::nullopt;
}

}  // namespace

void handle_watch(ApiContext& ctx, const httplib::Request& req, httplib::Response& res,
                  const ApiRoute& route) {
  auto labels = sluice::kube::parse_label_selector(req.get_param_value("labelSelector"));
  auto fields = parse_field_selector(req.get_param_value("fieldSelector"), route.type->kind);
  if (!labels.ok()) return send_error(res, bad_request(labels.error().message));
  if (!fields.ok()) return send_error(res, bad_request(fields.error().message));
  auto w = std::make_shared<WatchStream>();
  w->ctx = &ctx;
  w->type = route.type;
  w->served = route.served;
  w->labels = std::move(*labels);
  w->fields = std::move(*fields);
  if (!route.name.empty()) w->fields.push_back({"metadata.name", Requirement::Op::equals, {route.name}});
  ListOptions options = read_list_options(req);
  options.watch = true;
  if (auto error = validate_list_options(options, ctx.options.watch_list)) return send_error(res, *error);
  w->bookmarks = options.allow_watch_bookmarks;
  w->table = wants_table(req);
  const long timeout =
      req.has_param("timeoutSeconds") ? std::atol(req.get_param_value("timeoutSeconds").c_str()) : 1800;
  w->deadline = Clock::now() + std::chrono::seconds(timeout > 0 ? timeout : 1800);
  w->next_bookmark = Clock::now() + ctx.options.bookmark_interval;
  w->generation = ctx.watches.generation();
  const std::string key = route.type->key();
  const std::string ns = route.ns;
  std::weak_ptr<WatchStream> weak = w;
  // Subscribe before reading the state so no change falls in between.
  w->listener = ctx.store.add_listener(
      [weak, ns](const WatchEvent& event) {
        if (!ns.empty() && !in_namespace(event.object, ns)) return;
        auto stream = weak.lock();
        // Judged here, before the copy: with hundreds of watches scoped to one
        // object each, queueing every event of the kind for every watch copied
        // each object hundreds of times and woke every watch thread to drop it.
        if (!stream || !stream->concerns(event)) return;
        stream->ctx->watches.count_queued();
        std::lock_guard lock(stream->mutex);
        stream->queue.push_back(event);
        stream->cv.notify_all();
      },
      key);  // only this kind's events
  if (auto error = prepare(*w, options, route)) {
    ctx.store.remove_listener(w->listener);
    return send_error(res, *error);
  }
  ctx.watches.enter(&w->cv, &w->mutex);
  res.set_header("Cache-Control", "no-cache, private");
  res.set_chunked_content_provider(
      "application/json", [w](std::size_t, httplib::DataSink& sink) { return w->pump(sink); },
      [w](bool) {
        w->ctx->watches.leave(&w->cv);
        w->ctx->store.remove_listener(w->listener);
      });
}

void WatchHub::enter(std::condition_variable* cv, std::mutex* m) {
  std::lock_guard lock(mutex_);
  watches_[cv] = m;
}

void WatchHub::leave(std::condition_variable* cv) {
  std::lock_guard lock(mutex_);
  watches_.erase(cv);
}

void WatchHub::count_queued() {
  queued_++;
}

std::uint64_t WatchHub::queued() const {
  return queued_.load();
}

std::size_t WatchHub::open() const {
  std::lock_guard lock(mutex_);
  return watches_.size();
}

void WatchHub::wait(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                    Clock::time_point until) {
  cv.wait_until(lock, until);
}

std::shared_ptr<const std::string> WatchHub::line(const std::string& key,
                                                  const std::function<std::string()>& make) {
  constexpr std::size_t k_cached_lines = 8192;
  {
    std::lock_guard lock(lines_mutex_);
    const auto it = lines_.find(key);
    if (it != lines_.end()) return it->second;
  }
  auto made = std::make_shared<const std::string>(make());
  std::lock_guard lock(lines_mutex_);
  if (lines_.emplace(key, made).second) {
    line_order_.push_back(key);
    if (line_order_.size() > k_cached_lines) {
      lines_.erase(line_order_.front());
      line_order_.pop_front();
    }
  }
  return made;
}

void WatchHub::drop_all() {
  generation_++;
  std::lock_guard lock(mutex_);
  for (auto [cv, m] : watches_) {
    std::lock_guard watch_lock(*m);
    cv->notify_all();
  }
}

void WatchHub::stop() {
  stopping_ = true;
  drop_all();
}

}  // namespace kubesim
