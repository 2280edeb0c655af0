#include <sluice/state/lease_lock.hpp>

#include <catch2/catch.hpp>

using namespace sluice::state;

TEST_CASE("a lease is free, ours or held by someone else") {
  CHECK(lease_state(Json(), "me") == LeaseState::free);
  CHECK(lease_state(Json{{"spec", {{"holderIdentity", ""}}}}, "me") == LeaseState::free);
  CHECK(lease_state(Json{{"spec", {{"holderIdentity", "me"}}}}, "me") == LeaseState::ours);
  CHECK(lease_state(Json{{"spec", {{"holderIdentity", "you"}}}}, "me") == LeaseState::held);
}

TEST_CASE("only a holder on this host whose process is gone counts as dead") {
  auto alive = [](int pid) { return pid == 10; };
  CHECK(holder_is_dead_local_process("box/pid 11", "box", alive));
  CHECK(holder_is_dead_local_process("box/pid 11 (ci job 4)", "box", alive));
  CHECK_FALSE(holder_is_dead_local_process("box/pid 10", "box", alive));
  CHECK_FALSE(holder_is_dead_local_process("other/pid 11", "box", alive));
  CHECK_FALSE(holder_is_dead_local_process("box/pid x", "box", alive));
  CHECK_FALSE(holder_is_dead_local_process("boxer/pid 11", "box", alive));
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
