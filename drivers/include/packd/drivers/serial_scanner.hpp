#pragma once
// Serial scanners (RS-232, and USB scanners in CDC-ACM mode, /dev/ttyACM*) through Boost.Asio, and
// network scanners over TCP: bytes with a suffix after each scan. Both reconnect on a timer they own.

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/serial_port.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "packd/drivers/scanner.hpp"
#include "packd/drivers/suffix_scan_codec.hpp"

namespace packd::drivers {

struct SerialScannerSettings {
    std::string device;  ///< /dev/ttyACM0, /dev/serial/by-id/...
    unsigned baud = 9600;
    ScanSuffix suffix = ScanSuffix::cr;
    std::chrono::milliseconds reconnect{2000};
};

class SerialScanner final : public Scanner {
  public:
    SerialScanner(boost::asio::io_context& io, std::string name, SerialScannerSettings settings);
    ~SerialScanner() override;
    Status open();
    const std::string& name() const override { return name_; }
    DeviceStatus status() const override { return status_; }
    void on_scan(ScanHandler handler) override { handler_ = std::move(handler); }

  private:
    Status open_once();
    void read_more();
    void lost(const std::string& why);
    void deliver(Result<std::string> scan);

    std::string name_;
    SerialScannerSettings settings_;
    SuffixScanCodec codec_;
    boost::asio::serial_port port_;
    boost::asio::steady_timer reconnect_timer_;
    std::array<char, 1024> buffer_{};
    DeviceStatus status_;
    ScanHandler handler_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

struct TcpScannerSettings {
    std::string host;
    unsigned short port = 0;
    ScanSuffix suffix = ScanSuffix::cr;
    std::chrono::milliseconds reconnect{2000};
};

class TcpScanner final : public Scanner {
  public:
    TcpScanner(boost::asio::io_context& io, std::string name, TcpScannerSettings settings);
    ~TcpScanner() override;
    /// Starts connecting; the status says how far it got.
    void open();
    const std::string& name() const override { return name_; }
    DeviceStatus status() const override { return status_; }
    void on_scan(ScanHandler handler) override { handler_ = std::move(handler); }

  private:
    void connect();
    void read_more();
    void lost(const std::string& why);
    void deliver(Result<std::string> scan);

    std::string name_;
    TcpScannerSettings settings_;
    SuffixScanCodec codec_;
    boost::asio::ip::tcp::resolver resolver_;
    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer reconnect_timer_;
    std::array<char, 1024> buffer_{};
    DeviceStatus status_;
    ScanHandler handler_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace packd::drivers
