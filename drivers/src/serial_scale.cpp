#include "packd/drivers/serial_scale.hpp"

#include <boost/asio/write.hpp>

#include "packd/common/log.hpp"

namespace packd::drivers {
namespace {

using boost::asio::serial_port_base;

WeightReading invalid(std::string reason) {
    WeightReading r;
    r.valid = false;
    r.reason = std::move(reason);
    return r;
}

}  // namespace

SerialScale::SerialScale(boost::asio::io_context& io, std::string name, SerialLine line,
                         std::unique_ptr<SerialScaleProtocol> protocol, SerialScaleTiming timing)
    : io_(io),
      name_(std::move(name)),
      line_(std::move(line)),
      protocol_(std::move(protocol)),
      timing_(timing),
      port_(io),
      poll_timer_(io),
      link_(io, "scale " + name_, timing_.reconnect, DeviceStatus{}) {
    link_.set_lines(
        {[this](const std::string& why) { return "scale " + name_ + ": " + why + "; reconnecting"; },
         [this](const std::string&) { return "scale " + name_ + ": connected to " + line_.port; }, nullptr});
    link_.retry_with([this] {
        if (closed_) {
            return;
        }
        if (auto st = open_port(); !st) {
            link_.lost(st.error().message);
        }
    });
}

SerialScale::~SerialScale() {
    alive_.end();
    close();
}

Status SerialScale::open() {
    closed_ = false;
    link_.resume();
    auto st = open_port();
    if (!st) {
        link_.lost(st.error().message);
    }
    return st;
}

void SerialScale::close() {
    closed_ = true;
    boost::system::error_code ec;
    link_.halt();
    poll_timer_.cancel();
    port_.close(ec);
}

Status SerialScale::open_port() {
    boost::system::error_code ec;
    port_.open(line_.port, ec);
    if (ec) {
        return fail("cannot open " + line_.port + ": " + ec.message());
    }
    const auto parity = line_.parity == 'E'   ? serial_port_base::parity::even
                        : line_.parity == 'O' ? serial_port_base::parity::odd
                                              : serial_port_base::parity::none;
    const auto flow = line_.flow_control == "rts-cts"    ? serial_port_base::flow_control::hardware
                      : line_.flow_control == "xon-xoff" ? serial_port_base::flow_control::software
                                                         : serial_port_base::flow_control::none;
    const auto stop =
        line_.stop_bits == 2 ? serial_port_base::stop_bits::two : serial_port_base::stop_bits::one;
    const char* failed = nullptr;
    const auto set = [&](const auto& option, const char* what) {
        if (!ec) {
            port_.set_option(option, ec);
            failed = ec ? what : nullptr;
        }
    };
    set(serial_port_base::baud_rate(line_.baud), "baud rate");
    set(serial_port_base::character_size(line_.data_bits), "data bits");
    set(serial_port_base::parity(parity), "parity");
    set(serial_port_base::stop_bits(stop), "stop bits");
    set(serial_port_base::flow_control(flow), "flow control");
    if (ec) {
        boost::system::error_code ignored;
        port_.close(ignored);
        return fail("cannot set the " + std::string(failed) + " of " + line_.port + ": " + ec.message());
    }
    ++connections_;
    ++generation_;
    protocol_->reset();
    outbox_.clear();
    writing_ = false;
    unanswered_ = 0;
    link_.online(std::string(protocol_->name()) + " on " + line_.port);
    read_more();
    schedule_poll();
    return {};
}

void SerialScale::read_more() {
    port_.async_read_some(
        boost::asio::buffer(buffer_), [this, alive = alive_.token()](boost::system::error_code ec, size_t n) {
            if (!alive || closed_) {
                return;
            }
            if (ec) {
                lost(ec == boost::asio::error::eof ? "port closed" : ec.message());
                return;
            }
            protocol_->feed(
                std::string_view(buffer_.data(), n), [this](const WeightReading& r) { deliver(r); },
                [this](const std::string& notice) {
                    unanswered_ = 0;
                    last_notice_ = notice;
                    log::info("scale " + name_ + ": " + notice);
                });
            read_more();
        });
}

void SerialScale::deliver(const WeightReading& reading) {
    unanswered_ = 0;
    if (!link_.online_now()) {
        link_.online(std::string(protocol_->name()) + " on " + line_.port);
    }
    last_ = reading;
    if (handler_) {
        handler_(reading);
    }
}

void SerialScale::lost(const std::string& why) {
    boost::system::error_code ignored;
    poll_timer_.cancel();
    port_.close(ignored);
    // A reading cut by the unplugging must not stand as the current weight.
    last_ = invalid("scale disconnected: " + why);
    link_.lost("disconnected from " + line_.port + ": " + why);
    if (handler_) {
        handler_(*last_);
    }
}

void SerialScale::schedule_poll() {
    const std::string request = protocol_->poll_request();
    if (request.empty()) {
        return;  // the scale streams; packd never writes to it
    }
    poll_timer_.expires_after(timing_.poll);
    poll_timer_.async_wait([this, request, alive = alive_.token()](boost::system::error_code ec) {
        if (ec || !alive || closed_ || !port_.is_open()) {
            return;
        }
        if (++unanswered_ == timing_.unanswered_polls) {
            link_.set({DeviceState::fault,
                       "no answer from the scale on " + line_.port + " (check baud rate, parity and cable)"});
            last_ = invalid("no answer from the scale");
            if (handler_) {
                handler_(*last_);
            }
        }
        // One request in flight at a time: a slow scale is not flooded.
        if (outbox_.empty() && !writing_) {
            send(request);
        }
        schedule_poll();
    });
}

void SerialScale::send(std::string bytes) {
    outbox_.push_back(std::move(bytes));
    write_next();
}

void SerialScale::write_next() {
    if (writing_ || outbox_.empty() || !port_.is_open()) {
        return;
    }
    writing_ = true;
    boost::asio::async_write(
        port_, boost::asio::buffer(outbox_.front()),
        [this, generation = generation_, alive = alive_.token()](boost::system::error_code ec, size_t) {
            // A write from before a reconnect: its outbox is gone already.
            if (!alive || generation != generation_) {
                return;
            }
            writing_ = false;
            if (!outbox_.empty()) {
                outbox_.pop_front();
            }
            if (ec) {
                return;  // the read side sees the same failure and reconnects
            }
            write_next();
        });
}

Status SerialScale::command(Result<std::string> request) {
    if (!request) {
        return request.error();
    }
    if (!port_.is_open()) {
        return fail("scale " + name_ + " is not connected (" + link_.status().detail + ")");
    }
    send(std::move(*request));
    return {};
}

Status SerialScale::zero() {
    return command(protocol_->zero_request());
}

Status SerialScale::tare() {
    return command(protocol_->tare_request());
}

}  // namespace packd::drivers
