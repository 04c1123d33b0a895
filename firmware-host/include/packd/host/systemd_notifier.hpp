#pragma once
// Talks to the service manager (sd_notify(3)): READY=1 once the store is open and devices are
// set up, WATCHDOG=1 from the event loop itself so a hung loop is restarted, one human STATUS=
// line, STOPPING=1 and RELOADING=1. Does nothing when not started by systemd.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <string>

namespace packd::host {

class SystemdNotifier {
  public:
    explicit SystemdNotifier(boost::asio::io_context& io);

    void ready(const std::string& status);
    void reloading();
    void stopping();
    /// Sends STATUS= only when the line changed.
    void status(const std::string& line);
    /// Starts WATCHDOG=1 pings at half the interval systemd asked for, if it asked.
    void start_watchdog();
    std::chrono::microseconds watchdog_interval() const { return watchdog_; }

  private:
    void ping();

    boost::asio::steady_timer timer_;
    std::chrono::microseconds watchdog_{0};
    std::string last_status_;
};

}  // namespace packd::host
