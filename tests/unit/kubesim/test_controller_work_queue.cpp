// The controllers' work queue: de-duplication, one worker per key, timers.
#include <kubesim/work_queue.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace kubesim;
using sluice::util::Duration;
using sluice::util::system_clock;

TEST_CASE("a key queued many times is handed out once", "[work_queue]") {
  WorkQueue queue(system_clock());
  queue.add("a");
  queue.add("b");
  queue.add("a");
  CHECK(queue.pending() == 2);
  CHECK(*queue.get() == "a");
  CHECK(*queue.get() == "b");
  CHECK(queue.pending() == 0);
}

TEST_CASE("a key added while being processed comes back after done", "[work_queue]") {
  WorkQueue queue(system_clock());
  queue.add("a");
  auto key = queue.get();
  queue.add("a");
  CHECK(queue.pending() == 0);  // not handed to a second worker meanwhile
  queue.done(*key);
  CHECK(queue.pending() == 1);
  CHECK(*queue.get() == "a");
}

TEST_CASE("delayed keys come out in due order, the earliest request winning", "[work_queue]") {
  WorkQueue queue(system_clock());
  auto start = std::chrono::steady_clock::now();
  queue.add_after("late", Duration(40));
  queue.add_after("early", Duration(60));
  queue.add_after("early", Duration(10));  // an earlier time replaces the later one
  CHECK(*queue.get() == "early");
  CHECK(*queue.get() == "late");
  CHECK(std::chrono::steady_clock::now() - start >= Duration(40));
  queue.done("early");
  CHECK(queue.pending() == 0);  // the superseded 60 ms timer is gone
}

TEST_CASE("a paused queue hands out nothing until woken unpaused", "[work_queue]") {
  std::atomic<bool> paused{true};
  WorkQueue queue(system_clock(), [&] { return paused.load(); });
  queue.add("a");
  std::atomic<bool> got{false};
  std::thread worker([&] {
    if (queue.get()) got = true;
  });
  queue.add("b");  // a wake-up while paused must not hand anything out
  CHECK_FALSE(got.load());
  paused = false;
  queue.wake();
  worker.join();
  CHECK(got.load());
}

TEST_CASE("shut_down releases waiting workers", "[work_queue]") {
  WorkQueue queue(system_clock());
  std::thread worker([&] { CHECK_FALSE(queue.get().has_value()); });
  queue.shut_down();
  worker.join();
}
