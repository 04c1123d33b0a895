#include "packd/host/systemd_notifier.hpp"

#include <systemd/sd-daemon.h>

namespace packd::host {

SystemdNotifier::SystemdNotifier(boost::asio::io_context& io) : timer_(io) {
    uint64_t usec = 0;
    // 0 keeps WATCHDOG_USEC in the environment: child processes never inherit it, we never exec.
    if (sd_watchdog_enabled(0, &usec) > 0) {
        watchdog_ = std::chrono::microseconds(usec);
    }
}

void SystemdNotifier::ready(const std::string& status) {
    last_status_ = status;
    sd_notifyf(0, "READY=1\nSTATUS=%s\nMAINPID=%lu", status.c_str(), static_cast<unsigned long>(getpid()));
}

void SystemdNotifier::reloading() {
    sd_notify(0, "RELOADING=1");
}

void SystemdNotifier::stopping() {
    timer_.cancel();
    sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}

void SystemdNotifier::status(const std::string& line) {
    if (line == last_status_) {
        return;
    }
    last_status_ = line;
    sd_notifyf(0, "STATUS=%s", line.c_str());
}

void SystemdNotifier::start_watchdog() {
    if (watchdog_.count() == 0) {
        return;
    }
    ping();
}

void SystemdNotifier::ping() {
    // The ping is sent by a timer on the same io_context as the domain: if the loop hangs, the
    // pings stop and systemd restarts packd.
    sd_notify(0, "WATCHDOG=1");
    timer_.expires_after(watchdog_ / 2);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) {
            ping();
        }
    });
}

}  // namespace packd::host
