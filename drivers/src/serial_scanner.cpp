#include "packd/drivers/serial_scanner.hpp"

#include <boost/asio/connect.hpp>

#include "packd/common/log.hpp"

namespace packd::drivers {

SerialScanner::SerialScanner(boost::asio::io_context& io, std::string name, SerialScannerSettings settings)
    : name_(std::move(name)),
      settings_(std::move(settings)),
      codec_(settings_.suffix),
      port_(io),
      reconnect_timer_(io) {}

SerialScanner::~SerialScanner() {
    *alive_ = false;
    boost::system::error_code ec;
    port_.close(ec);
}

Status SerialScanner::open() {
    auto st = open_once();
    if (!st) {
        lost(st.error().message);
    }
    return st;
}

Status SerialScanner::open_once() {
    boost::system::error_code ec;
    port_.open(settings_.device, ec);
    if (ec) {
        return fail("cannot open " + settings_.device + ": " + ec.message());
    }
    // 8N1 without flow control: the factory setting of serial scanners. CDC-ACM ignores the line settings.
    using sp = boost::asio::serial_port_base;
    port_.set_option(sp::baud_rate(settings_.baud), ec);
    if (!ec) {
        port_.set_option(sp::character_size(8), ec);
    }
    if (!ec) {
        port_.set_option(sp::parity(sp::parity::none), ec);
    }
    if (!ec) {
        port_.set_option(sp::stop_bits(sp::stop_bits::one), ec);
    }
    if (!ec) {
        port_.set_option(sp::flow_control(sp::flow_control::none), ec);
    }
    if (ec) {
        port_.close();
        return fail("cannot set " + settings_.device + " to " + std::to_string(settings_.baud) +
                    " 8N1: " + ec.message());
    }
    status_ = {DeviceState::ready, settings_.device + " at " + std::to_string(settings_.baud) +
                                       " baud, suffix " + to_string(settings_.suffix)};
    log::info("scanner " + name_ + ": " + status_.detail);
    read_more();
    return {};
}

void SerialScanner::read_more() {
    port_.async_read_some(
        boost::asio::buffer(buffer_),
        [this, alive = alive_](const boost::system::error_code& ec, std::size_t n) {
            if (!*alive || ec == boost::asio::error::operation_aborted) {
                return;
            }
            if (ec || n == 0) {
                lost("scanner gone (" + (ec ? ec.message() : std::string("end of file")) + ")");
                return;
            }
            codec_.feed({buffer_.data(), n}, [this](Result<std::string> s) { deliver(std::move(s)); });
            read_more();
        });
}

void SerialScanner::lost(const std::string& why) {
    codec_.abandon(why, [this](Result<std::string> s) { deliver(std::move(s)); });
    boost::system::error_code ec;
    port_.close(ec);
    if (status_.state != DeviceState::offline || status_.detail != why) {
        log::warning("scanner " + name_ + ": " + why + "; retrying every " +
                     std::to_string(settings_.reconnect.count()) + " ms");
    }
    status_ = {DeviceState::offline, why};
    reconnect_timer_.expires_after(settings_.reconnect);
    reconnect_timer_.async_wait([this, alive = alive_](const boost::system::error_code& wait_ec) {
        if (!*alive || wait_ec) {
            return;
        }
        if (auto st = open_once(); !st) {
            lost(st.error().message);
        }
    });
}

void SerialScanner::deliver(Result<std::string> scan) {
    if (!handler_) {
        return;
    }
    if (scan) {
        handler_(ScanReading{std::move(*scan), {}, {}, {}});
    } else {
        handler_(ScanReading{{}, {}, scan.error().message, {}});
    }
}

TcpScanner::TcpScanner(boost::asio::io_context& io, std::string name, TcpScannerSettings settings)
    : name_(std::move(name)),
      settings_(std::move(settings)),
      codec_(settings_.suffix),
      resolver_(io),
      socket_(io),
      reconnect_timer_(io) {}

TcpScanner::~TcpScanner() {
    *alive_ = false;
    boost::system::error_code ec;
    socket_.close(ec);
}

void TcpScanner::open() {
    status_ = {DeviceState::offline,
               "connecting to " + settings_.host + ":" + std::to_string(settings_.port)};
    connect();
}

void TcpScanner::connect() {
    resolver_.async_resolve(
        settings_.host, std::to_string(settings_.port),
        [this, alive = alive_](const boost::system::error_code& ec,
                               boost::asio::ip::tcp::resolver::results_type r) {
            if (!*alive || ec == boost::asio::error::operation_aborted) {
                return;
            }
            if (ec) {
                lost("cannot resolve " + settings_.host + ": " + ec.message());
                return;
            }
            boost::asio::async_connect(
                socket_, r,
                [this, alive](const boost::system::error_code& cec, const boost::asio::ip::tcp::endpoint&) {
                    if (!*alive || cec == boost::asio::error::operation_aborted) {
                        return;
                    }
                    if (cec) {
                        lost("cannot connect to " + settings_.host + ":" + std::to_string(settings_.port) +
                             ": " + cec.message());
                        return;
                    }
                    status_ = {DeviceState::ready,
                               "connected to " + settings_.host + ":" + std::to_string(settings_.port)};
                    log::info("scanner " + name_ + ": " + status_.detail);
                    read_more();
                });
        });
}

void TcpScanner::read_more() {
    socket_.async_read_some(
        boost::asio::buffer(buffer_),
        [this, alive = alive_](const boost::system::error_code& ec, std::size_t n) {
            if (!*alive || ec == boost::asio::error::operation_aborted) {
                return;
            }
            if (ec || n == 0) {
                lost("connection lost (" + (ec ? ec.message() : std::string("closed")) + ")");
                return;
            }
            codec_.feed({buffer_.data(), n}, [this](Result<std::string> s) { deliver(std::move(s)); });
            read_more();
        });
}

void TcpScanner::lost(const std::string& why) {
    codec_.abandon(why, [this](Result<std::string> s) { deliver(std::move(s)); });
    boost::system::error_code ec;
    socket_.close(ec);
    if (status_.state == DeviceState::ready || status_.detail != why) {
        log::warning("scanner " + name_ + ": " + why + "; retrying every " +
                     std::to_string(settings_.reconnect.count()) + " ms");
    }
    status_ = {DeviceState::offline, why};
    reconnect_timer_.expires_after(settings_.reconnect);
    reconnect_timer_.async_wait([this, alive = alive_](const boost::system::error_code& wait_ec) {
        if (!*alive || wait_ec) {
            return;
        }
        connect();
    });
}

void TcpScanner::deliver(Result<std::string> scan) {
    if (!handler_) {
        return;
    }
    if (scan) {
        handler_(ScanReading{std::move(*scan), {}, {}, {}});
    } else {
        handler_(ScanReading{{}, {}, scan.error().message, {}});
    }
}

}  // namespace packd::drivers
