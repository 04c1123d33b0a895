#include "packd/common/loop_monitor.hpp"

#include <algorithm>

namespace packd {
namespace {

double ms(LoopMonitor::Clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

LoopMonitor::LoopMonitor(boost::asio::io_context& io, std::chrono::milliseconds period,
                         std::chrono::milliseconds budget)
    : timer_(io), period_(period), budget_(budget) {}

void LoopMonitor::start() {
    running_ = true;
    due_ = Clock::now() + period_;
    arm();
}

void LoopMonitor::stop() {
    running_ = false;
    timer_.cancel();
}

void LoopMonitor::arm() {
    timer_.expires_at(due_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || !running_) {
            return;
        }
        const Clock::time_point now = Clock::now();
        sampled(now - due_);
        // The next firing is due one period after this one was; after a stall the missed ones are skipped,
        // not made up in a row.
        due_ += period_;
        if (due_ <= now) {
            due_ = now + period_;
        }
        arm();
    });
}

void LoopMonitor::sampled(Clock::duration lag) {
    lag = std::max(lag, Clock::duration::zero());
    const auto tenths =
        static_cast<std::size_t>(std::chrono::duration_cast<std::chrono::microseconds>(lag).count() / 100);
    ++lag_buckets_[std::min(tenths, kBuckets - 1)];
    ++samples_;
    lag_max_ = std::max(lag_max_, lag);
}

void LoopMonitor::record(const char* what, Clock::duration took) {
    if (took > budget_) {
        ++over_budget_;
    }
    if (took > longest_) {
        longest_ = took;
        longest_what_ = what;
    }
}

LoopMonitor::Figures LoopMonitor::figures() const {
    Figures out;
    out.samples = samples_;
    out.lag_max_ms = ms(lag_max_);
    out.longest_handler_ms = ms(longest_);
    out.longest_handler = longest_what_ != nullptr ? longest_what_ : "";
    out.over_budget = over_budget_;
    const auto percentile = [&](double p) {
        if (samples_ == 0) {
            return 0.0;
        }
        // Nearest rank; a bucket reads as its upper edge, so a percentile is never understated.
        const auto rank = static_cast<std::uint64_t>(p * static_cast<double>(samples_ - 1)) + 1;
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < kBuckets; ++i) {
            seen += lag_buckets_[i];
            if (seen >= rank) {
                return i + 1 == kBuckets ? out.lag_max_ms : static_cast<double>(i + 1) / 10.0;
            }
        }
        return out.lag_max_ms;
    };
    out.lag_p50_ms = percentile(0.50);
    out.lag_p99_ms = percentile(0.99);
    return out;
}

void LoopMonitor::reset() {
    lag_buckets_.fill(0);
    samples_ = 0;
    lag_max_ = {};
    longest_ = {};
    longest_what_ = nullptr;
    over_budget_ = 0;
}

}  // namespace packd
