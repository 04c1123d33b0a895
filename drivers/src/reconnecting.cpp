#include "packd/drivers/reconnecting.hpp"

#include <boost/asio/post.hpp>

namespace packd::drivers {

void StatusPush::update(const DeviceStatus& now) {
    if (!first_ && now.state == last_.state && now.detail == last_.detail) {
        return;
    }
    first_ = false;
    last_ = now;
    if (!handler_) {
        return;
    }
    boost::asio::post(io_, [this, alive = alive_.token(), now] {
        if (alive && handler_) {
            handler_(now);
        }
    });
}

ReconnectingDevice::ReconnectingDevice(boost::asio::io_context& io, std::string subject,
                                       std::chrono::milliseconds interval, DeviceStatus initial)
    : subject_(std::move(subject)),
      interval_(interval),
      timer_(io),
      status_(std::make_shared<DeviceStatus>(std::move(initial))),
      push_(io) {
    push_.update(*status_);  // the starting point: the first change is pushed, not the initial status
}

void ReconnectingDevice::set_lines(ReconnectLines lines) {
    auto write = std::move(lines_.write);
    lines_ = std::move(lines);
    if (!lines_.write) {
        lines_.write = std::move(write);
    }
}

void ReconnectingDevice::write(log::Level level, const std::string& line) const {
    if (lines_.write) {
        lines_.write(level, line);
    } else {
        log::write(level, line);
    }
}

void ReconnectingDevice::online(std::string detail) {
    const bool was_ready = status_->state == DeviceState::ready;
    *status_ = {DeviceState::ready, std::move(detail)};
    if (!was_ready) {
        write(log::Level::info,
              lines_.back ? lines_.back(status_->detail) : subject_ + ": " + status_->detail);
    }
    refresh();
}

void ReconnectingDevice::lost(const std::string& why) {
    if (status_->state != DeviceState::offline || status_->detail != why) {
        write(log::Level::warning, lines_.lost ? lines_.lost(why)
                                               : subject_ + ": " + why + "; retrying every " +
                                                     std::to_string(interval_.count()) + " ms");
    }
    *status_ = {DeviceState::offline, why};
    refresh();
    if (halted_) {
        return;
    }
    timer_.expires_after(interval_);
    timer_.async_wait([this, alive = alive_.token()](const boost::system::error_code& ec) {
        if (!alive || ec || halted_ || !attempt_) {
            return;
        }
        attempt_();
    });
}

void ReconnectingDevice::set(DeviceStatus status) {
    *status_ = std::move(status);
    refresh();
}

void ReconnectingDevice::halt() {
    halted_ = true;
    timer_.cancel();
}

}  // namespace packd::drivers
