#pragma once
// The lost-device shape every transport shares: the device's status and why it is offline, one journal
// line per new reason and one when it is back, a reconnect timer on the io_context, a push to whoever
// listens for status changes, and the liveness token its handlers carry.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "packd/common/log.hpp"
#include "packd/drivers/device.hpp"

namespace packd::drivers {

/// Carried by a handler to learn whether the object that started it still exists. Copy it and test it on
/// any thread (the flag is atomic); the object itself is touched only on the io_context.
class AliveToken {
  public:
    AliveToken() = default;
    explicit operator bool() const { return flag_ && flag_->load(std::memory_order_acquire); }

  private:
    friend class Liveness;
    explicit AliveToken(std::shared_ptr<const std::atomic<bool>> flag) : flag_(std::move(flag)) {}
    std::shared_ptr<const std::atomic<bool>> flag_;
};

/// Owned by an object whose handlers may run after it is gone: its tokens turn false when it ends.
class Liveness {
  public:
    Liveness() = default;
    ~Liveness() { end(); }
    Liveness(const Liveness&) = delete;
    Liveness& operator=(const Liveness&) = delete;

    AliveToken token() const { return AliveToken(flag_); }
    /// Ends early, first thing in the owner's destructor, before members it handlers use are gone.
    void end() { flag_->store(false, std::memory_order_release); }
    /// `fn` wrapped so that it does nothing once the owner ended.
    template <class Fn>
    auto guard(Fn fn) const {
        return [alive = token(), fn = std::move(fn)](auto&&... args) mutable {
            if (alive) {
                fn(std::forward<decltype(args)>(args)...);
            }
        };
    }

  private:
    std::shared_ptr<std::atomic<bool>> flag_ = std::make_shared<std::atomic<bool>>(true);
};

/// Tells a listener, on the io_context, about each change of a device's status: a copy is posted, so an
/// outage and its end both arrive even when they fall between two polls.
class StatusPush {
  public:
    explicit StatusPush(boost::asio::io_context& io) : io_(io) {}
    void listen(StateHandler handler) { handler_ = std::move(handler); }
    /// Posts `now` to the listener when it differs from the status seen last.
    void update(const DeviceStatus& now);

  private:
    boost::asio::io_context& io_;
    StateHandler handler_;
    DeviceStatus last_;
    bool first_ = true;
    Liveness alive_;
};

/// The journal lines of a device that comes and goes, for drivers whose wording differs.
struct ReconnectLines {
    /// The warning when the device is lost for a reason not logged yet.
    std::function<std::string(const std::string& why)> lost;
    /// The line when it is ready again (or for the first time).
    std::function<std::string(const std::string& detail)> back;
    /// Where lines go; the journal unless a test counts them.
    std::function<void(log::Level, const std::string&)> write;
};

/// Holds a device's status across losing and finding it again. Everything runs on the io_context.
class ReconnectingDevice {
  public:
    /// `subject` prefixes the journal lines ("scanner gun"); `interval` is the wait between attempts.
    ReconnectingDevice(boost::asio::io_context& io, std::string subject, std::chrono::milliseconds interval,
                       DeviceStatus initial = {DeviceState::offline, "not opened yet"});
    ReconnectingDevice(const ReconnectingDevice&) = delete;
    ReconnectingDevice& operator=(const ReconnectingDevice&) = delete;

    /// What the timer runs: the device tries again and reports with `online` or `lost`.
    void retry_with(std::function<void()> attempt) { attempt_ = std::move(attempt); }
    /// Overrides the wording of the journal lines (defaults: "SUBJECT: WHY; retrying every N ms" and
    /// "SUBJECT: DETAIL").
    void set_lines(ReconnectLines lines);
    void on_state_change(StateHandler handler) { push_.listen(std::move(handler)); }

    const DeviceStatus& status() const { return *status_; }
    /// The status itself, for code that writes it directly (a printer's status job); call refresh() after.
    const std::shared_ptr<DeviceStatus>& shared_status() const { return status_; }
    bool online_now() const { return status_->state == DeviceState::ready; }
    std::chrono::milliseconds interval() const { return interval_; }
    const AliveToken token() const { return alive_.token(); }

    /// Ready with `detail`; logged when it was not ready before.
    void online(std::string detail);
    /// Offline for `why`: logged once per reason in a row, and the timer armed for the next attempt.
    void lost(const std::string& why);
    /// Any other status (a fault, a first "looking for ..."): neither logged nor retried.
    void set(DeviceStatus status);
    /// Pushes a change made through shared_status().
    void refresh() { push_.update(*status_); }
    /// Closed: the timer stops and `lost` no longer arms it, until resume().
    void halt();
    void resume() { halted_ = false; }
    bool halted() const { return halted_; }

  private:
    void write(log::Level level, const std::string& line) const;

    std::string subject_;
    std::chrono::milliseconds interval_;
    boost::asio::steady_timer timer_;
    std::shared_ptr<DeviceStatus> status_;
    std::function<void()> attempt_;
    ReconnectLines lines_;
    StatusPush push_;
    bool halted_ = false;
    Liveness alive_;
};

}  // namespace packd::drivers
