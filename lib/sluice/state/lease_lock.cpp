#include <sluice/state/lease_lock.hpp>
#include <sluice/util/rfc3339.hpp>

#include <sluice/kube/resources.hpp>
#include <sluice/state/guarded_write.hpp>

#include <algorithm>

namespace sluice::state {

using util::ErrorKind;

LeaseState lease_state(const Json& lease, const std::string& me) {
  if (!lease.is_object()) return LeaseState::free;
  std::string holder = lease.value("/spec/holderIdentity"_json_pointer, std::string());
  if (holder.empty()) return LeaseState::free;
  return holder == me ? LeaseState::ours : LeaseState::held;
}

Json lease_for(const std::string& ns, const std::string& name, const std::string& holder,
               int duration_seconds, const std::string& now_micro, const Json& previous) {
  Json lease = previous.is_object() ? previous
                                    : Json{{"apiVersion", "coordination.k8s.io/v1"},
                                           {"kind", "Lease"},
                                           {"metadata", {{"name", name}, {"namespace", ns}}},
                                           {"spec", Json::object()}};
  auto& spec = lease["spec"];
  std::string old_holder = spec.value("holderIdentity", std::string());
  if (old_holder != holder) {
    spec["acquireTime"] = now_micro;
    if (!old_holder.empty() || previous.is_object())
      spec["leaseTransitions"] = spec.value("leaseTransitions", 0) + (old_holder.empty() ? 0 : 1);
  }
  spec["holderIdentity"] = holder;
  spec["leaseDurationSeconds"] = duration_seconds;
  spec["renewTime"] = now_micro;
  return lease;
}

util::Duration write_window(util::Duration lease_duration) {
  return lease_duration - std::max(lease_duration / 4, util::Duration(1));
}

namespace {

int duration_seconds(util::Duration d) {
  return std::max<int>(1, static_cast<int>((d.count() + 999) / 1000));
}

std::string resource_version(const Json& obj) {
  return obj.value("/metadata/resourceVersion"_json_pointer, std::string());
}

std::string holder_of(const Json& lease) {
  return lease.value("/spec/holderIdentity"_json_pointer, std::string());
}

}  // namespace

LeaseLock::LeaseLock(kube::Client& client, kube::WatchHub& hub, util::Clock& clock, std::string ns,
                     const std::string& rollout, std::string identity, LockOptions options)
    : client_(client),
      hub_(hub),
      clock_(clock),
      ns_(std::move(ns)),
      name_(lease_name(rollout)),
      identity_(std::move(identity)),
      options_(options),
      fence_(clock) {
  if (options_.renew_interval.count() <= 0) options_.renew_interval = options_.lease_duration / 3;
  // Renewing less often than half the write window would let one slow answer lose the lock.
  options_.renew_interval = std::min(options_.renew_interval, write_window(options_.lease_duration) / 2);
}

LeaseLock::~LeaseLock() {
  stop_renewing();
}

util::Result<Json> LeaseLock::write_lease(const Json& observed) {
  Json body = lease_for(ns_, name_, identity_, duration_seconds(options_.lease_duration),
                        util::format_rfc3339_micro(clock_.wall_now()), observed);
  if (!observed.is_object()) return client_.create(kube::k_leases, ns_, body);
  // An update without a resourceVersion would overwrite whoever wrote last
  // (and a real API server refuses it for Leases): never send one.
  if (resource_version(observed).empty()) {
    return util::make_error(ErrorKind::internal,
                            "refusing to update lease " + name_ + " without its resourceVersion");
  }
  return client_.update(kube::k_leases, ns_, body);
}

util::Result<AcquireResult> LeaseLock::try_take(const Json& observed, bool took_over) {
  auto sent = clock_.now();
  auto written = write_lease(observed);
  if (!written) {
    auto kind = written.error().kind;
    if (kind != ErrorKind::conflict && kind != ErrorKind::already_exists) return written.error();
    // Someone else wrote the lease between our read and our write: they won.
    std::string holder = current_holder();
    return AcquireResult{false, false, holder.empty() ? "another process" : holder};
  }
  lease_ = *written;
  held_ = true;
  fence_.extend_until(sent + write_window(options_.lease_duration));
  return AcquireResult{true, took_over, identity_};
}

util::Result<bool> LeaseLock::wait_for_change(const Json& observed, const util::CancelToken* cancel) {
  std::string rv = resource_version(observed);
  int seconds = observed.value("/spec/leaseDurationSeconds"_json_pointer, 15);
  auto deadline = clock_.now() + std::chrono::seconds(seconds);
  // A release deletes the Lease: its absence is a change too.
  auto changed = hub_.wait_until(
      kube::k_leases, ns_, kube::WaitTarget::object(name_),
      [&rv](const std::vector<Json>& leases) {
        bool same = !leases.empty() && resource_version(leases.front()) == rv;
        return same ? kube::WaitDecision::pending() : kube::WaitDecision::done();
      },
      deadline, cancel);
  if (changed) return true;
  if (changed.error().kind == ErrorKind::timeout) return false;
  return changed.error();
}

util::Result<std::optional<AcquireResult>> LeaseLock::try_create() {
  auto sent = clock_.now();
  auto created = write_lease(Json());
  if (!created) {
    if (created.error().kind == ErrorKind::already_exists) return std::optional<AcquireResult>();
    return created.error().with_context("creating lease " + name_);
  }
  lease_ = *created;
  held_ = true;
  fence_.extend_until(sent + write_window(options_.lease_duration));
  return std::optional<AcquireResult>(AcquireResult{true, false, identity_});
}

util::Result<std::optional<AcquireResult>> LeaseLock::try_handover(const std::string& released_version) {
  Json observed{{"apiVersion", "coordination.k8s.io/v1"},
                {"kind", "Lease"},
                {"metadata", {{"name", name_}, {"namespace", ns_}, {"resourceVersion", released_version}}},
                {"spec", Json::object()}};
  auto sent = clock_.now();
  auto written = write_lease(observed);
  if (!written) {
    auto kind = written.error().kind;
    if (kind == ErrorKind::not_found) return try_create();  // deleted since (an older sluice's release)
    if (kind == ErrorKind::conflict) return std::optional<AcquireResult>();  // written since: read it
    return written.error().with_context("taking over lease " + name_);
  }
  lease_ = *written;
  held_ = true;
  fence_.extend_until(sent + write_window(options_.lease_duration));
  AcquireResult got{true, false, identity_};
  got.handed_over = true;
  return std::optional<AcquireResult>(got);
}

util::Result<AcquireResult> LeaseLock::acquire(const util::CancelToken* cancel,
                                               const std::string& released_version) {
  // The last run let the lock go with its final record write: one update on
  // the version it recorded, no read. Else a lock released by a delete
  // leaves no Lease: one create. The Lease exists otherwise (409): held, or
  // released by an older sluice that cleared the holder: read it and go on.
  auto first = released_version.empty() ? try_create() : try_handover(released_version);
  if (!first) return first.error();
  if (*first) return **first;
  return take_when_free(cancel);
}

util::Result<AcquireResult> LeaseLock::take_when_free(const util::CancelToken* cancel) {
  for (int round = 0; round < 3; ++round) {
    auto got = client_.get(kube::k_leases, ns_, name_, cancel);
    if (!got && got.error().kind != ErrorKind::not_found)
      return got.error().with_context("reading lease " + name_);
    Json observed = got ? *got : Json();
    if (lease_state(observed, identity_) != LeaseState::held) return try_take(observed, false);
    // Whoever holds it is alive as long as its lease keeps changing; nothing
    // else (host, pid) can tell: pids repeat across containers and hosts.
    auto changed = wait_for_change(observed, cancel);
    if (!changed) return changed.error().with_context("watching lease " + name_);
    if (!*changed) return try_take(observed, true);  // unchanged for a whole lease duration: expired
    auto now = client_.get(kube::k_leases, ns_, name_, cancel);
    if (now && lease_state(*now, identity_) == LeaseState::held)
      return AcquireResult{false, false, holder_of(*now)};
    // Released while we watched: go round and take it.
  }
  return AcquireResult{false, false, "another process (the lease keeps changing hands)"};
}

util::Status LeaseLock::renew_once() {
  auto sent = clock_.now();
  auto written = write_lease(lease_);
  if (!written) return written.error();
  // The window counts from when the renewal was sent; an answer that comes
  // after the previous window closed is too late: writes were already refused.
  if (!fence_.extend_until(sent + write_window(options_.lease_duration)))
    return util::make_error(ErrorKind::timeout, "the renewal was answered after the lease ran out");
  lease_ = *written;
  return {};
}

void LeaseLock::lose(const std::string& why, const std::function<void()>& on_lost) {
  fence_.close(why);
  lost_ = true;
  held_ = false;
  on_lost();
}

void LeaseLock::renew_loop(const std::function<void()>& on_lost) {
  const util::Duration retry = std::max(options_.renew_interval / 4, util::Duration(1));
  util::Duration wait = options_.renew_interval;
  while (clock_.sleep_for(wait, &stop_)) {
    if (fence_.lapsed()) return lose("the lock's lease ran out before it could be renewed", on_lost);
    auto renewed = renew_once();
    if (renewed) {
      wait = options_.renew_interval;
      continue;
    }
    // Only this process deletes its lease (release): gone means someone else removed it.
    auto kind = renewed.error().kind;
    if (kind == ErrorKind::conflict || kind == ErrorKind::not_found)
      return lose("another process wrote the lock's lease", on_lost);
    wait = retry;  // transient: try again while the window is open
  }
}

void LeaseLock::start_renewing(std::function<void()> on_lost) {
  if (renewer_.joinable() || !held_) return;
  renewer_ = std::thread([this, on_lost = std::move(on_lost)] { renew_loop(on_lost); });
}

void LeaseLock::stop_renewing() {
  stop_.cancel();
  if (renewer_.joinable()) renewer_.join();
}

std::string LeaseLock::current_holder() {
  auto got = client_.get(kube::k_leases, ns_, name_);
  return got ? holder_of(*got) : std::string();
}

std::optional<std::string> LeaseLock::hand_off() {
  stop_renewing();  // joined: the last renewal's answer is in lease_, and nothing writes the Lease again
  if (!held_ || lost_ || fence_.lapsed()) return std::nullopt;
  return resource_version(lease_);
}

util::Status LeaseLock::release() {
  stop_renewing();
  if (handed_off_ && held_) {
    held_ = false;
    fence_.close("the lock was released with the rollout record");
    return {};
  }
  if (!held_ || lost_ || fence_.lapsed()) return {};
  held_ = false;
  fence_.close("the lock was released");
  // Deleted, so the next run takes it with a bare create. The precondition
  // is the last renewal's resourceVersion (no read): a 409 means the lease
  // changed since, and only then is it read to see whose it is.
  auto removed = remove_lease(lease_);
  if (removed || removed.error().kind == ErrorKind::not_found) return {};
  if (removed.error().kind != ErrorKind::conflict) return removed.error();
  return retry_guarded_write([this]() -> util::Status { return release_observed(); }, clock_);
}

util::Status LeaseLock::remove_lease(const Json& observed) {
  kube::DeleteOptions options;
  options.precondition_resource_version = resource_version(observed);
  if (options.precondition_resource_version.empty()) {
    return util::make_error(ErrorKind::internal,
                            "refusing to delete lease " + name_ + " without its resourceVersion");
  }
  auto removed = client_.remove(kube::k_leases, ns_, name_, options);
  if (!removed) return removed.error();
  return {};
}

util::Status LeaseLock::release_observed() {
  auto got = client_.get(kube::k_leases, ns_, name_);
  if (!got) return got.error().kind == ErrorKind::not_found ? util::Status() : util::Status(got.error());
  if (lease_state(*got, identity_) != LeaseState::ours) return {};
  auto removed = remove_lease(*got);  // carries the resourceVersion just read
  if (!removed && removed.error().kind == ErrorKind::not_found) return {};
  return removed;
}

}  // namespace sluice::state
