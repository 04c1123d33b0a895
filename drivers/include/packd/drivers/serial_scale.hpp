#pragma once
// A scale on a serial port (RS-232, or a USB adapter's /dev/ttyUSB* or by-id link): opens only
// the port the config names, polls it when the protocol asks for it, reconnects on its own.

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/serial_port.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>

#include "packd/drivers/reconnecting.hpp"
#include "packd/drivers/scale.hpp"
#include "packd/drivers/serial_scale_protocol.hpp"

namespace packd::drivers {

/// Line settings of a serial port, as the config gives them.
struct SerialLine {
    std::string port;  ///< a device path: /dev/ttyS0, /dev/serial/by-id/...
    unsigned baud = 9600;
    char parity = 'N';                  ///< 'N', 'E' or 'O'
    unsigned data_bits = 8;             ///< 7 or 8
    unsigned stop_bits = 1;             ///< 1 or 2
    std::string flow_control = "none";  ///< "none", "rts-cts" or "xon-xoff"
};

struct SerialScaleTiming {
    std::chrono::milliseconds poll{200};        ///< how often a polled scale is asked for its weight
    std::chrono::milliseconds reconnect{1000};  ///< wait before opening the port again
    int unanswered_polls = 5;                   ///< polls without an answer before the scale counts as silent
};

class SerialScale final : public Scale {
  public:
    SerialScale(boost::asio::io_context& io, std::string name, SerialLine line,
                std::unique_ptr<SerialScaleProtocol> protocol, SerialScaleTiming timing = {});
    ~SerialScale() override;
    SerialScale(const SerialScale&) = delete;
    SerialScale& operator=(const SerialScale&) = delete;

    /// Opens the port; when that fails the scale keeps trying on its reconnect timer and the
    /// failure is returned for the log, so a scale plugged in later is found.
    Status open() override;
    void close() override;

    const std::string& name() const override { return name_; }
    DeviceStatus status() const override { return link_.status(); }
    void on_state_change(StateHandler handler) override { link_.on_state_change(std::move(handler)); }
    std::optional<WeightReading> last_reading() const override { return last_; }
    void on_reading(ReadingHandler handler) override { handler_ = std::move(handler); }
    /// Sends the protocol's zero command; the scale's answer goes to the log and `last_notice`.
    Status zero() override;
    Status tare() override;

    const std::string& last_notice() const { return last_notice_; }
    /// Bytes or lines dropped as noise so far.
    size_t noise() const { return protocol_->noise(); }
    /// How many times the port was (re)opened.
    int connections() const { return connections_; }

  private:
    Status open_port();
    void read_more();
    void lost(const std::string& why);
    void schedule_poll();
    void send(std::string bytes);
    void write_next();
    void deliver(const WeightReading& reading);
    Status command(Result<std::string> request);

    boost::asio::io_context& io_;
    std::string name_;
    SerialLine line_;
    std::unique_ptr<SerialScaleProtocol> protocol_;
    SerialScaleTiming timing_;
    boost::asio::serial_port port_;
    boost::asio::steady_timer poll_timer_;
    std::array<char, 512> buffer_{};
    std::deque<std::string> outbox_;
    bool writing_ = false;
    bool closed_ = false;
    int unanswered_ = 0;
    int connections_ = 0;
    int generation_ = 0;  ///< counts port openings; stale write completions are ignored
    ReconnectingDevice link_;
    std::optional<WeightReading> last_;
    std::string last_notice_;
    ReadingHandler handler_;
    Liveness alive_;
};

}  // namespace packd::drivers
