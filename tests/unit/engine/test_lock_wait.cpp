#include <sluice/engine/lock_wait.hpp>

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

using namespace sluice;
using engine::LockWaitWatch;
using engine::tell_lock_wait;

TEST_CASE("the innermost lock wait watch of the thread is told", "[engine][lock_wait]") {
  std::vector<long> outer_told;
  std::vector<long> inner_told;
  tell_lock_wait(util::Duration{1});  // no watch: nobody to tell
  {
    LockWaitWatch outer([&](util::Duration d) { outer_told.push_back(static_cast<long>(d.count())); });
    tell_lock_wait(util::Duration{20});
    {
      LockWaitWatch inner([&](util::Duration d) { inner_told.push_back(static_cast<long>(d.count())); });
      tell_lock_wait(util::Duration{300});
    }
    tell_lock_wait(util::Duration{4000});
  }
  tell_lock_wait(util::Duration{5});
  CHECK(outer_told == std::vector<long>{20, 4000});
  CHECK(inner_told == std::vector<long>{300});
}

TEST_CASE("a lock wait on another thread is not told to this thread's watch", "[engine][lock_wait]") {
  std::vector<long> told;
  LockWaitWatch watch([&](util::Duration d) { told.push_back(static_cast<long>(d.count())); });
  std::thread other([] { tell_lock_wait(util::Duration{7}); });
  other.join();
  tell_lock_wait(util::Duration{8});
  CHECK(told == std::vector<long>{8});
}
