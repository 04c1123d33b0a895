#pragma once
// Watches the event loop the domain runs on. A periodic timer measures how late it fires: that lateness
// (the loop's lag) is how long other handlers kept the loop from serving timers, sockets and devices. The
// pieces of work packd knows to be its largest (a batch of the inbox, a slice of a print queue) are timed
// by name, so the longest one can be named. Figures, not pass/fail: they go to `packctl status` and to the
// benchmarks. Used on the io_context thread only.

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <string>

namespace packd {

class LoopMonitor {
  public:
    using Clock = std::chrono::steady_clock;

    /// What the loop went through since start or the last reset.
    struct Figures {
        double lag_max_ms = 0;
        double lag_p50_ms = 0;
        double lag_p99_ms = 0;
        std::uint64_t samples = 0;      ///< timer firings measured
        double longest_handler_ms = 0;  ///< the longest piece of named work
        std::string longest_handler;    ///< its name; empty when none ran
        std::uint64_t over_budget = 0;  ///< named pieces that took longer than the budget
    };

    /// Times one piece of work from construction to destruction.
    class Scope {
      public:
        Scope(LoopMonitor* monitor, const char* what)
            : monitor_(monitor), what_(what), start_(Clock::now()) {}
        ~Scope() {
            if (monitor_ != nullptr) {
                monitor_->record(what_, Clock::now() - start_);
            }
        }
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;

      private:
        LoopMonitor* monitor_;
        const char* what_;
        Clock::time_point start_;
    };

    /// `period`: how often the timer fires; `budget`: the longest a handler should run.
    explicit LoopMonitor(boost::asio::io_context& io,
                         std::chrono::milliseconds period = std::chrono::milliseconds(5),
                         std::chrono::milliseconds budget = std::chrono::milliseconds(5));

    void start();
    void stop();
    /// Records a piece of work that took `took`; `what` must outlive the monitor (a string literal).
    void record(const char* what, Clock::duration took);
    Figures figures() const;
    /// Forgets everything measured so far.
    void reset();

  private:
    void arm();
    void sampled(Clock::duration lag);

    /// Lag in steps of 0.1 ms up to 100 ms; the last bucket holds everything longer.
    static constexpr std::size_t kBuckets = 1001;

    boost::asio::steady_timer timer_;
    std::chrono::milliseconds period_;
    Clock::duration budget_;
    Clock::time_point due_;
    bool running_ = false;
    std::array<std::uint64_t, kBuckets> lag_buckets_{};
    std::uint64_t samples_ = 0;
    Clock::duration lag_max_{};
    Clock::duration longest_{};
    const char* longest_what_ = nullptr;
    std::uint64_t over_budget_ = 0;
};

}  // namespace packd
