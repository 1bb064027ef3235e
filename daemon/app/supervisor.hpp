// Supervisor: a thread that fails ends the daemon cleanly (issue 5 item 5), never through
// std::terminate (an exception escaping a std::thread) or by stopping silently.
//
// Each thread body runs inside guard(name, body): an exception escaping it, or a body
// returning a core::Result<void> error, is logged with the thread's name, recorded (the
// first failure wins), `on_failure` runs on that thread (e.g. close its input queue so
// producers never block on a consumer that is gone), and the main loop is woken. serve's main
// loop then stops the daemon in order and exits 1; systemd (Restart=on-failure) restarts it.
//
// Pipeline threads (workers, correlator) use the same wrapper:
//   std::thread t(supervisor.guard("correlator", [&] { correlator_loop(); }, [&] { q2.close(); }));
//
// Thread contract: guard()'s callables run on any thread; failed()/failure() from any thread.
#pragma once

#include <atomic>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>

#include <spdlog/spdlog.h>

#include "core/error.hpp"

namespace vigie::app {

class Supervisor {
 public:
  // `wake_main` is called (from the failing thread) once per failure; it must not block.
  explicit Supervisor(std::function<void()> wake_main) : wake_main_(std::move(wake_main)) {}

  template <class Fn>
  auto guard(std::string name, Fn body, std::function<void()> on_failure = {}) {
    return [this, name = std::move(name), body = std::move(body),
            on_failure = std::move(on_failure)](auto&&... args) mutable {
      try {
        using R = decltype(body(std::forward<decltype(args)>(args)...));
        if constexpr (std::is_same_v<R, core::Result<void>>) {
          if (auto r = body(std::forward<decltype(args)>(args)...); !r) fail(name, r.error().to_string(), on_failure);
        } else {
          body(std::forward<decltype(args)>(args)...);
        }
      } catch (const std::exception& e) {
        fail(name, e.what(), on_failure);
      } catch (...) {
        fail(name, "unknown exception", on_failure);
      }
    };
  }

  [[nodiscard]] bool failed() const { return failed_.load(std::memory_order_acquire); }
  // "thread NAME: WHAT" of the first failure; empty if none.
  [[nodiscard]] std::string failure() const {
    std::lock_guard lock(mu_);
    return failure_;
  }

 private:
  void fail(const std::string& name, const std::string& what, const std::function<void()>& on_failure) {
    spdlog::critical("thread {} failed: {}", name, what);
    {
      std::lock_guard lock(mu_);
      if (failure_.empty()) failure_ = "thread " + name + ": " + what;
    }
    failed_.store(true, std::memory_order_release);
    if (on_failure) {
      try {
        on_failure();
      } catch (...) {
        spdlog::critical("thread {}: cleanup after the failure failed too", name);
      }
    }
    if (wake_main_) wake_main_();
  }

  std::function<void()> wake_main_;
  std::atomic<bool> failed_{false};
  mutable std::mutex mu_;  // guards failure_
  std::string failure_;
};

}  // namespace vigie::app
