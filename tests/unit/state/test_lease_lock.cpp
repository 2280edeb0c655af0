#include <sluice/state/lease_lock.hpp>

#include "unit/state/fake_lease_api.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace sluice::state;
using sluice::test::FakeLeaseApi;
using sluice::util::Duration;
using sluice::util::ManualClock;

namespace {

// Polls (bounded) for something a background thread does.
bool eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 2000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

LockOptions lease_of(int seconds) {
  return LockOptions{std::chrono::seconds(seconds), Duration(0)};
}

}  // namespace

TEST_CASE("a lease is free, ours or held by someone else") {
  CHECK(lease_state(Json(), "me") == LeaseState::free);
  CHECK(lease_state(Json{{"spec", {{"holderIdentity", ""}}}}, "me") == LeaseState::free);
  CHECK(lease_state(Json{{"spec", {{"holderIdentity", "me"}}}}, "me") == LeaseState::ours);
  CHECK(lease_state(Json{{"spec", {{"holderIdentity", "you"}}}}, "me") == LeaseState::held);
}

TEST_CASE("taking a lease writes the holder, times and transitions") {
  SECTION("a new lease") {
    Json lease = lease_for("prod", "sluice-web", "me", 15, "T1", Json());
    CHECK(lease["metadata"]["name"] == "sluice-web");
    CHECK(lease["spec"]["holderIdentity"] == "me");
    CHECK(lease["spec"]["leaseDurationSeconds"] == 15);
    CHECK(lease["spec"]["acquireTime"] == "T1");
    CHECK(lease["spec"]["renewTime"] == "T1");
  }
  SECTION("taking over from another holder counts a transition and keeps the resourceVersion") {
    Json old{{"metadata", {{"name", "sluice-web"}, {"resourceVersion", "9"}}},
             {"spec", {{"holderIdentity", "you"}, {"leaseTransitions", 2}, {"acquireTime", "T0"}}}};
    Json lease = lease_for("prod", "sluice-web", "me", 15, "T2", old);
    CHECK(lease["metadata"]["resourceVersion"] == "9");
    CHECK(lease["spec"]["leaseTransitions"] == 3);
    CHECK(lease["spec"]["acquireTime"] == "T2");
  }
  SECTION("renewing our own lease keeps acquireTime") {
    Json mine{{"spec", {{"holderIdentity", "me"}, {"acquireTime", "T0"}, {"leaseTransitions", 1}}}};
    Json lease = lease_for("prod", "sluice-web", "me", 15, "T3", mine);
    CHECK(lease["spec"]["acquireTime"] == "T0");
    CHECK(lease["spec"]["renewTime"] == "T3");
    CHECK(lease["spec"]["leaseTransitions"] == 1);
  }
}

TEST_CASE("the write window closes a quarter of the lease before it ends") {
  CHECK(write_window(Duration(15000)) == Duration(11250));
  CHECK(write_window(Duration(1000)) == Duration(750));
}

TEST_CASE("a holder with our host and pid is alive while its lease keeps changing") {
  // Given another process in another PID namespace: same host, same pid, renewing
  FakeLeaseApi api;
  sluice::kube::WatchHub hub(api);
  api.write_as("ci/pid 1 #theirs");
  std::atomic<bool> stop{false};
  std::thread renewer([&] {
    while (!stop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      api.write_as("ci/pid 1 #theirs");
    }
  });
  LeaseLock lock(api, hub, sluice::util::system_clock(), "shop", "web", "ci/pid 1 #mine", lease_of(1));

  auto got = lock.acquire();
  stop = true;
  renewer.join();

  REQUIRE(got.ok());
  CHECK_FALSE(got->acquired);
  CHECK(got->holder == "ci/pid 1 #theirs");
  CHECK(api.count("PUT") == 0);
}

TEST_CASE("a holder whose lease has not changed for its duration is taken over") {
  FakeLeaseApi api;
  sluice::kube::WatchHub hub(api);
  api.write_as("ci/pid 1 #theirs");  // leaseDurationSeconds 1, never renewed
  LeaseLock lock(api, hub, sluice::util::system_clock(), "shop", "web", "ci/pid 1 #mine", lease_of(1));

  auto got = lock.acquire();

  REQUIRE(got.ok());
  CHECK(got->acquired);
  CHECK(got->took_over);
  CHECK(api.lease()["spec"]["holderIdentity"] == "ci/pid 1 #mine");
  CHECK(api.lease()["spec"]["leaseTransitions"] == 1);
  CHECK_FALSE(lock.fence().lapsed());
}

