#pragma once
// What every scanner on an Asio byte stream shares (serial port, TCP socket, evdev descriptor): the
// read loop, and losing the stream and opening it again through the reconnecting piece
// (reconnecting.hpp). A transport only says how its stream opens and how its bytes decode.

#include <array>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "packd/common/result.hpp"
#include "packd/drivers/reconnecting.hpp"
#include "packd/drivers/scanner.hpp"

namespace packd::drivers {

template <class Stream>
class StreamScanner : public Scanner {
  public:
    ~StreamScanner() override {
        alive_.end();
        boost::system::error_code ec;
        stream_.close(ec);
    }
    StreamScanner(const StreamScanner&) = delete;
    StreamScanner& operator=(const StreamScanner&) = delete;

    const std::string& name() const override { return name_; }
    DeviceStatus status() const override { return link_.status(); }
    void on_scan(ScanHandler handler) override { handler_ = std::move(handler); }
    void on_state_change(StateHandler handler) override { link_.on_state_change(std::move(handler)); }
    /// Opens the stream; when that fails the status says why and retries run on the timer.
    Status open() override {
        link_.resume();
        return start();
    }
    /// Lets go of the stream and stops retrying.
    void close() override {
        link_.halt();
        boost::system::error_code ec;
        stream_.close(ec);
    }

  protected:
    StreamScanner(boost::asio::io_context& io, std::string name, std::chrono::milliseconds reconnect)
        : stream_(io), link_(io, "scanner " + name, reconnect, DeviceStatus{}), name_(std::move(name)) {
        link_.retry_with([this] { (void)start(); });
    }

    /// Opens `stream_`. On success it calls `connected()`, now or (for an async connect) later; an
    /// async failure calls `lost()`. A failure returned here is handed to `lost()` by the caller.
    virtual Status open_stream() = 0;
    /// Bytes as they came off the stream; a scan may be split over reads.
    virtual void decode(std::span<const std::uint8_t> bytes) = 0;
    /// The stream is gone: a scan in progress is reported cut short with this reason.
    virtual void abandon(const std::string& why) = 0;
    /// The status line for a stream that ended (`ec` set) or reached end of file (`ec` clear).
    virtual std::string gone(const boost::system::error_code& ec) const = 0;

    /// Opens the stream; when that fails the status says why and retries run on the timer.
    Status start() {
        auto st = open_stream();
        if (!st) {
            lost(st.error().message);
        }
        return st;
    }

    void connected(std::string detail) {
        link_.online(std::move(detail));
        read_more();
    }

    void lost(const std::string& why) {
        abandon(why);
        boost::system::error_code ec;
        stream_.close(ec);
        link_.lost(why);
    }

    void deliver(ScanReading reading) {
        if (handler_) {
            handler_(reading);
        }
    }

    /// Handlers of derived classes check this too: the scanner may be gone when they run.
    AliveToken alive() const { return alive_.token(); }

    Stream stream_;
    ReconnectingDevice link_;

  private:
    void read_more() {
        stream_.async_read_some(
            boost::asio::buffer(buffer_),
            [this, alive = alive_.token()](const boost::system::error_code& ec, std::size_t n) {
                if (!alive || ec == boost::asio::error::operation_aborted) {
                    return;
                }
                if (ec || n == 0) {
                    lost(gone(ec));
                    return;
                }
                decode({buffer_.data(), n});
                read_more();
            });
    }

    std::string name_;
    // A whole number of 24-byte input_event records, so evdev reads seldom split one.
    std::array<std::uint8_t, 24 * 64> buffer_{};
    ScanHandler handler_;
    Liveness alive_;
};

}  // namespace packd::drivers
