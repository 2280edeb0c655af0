// Cutting short a wait that is not a wait on a CancelToken (a socket poll):
// a callback the token runs once when it is cancelled.
#pragma once

#include <sluice/util/clock.hpp>

#include <functional>

namespace sluice::util {

// Runs `wake` once when `token` is cancelled (at once when it already is).
// `wake` must be quick and must not touch the token. Returns an id for
// remove_wakeup, after which `wake` is neither running nor run again; it must
// be called before the token is destroyed.
int add_wakeup(const CancelToken& token, std::function<void()> wake);
void remove_wakeup(int id);

// RAII form of the two calls above; a null token registers nothing.
class CancelWakeup {
 public:
  CancelWakeup(const CancelToken* token, std::function<void()> wake)
      : id_(token != nullptr ? add_wakeup(*token, std::move(wake)) : 0) {}
  ~CancelWakeup() { remove_wakeup(id_); }
  CancelWakeup(const CancelWakeup&) = delete;
  CancelWakeup& operator=(const CancelWakeup&) = delete;

 private:
  int id_;
};

namespace detail {
void run_wakeups(const CancelToken& token);  // called by CancelToken::cancel
}

}  // namespace sluice::util
