#include <sluice/state/lease_lock.hpp>
#include <sluice/state/record.hpp>
#include <sluice/util/rfc3339.hpp>

#include <sluice/kube/resources.hpp>
#include <sluice/kube/retry.hpp>
#include <sluice/state/guarded_write.hpp>

#include <signal.h>

#include <cerrno>

namespace sluice::state {

using util::ErrorKind;

LeaseState lease_state(const Json& lease, const std::string& me) {
  if (!lease.is_object()) return LeaseState::free;
  std::string holder = lease.value("/spec/holderIdentity"_json_pointer, std::string());
  if (holder.empty()) return LeaseState::free;
  return holder == me ? LeaseState::ours : LeaseState::held;
}

bool holder_is_dead_local_process(const std::string& holder, const std::string& my_host,
                                  const std::function<bool(int pid)>& pid_alive) {
  std::string prefix = my_host + "/pid ";
  if (my_host.empty() || holder.rfind(prefix, 0) != 0) return false;
  std::size_t pos = prefix.size();
  std::size_t end = pos;
  while (end < holder.size() && std::isdigit(static_cast<unsigned char>(holder[end]))) ++end;
  if (end == pos || end - pos > 9) return false;
  return !pid_alive(std::stoi(holder.substr(pos, end - pos)));
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

namespace {

bool pid_alive(int pid) {
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

int duration_seconds(util::Duration d) {
  return std::max<int>(1, static_cast<int>((d.count() + 999) / 1000));
}

std::string resource_version(const Json& obj) {
  return obj.value("/metadata/resourceVersion"_json_pointer, std::string());
}

}  // namespace

LeaseLock::LeaseLock(kube::Client& client, kube::WatchHub& hub, util::Clock& clock, std::string ns,
                     std::string rollout, std::string identity, LockOptions options)
    : client_(client),
      hub_(hub),
      clock_(clock),
      ns_(std::move(ns)),
      name_(lease_name(rollout)),
      identity_(std::move(identity)),
      options_(options) {
  if (options_.renew_interval.count() <= 0) options_.renew_interval = options_.lease_duration / 3;
}

LeaseLock::~LeaseLock() {
  stop_renewing();
}

util::Result<AcquireResult> LeaseLock::try_take(const Json& observed, bool took_over) {
  Json body = lease_for(ns_, name_, identity_, duration_seconds(options_.lease_duration),
                        util::format_rfc3339_micro(clock_.wall_now()), observed);
  auto written = observed.is_object() ? client_.update(kube::k_leases, ns_, body)
                                      : client_.create(kube::k_leases, ns_, body);
  if (!written) {
    auto kind = written.error().kind;
    if (kind != ErrorKind::conflict && kind != ErrorKind::already_exists) return written.error();
    // Someone else wrote the lease between our read and our write: they won.
    auto now = client_.get(kube::k_leases, ns_, name_);
    std::string holder =
        now ? now->value("/spec/holderIdentity"_json_pointer, std::string()) : "another process";
    return AcquireResult{false, false, holder};
  }
  last_renew_ = clock_.now();
  held_ = true;
  return AcquireResult{true, took_over, identity_};
}

util::Result<bool> LeaseLock::wait_for_change(const Json& observed, const util::CancelToken* cancel) {
  std::string rv = resource_version(observed);
  int seconds = observed.value("/spec/leaseDurationSeconds"_json_pointer, 15);
  auto deadline = clock_.now() + std::chrono::seconds(seconds);
  auto changed = hub_.wait_until(
      kube::k_leases, ns_, name_, [&rv](const Json& lease) { return resource_version(lease) != rv; },
      deadline, cancel);
  if (changed) return true;
  if (changed.error().kind == ErrorKind::timeout) return false;
  return changed.error();
}

util::Result<AcquireResult> LeaseLock::acquire(const util::CancelToken* cancel) {
  for (int round = 0; round < 3; ++round) {
    auto got = client_.get(kube::k_leases, ns_, name_);
    if (!got && got.error().kind != ErrorKind::not_found)
      return got.error().with_context("reading lease " + name_);
    Json observed = got ? *got : Json();
    switch (lease_state(observed, identity_)) {
      case LeaseState::free: return try_take(observed, false);
      case LeaseState::ours: return try_take(observed, false);
      case LeaseState::held: break;
    }
    std::string holder = observed.value("/spec/holderIdentity"_json_pointer, std::string());
    if (holder_is_dead_local_process(holder, current_starter().host, pid_alive))
      return try_take(observed, true);
    auto changed = wait_for_change(observed, cancel);
    if (!changed) return changed.error().with_context("watching lease " + name_);
    if (!*changed) return try_take(observed, true);  // unchanged for a whole lease duration: expired
    auto now = client_.get(kube::k_leases, ns_, name_);
    if (now && lease_state(*now, identity_) == LeaseState::held)
      return AcquireResult{false, false, now->value("/spec/holderIdentity"_json_pointer, holder)};
    // Released while we watched: go round and take it.
  }
  return AcquireResult{false, false, "another process (the lease keeps changing hands)"};
}

util::Result<bool> LeaseLock::renew_once() {
  auto got = client_.get(kube::k_leases, ns_, name_);
  if (!got) return got.error();
  if (lease_state(*got, identity_) != LeaseState::ours) return false;  // taken over: it is not ours any more
  Json body = lease_for(ns_, name_, identity_, duration_seconds(options_.lease_duration),
                        util::format_rfc3339_micro(clock_.wall_now()), *got);
  auto written = client_.update(kube::k_leases, ns_, body);
  if (!written) return written.error();
  return true;
}

void LeaseLock::renew_loop(const std::function<void()>& on_lost) {
  while (clock_.sleep_for(options_.renew_interval, &stop_)) {
    auto renewed = renew_once();
    if (renewed && *renewed) {
      last_renew_ = clock_.now();
      continue;
    }
    bool taken = renewed.ok();
    // Stop writing before the lease could have expired for an observer.
    if (taken || clock_.now() + options_.renew_interval >= last_renew_ + options_.lease_duration) {
      if (taken) held_ = false;
      on_lost();
      return;
    }
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

util::Status LeaseLock::release() {
  stop_renewing();
  if (!held_) return {};
  held_ = false;
  return retry_guarded_write(
      [this]() -> util::Status {
        auto got = client_.get(kube::k_leases, ns_, name_);
        if (!got)
          return got.error().kind == ErrorKind::not_found ? util::Status() : util::Status(got.error());
        if (lease_state(*got, identity_) != LeaseState::ours) return {};
        Json body = *got;
        body["spec"]["holderIdentity"] = "";
        auto written = client_.update(kube::k_leases, ns_, body);
        if (!written) return written.error();
        return {};
      },
      clock_);
}

}  // namespace sluice::state