TEST_CASE("a takeover that loses the race (409) names the winner") {
  FakeLeaseApi api;
  sluice::kube::WatchHub hub(api);
  api.write_as("old");
  api.before_write = [&](const sluice::kube::ApiRequest& r) {
    if (r.method != "PUT") return;  // the takeover, after the create found the lease there
    api.before_write = nullptr;
    api.write_as("winner");  // another process took it between our read and our write
  };
  LeaseLock lock(api, hub, sluice::util::system_clock(), "shop", "web", "me", lease_of(1));

  auto got = lock.acquire();

  REQUIRE(got.ok());
  CHECK_FALSE(got->acquired);
  CHECK(got->holder == "winner");
  CHECK(lock.fence().lapsed());
}

TEST_CASE("a lease is never updated without its resourceVersion") {
  FakeLeaseApi api;
  sluice::kube::WatchHub hub(api);
  api.write_as("");  // released
  api.answer_without_rv = true;
  LeaseLock lock(api, hub, sluice::util::system_clock(), "shop", "web", "me", lease_of(1));

  auto got = lock.acquire();

  REQUIRE_FALSE(got.ok());
  CHECK(got.error().message == "refusing to update lease sluice-web without its resourceVersion");
  CHECK(api.count("PUT") == 0);
}

TEST_CASE("renewals carry the resourceVersion of the last answer and read nothing") {
  FakeLeaseApi api;
  ManualClock clock;
  sluice::kube::WatchHub hub(api, clock);
  LeaseLock lock(api, hub, clock, "shop", "web", "me", lease_of(3));
  REQUIRE(lock.acquire()->acquired);
  std::atomic<bool> lost{false};

  lock.start_renewing([&] { lost = true; });
  REQUIRE(eventually([&] { return api.count("PUT") >= 5; }));
  REQUIRE(lock.release().ok());

  CHECK_FALSE(lost);
  CHECK(api.count("GET") == 0);  // a bare create to acquire; the release carries the last renewal's RV
  CHECK(api.count("DELETE") == 1);
  CHECK_FALSE(api.lease().is_object());
}

TEST_CASE("a free lock (no Lease) is taken with one create and nothing read") {
  FakeLeaseApi api;
  sluice::kube::WatchHub hub(api);
  LeaseLock lock(api, hub, sluice::util::system_clock(), "shop", "web", "me", lease_of(3));

  auto got = lock.acquire();

  REQUIRE(got.ok());
  CHECK(got->acquired);
  CHECK_FALSE(got->took_over);
  CHECK(api.requests().size() == 1);
  CHECK(api.count("POST") == 1);
  CHECK(api.lease()["spec"]["holderIdentity"] == "me");
  CHECK_FALSE(lock.fence().lapsed());
}

TEST_CASE("a released lease an older sluice left (holder cleared) is taken by an update") {
  FakeLeaseApi api;
  sluice::kube::WatchHub hub(api);
  api.write_as("");
  LeaseLock lock(api, hub, sluice::util::system_clock(), "shop", "web", "me", lease_of(3));

  auto got = lock.acquire();

  REQUIRE(got.ok());
  CHECK(got->acquired);
  CHECK(api.count("POST") == 1);  // 409 AlreadyExists
  CHECK(api.count("GET") == 1);
  CHECK(api.count("PUT") == 1);
  CHECK(api.lease()["spec"]["holderIdentity"] == "me");
}

TEST_CASE("a release deletes the lease only in the version this process last wrote") {
  FakeLeaseApi api;
  ManualClock clock;
  sluice::kube::WatchHub hub(api, clock);
  LeaseLock lock(api, hub, clock, "shop", "web", "me", lease_of(3));
  REQUIRE(lock.acquire()->acquired);
  std::string rv = api.lease()["metadata"]["resourceVersion"];

  REQUIRE(lock.release().ok());

  auto requests = api.requests();
  REQUIRE(requests.back().method == "DELETE");
  CHECK(Json::parse(requests.back().body)["preconditions"]["resourceVersion"] == rv);
  CHECK_FALSE(api.lease().is_object());
}

TEST_CASE("a waiter sees a deleted lease as released and takes it at once") {
  FakeLeaseApi api;
  sluice::kube::WatchHub hub(api);
  api.write_as("other");  // alive: the test deletes it instead of letting it expire
  LeaseLock lock(api, hub, sluice::util::system_clock(), "shop", "web", "me", lease_of(30));
  api.before_write = nullptr;
  std::thread releaser([&] {
    eventually([&] { return api.count("GET") >= 1; });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    api.remove_as_holder();
  });

  auto got = lock.acquire();
  releaser.join();

  REQUIRE(got.ok());
  CHECK(got->acquired);
  CHECK_FALSE(got->took_over);
  CHECK(api.lease()["spec"]["holderIdentity"] == "me");
}

