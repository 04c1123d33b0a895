#include "packd/drivers/serial_scanner.hpp"

#include <boost/asio/connect.hpp>

namespace packd::drivers {

SerialScanner::SerialScanner(boost::asio::io_context& io, std::string name, SerialScannerSettings settings)
    : SuffixStreamScanner(io, std::move(name), settings.suffix, settings.reconnect),
      settings_(std::move(settings)) {}

Status SerialScanner::open_stream() {
    boost::system::error_code ec;
    stream_.open(settings_.device, ec);
    if (ec) {
        return fail("cannot open " + settings_.device + ": " + ec.message());
    }
    // 8N1 without flow control: the factory setting of serial scanners. CDC-ACM ignores the line settings.
    using sp = boost::asio::serial_port_base;
    stream_.set_option(sp::baud_rate(settings_.baud), ec);
    if (!ec) {
        stream_.set_option(sp::character_size(8), ec);
    }
    if (!ec) {
        stream_.set_option(sp::parity(sp::parity::none), ec);
    }
    if (!ec) {
        stream_.set_option(sp::stop_bits(sp::stop_bits::one), ec);
    }
    if (!ec) {
        stream_.set_option(sp::flow_control(sp::flow_control::none), ec);
    }
    if (ec) {
        boost::system::error_code ignored;
        stream_.close(ignored);
        return fail("cannot set " + settings_.device + " to " + std::to_string(settings_.baud) +
                    " 8N1: " + ec.message());
    }
    connected(settings_.device + " at " + std::to_string(settings_.baud) + " baud, suffix " +
              to_string(settings_.suffix));
    return {};
}

std::string SerialScanner::gone(const boost::system::error_code& ec) const {
    return "scanner gone (" + (ec ? ec.message() : std::string("end of file")) + ")";
}

TcpScanner::TcpScanner(boost::asio::io_context& io, std::string name, TcpScannerSettings settings)
    : SuffixStreamScanner(io, std::move(name), settings.suffix, settings.reconnect),
      settings_(std::move(settings)),
      resolver_(io) {}

Status TcpScanner::open() {
    link_.resume();
    link_.set({DeviceState::offline, "connecting to " + address()});
    return start();  // never fails here: the outcome arrives through connected() or lost()
}

std::string TcpScanner::address() const {
    return settings_.host + ":" + std::to_string(settings_.port);
}

Status TcpScanner::open_stream() {
    resolver_.async_resolve(
        settings_.host, std::to_string(settings_.port),
        [this, alive = alive()](const boost::system::error_code& ec,
                                boost::asio::ip::tcp::resolver::results_type r) {
            if (!alive || ec == boost::asio::error::operation_aborted) {
                return;
            }
            if (ec) {
                lost("cannot resolve " + settings_.host + ": " + ec.message());
                return;
            }
            boost::asio::async_connect(
                stream_, r,
                [this, alive](const boost::system::error_code& cec, const boost::asio::ip::tcp::endpoint&) {
                    if (!alive || cec == boost::asio::error::operation_aborted) {
                        return;
                    }
                    if (cec) {
                        lost("cannot connect to " + address() + ": " + cec.message());
                        return;
                    }
                    connected("connected to " + address());
                });
        });
    return {};
}

std::string TcpScanner::gone(const boost::system::error_code& ec) const {
    return "connection lost (" + (ec ? ec.message() : std::string("closed")) + ")";
}

}  // namespace packd::drivers
