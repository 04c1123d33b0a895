#pragma once
// Serial scanners (RS-232, and USB scanners in CDC-ACM mode, /dev/ttyACM*) through Boost.Asio, and
// network scanners over TCP: bytes with a suffix after each scan. Both reconnect on a timer
// (stream_scanner.hpp); each only says how it opens.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/serial_port.hpp>
#include <chrono>
#include <string>

#include "packd/drivers/stream_scanner.hpp"
#include "packd/drivers/suffix_scan_codec.hpp"

namespace packd::drivers {

struct SerialScannerSettings {
    std::string device;  ///< /dev/ttyACM0, /dev/serial/by-id/...
    unsigned baud = 9600;
    ScanSuffix suffix = ScanSuffix::cr;
    std::chrono::milliseconds reconnect{2000};
};

/// Suffix-terminated scans off any byte stream: the codec half both transports share.
template <class Stream>
class SuffixStreamScanner : public StreamScanner<Stream> {
  protected:
    SuffixStreamScanner(boost::asio::io_context& io, std::string name, ScanSuffix suffix,
                        std::chrono::milliseconds reconnect)
        : StreamScanner<Stream>(io, std::move(name), reconnect), codec_(suffix) {}

    void decode(std::span<const std::uint8_t> bytes) override {
        codec_.feed({reinterpret_cast<const char*>(bytes.data()), bytes.size()},
                    [this](Result<std::string> s) { emit(std::move(s)); });
    }
    void abandon(const std::string& why) override {
        codec_.abandon(why, [this](Result<std::string> s) { emit(std::move(s)); });
    }

  private:
    void emit(Result<std::string> scan) {
        if (scan) {
            this->deliver(ScanReading{std::move(*scan), {}, {}, {}});
        } else {
            this->deliver(ScanReading{{}, {}, scan.error().message, {}});
        }
    }

    SuffixScanCodec codec_;
};

class SerialScanner final : public SuffixStreamScanner<boost::asio::serial_port> {
  public:
    SerialScanner(boost::asio::io_context& io, std::string name, SerialScannerSettings settings);

  private:
    Status open_stream() override;
    std::string gone(const boost::system::error_code& ec) const override;

    SerialScannerSettings settings_;
};

struct TcpScannerSettings {
    std::string host;
    unsigned short port = 0;
    ScanSuffix suffix = ScanSuffix::cr;
    std::chrono::milliseconds reconnect{2000};
};

class TcpScanner final : public SuffixStreamScanner<boost::asio::ip::tcp::socket> {
  public:
    TcpScanner(boost::asio::io_context& io, std::string name, TcpScannerSettings settings);
    /// Starts connecting; the status says how far it got. Never fails here: the outcome arrives later.
    Status open() override;

  private:
    Status open_stream() override;
    std::string gone(const boost::system::error_code& ec) const override;
    std::string address() const;

    TcpScannerSettings settings_;
    boost::asio::ip::tcp::resolver resolver_;
};

}  // namespace packd::drivers