TEST_CASE("a release whose lease changed meanwhile (409) reads it and leaves another holder's alone") {
  FakeLeaseApi api;
  ManualClock clock;
  sluice::kube::WatchHub hub(api, clock);
  LeaseLock lock(api, hub, clock, "shop", "web", "me", lease_of(3));
  REQUIRE(lock.acquire()->acquired);
  int gets = api.count("GET");
  api.write_as("intruder");

  REQUIRE(lock.release().ok());

  CHECK(api.count("GET") == gets + 1);
  CHECK(api.count("DELETE") == 1);  // the first, refused (409); none after reading whose it is
  CHECK(api.lease()["spec"]["holderIdentity"] == "intruder");
}

TEST_CASE("a renewal answered after the lease ran out counts as lost") {
  FakeLeaseApi api;
  ManualClock clock;
  sluice::kube::WatchHub hub(api, clock);
  LeaseLock lock(api, hub, clock, "shop", "web", "me", lease_of(3));
  REQUIRE(lock.acquire()->acquired);
  api.before_write = [&](const sluice::kube::ApiRequest&) { clock.advance(std::chrono::seconds(3)); };
  std::atomic<bool> lost{false};

  lock.start_renewing([&] { lost = true; });

  REQUIRE(eventually([&] { return lost.load(); }));
  CHECK(lock.lost());
  auto write = lock.fence().check_write();
  REQUIRE_FALSE(write.ok());
  CHECK(write.error().message == "write refused: the lock's lease ran out before it could be renewed");
  int puts = api.count("PUT");
  CHECK(lock.release().ok());
  CHECK(api.count("PUT") == puts);  // nothing written after the loss
}

TEST_CASE("a renewal refused with 409 means another process took the lease") {
  FakeLeaseApi api;
  ManualClock clock;
  sluice::kube::WatchHub hub(api, clock);
  LeaseLock lock(api, hub, clock, "shop", "web", "me", lease_of(3));
  REQUIRE(lock.acquire()->acquired);
  api.write_as("intruder");
  std::atomic<bool> lost{false};

  lock.start_renewing([&] { lost = true; });

  REQUIRE(eventually([&] { return lost.load(); }));
  auto write = lock.fence().check_write();
  REQUIRE_FALSE(write.ok());
  CHECK(write.error().message == "write refused: another process wrote the lock's lease");
  CHECK(lock.current_holder() == "intruder");
  CHECK(lock.release().ok());
  CHECK(api.lease()["spec"]["holderIdentity"] == "intruder");
}

// Issue 15: a run lets the lock go with its last record write (hand_off);
// the next takes it with one update on the version that record names.
TEST_CASE("a lock handed off with the record is taken by one update on the recorded version") {
  FakeLeaseApi api;
  ManualClock clock;
  sluice::kube::WatchHub hub(api, clock);
  LeaseLock first(api, hub, clock, "shop", "web", "first", lease_of(3));
  REQUIRE(first.acquire()->acquired);
  auto version = first.hand_off();
  REQUIRE(version);
  CHECK(*version == api.lease()["metadata"]["resourceVersion"]);
  first.handed_off();
  REQUIRE(first.release().ok());
  CHECK(api.count("DELETE") == 0);  // the Lease stays, still naming the first holder
  CHECK(first.fence().lapsed());
  int before = static_cast<int>(api.requests().size());

  LeaseLock second(api, hub, clock, "shop", "web", "second", lease_of(3));
  auto got = second.acquire(nullptr, *version);

  REQUIRE(got.ok());
  CHECK(got->acquired);
  CHECK(got->handed_over);
  CHECK(static_cast<int>(api.requests().size()) == before + 1);
  CHECK(api.requests().back().method == "PUT");
  CHECK(api.lease()["spec"]["holderIdentity"] == "second");
}

TEST_CASE("a handed-off lease written since is not taken by the handover but read and waited for") {
  FakeLeaseApi api;
  sluice::kube::WatchHub hub(api);
  LeaseLock first(api, hub, sluice::util::system_clock(), "shop", "web", "first", lease_of(1));
  REQUIRE(first.acquire()->acquired);
  auto version = first.hand_off();
  REQUIRE(version);
  api.write_as("intruder");  // took it over meanwhile, and keeps renewing
  std::atomic<bool> stop{false};
  std::thread renewer([&] {
    while (!stop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      api.write_as("intruder");
    }
  });
  LeaseLock second(api, hub, sluice::util::system_clock(), "shop", "web", "second", lease_of(1));

  auto got = second.acquire(nullptr, *version);
  stop = true;
  renewer.join();

  REQUIRE(got.ok());
  CHECK_FALSE(got->acquired);
  CHECK_FALSE(got->handed_over);
  CHECK(got->holder == "intruder");
  CHECK(api.count("POST") ==
        1);  // the first's create only: a 409 on the handover goes to reading, not creating
}
