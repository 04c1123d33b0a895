#pragma once
// What every scanner on an Asio byte stream shares (serial port, TCP socket, evdev descriptor): the
// read loop, the status, losing the stream and opening it again on a reconnect timer. A transport
// only says how its stream opens and how its bytes decode.

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "packd/common/log.hpp"
#include "packd/common/result.hpp"
#include "packd/drivers/scanner.hpp"

namespace packd::drivers {

template <class Stream>
class StreamScanner : public Scanner {
  public:
    ~StreamScanner() override {
        *alive_ = false;
        boost::system::error_code ec;
        stream_.close(ec);
    }
    StreamScanner(const StreamScanner&) = delete;
    StreamScanner& operator=(const StreamScanner&) = delete;

    const std::string& name() const override { return name_; }
    DeviceStatus status() const override { return status_; }
    void on_scan(ScanHandler handler) override { handler_ = std::move(handler); }

  protected:
    StreamScanner(boost::asio::io_context& io, std::string name, std::chrono::milliseconds reconnect)
        : stream_(io), name_(std::move(name)), reconnect_(reconnect), reconnect_timer_(io) {}

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
        status_ = {DeviceState::ready, std::move(detail)};
        log::info("scanner " + name_ + ": " + status_.detail);
        read_more();
    }

    void lost(const std::string& why) {
        abandon(why);
        boost::system::error_code ec;
        stream_.close(ec);
        if (status_.state != DeviceState::offline || status_.detail != why) {
            log::warning("scanner " + name_ + ": " + why + "; retrying every " +
                         std::to_string(reconnect_.count()) + " ms");
        }
        status_ = {DeviceState::offline, why};
        reconnect_timer_.expires_after(reconnect_);
        reconnect_timer_.async_wait([this, alive = alive_](const boost::system::error_code& wait_ec) {
            if (!*alive || wait_ec) {
                return;
            }
            (void)start();
        });
    }

    void deliver(ScanReading reading) {
        if (handler_) {
            handler_(reading);
        }
    }

    /// Handlers of derived classes check this too: the scanner may be gone when they run.
    const std::shared_ptr<bool>& alive() const { return alive_; }

    Stream stream_;
    DeviceStatus status_;

  private:
    void read_more() {
        stream_.async_read_some(boost::asio::buffer(buffer_),
                                [this, alive = alive_](const boost::system::error_code& ec, std::size_t n) {
                                    if (!*alive || ec == boost::asio::error::operation_aborted) {
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
    std::chrono::milliseconds reconnect_;
    boost::asio::steady_timer reconnect_timer_;
    // A whole number of 24-byte input_event records, so evdev reads seldom split one.
    std::array<std::uint8_t, 24 * 64> buffer_{};
    ScanHandler handler_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace packd::drivers
