#pragma once
// The bytes of a USB printer's jobs: bulk transfers on the claimed interface, and what the printer and its
// jobs' channels share so that letting go of the device can cancel them first. Private to drivers/src.

#include <libusb.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "packd/drivers/usb_printer.hpp"
#include "packd/drivers/usb_printer_match.hpp"

namespace packd::drivers::usb_printer_io {

std::string usb_error(int code);

/// Transfers in flight on the open device, shared by the printer and its jobs' channels, so that letting
/// go of the device can cancel them and wait for their end before the handle is closed.
struct InFlight {
    std::mutex mutex;
    std::condition_variable ended;
    std::set<libusb_transfer*> live;  // guarded by mutex
    // io_context only:
    libusb_device_handle* handle = nullptr;
    std::string gone;  // why the device was let go of, once it was
};

/// Submits one bulk transfer of `length` bytes (`out` bytes when sending); `done` runs on the io_context.
int submit(boost::asio::io_context& io, const std::shared_ptr<InFlight>& in_flight, uint8_t endpoint,
           const std::string* out, std::size_t length, unsigned timeout_ms,
           std::function<void(int, std::string)> done);

/// The reason a transfer ended with `status`, or why the device was let go of.
std::string transfer_failure(int status, const std::shared_ptr<InFlight>& in_flight, unsigned timeout_ms);

/// Cancels every transfer in flight and, when `wait`, waits (bounded) until libusb has reported each end.
void cancel_all(InFlight& in_flight, bool wait);

}  // namespace packd::drivers::usb_printer_io

namespace packd::drivers {

/// One job's byte pipe over the claimed interface: bulk OUT in chunks, bulk IN for status answers.
struct UsbPrinter::Channel final : ZplChannel {
    using InFlight = usb_printer_io::InFlight;
    Channel(boost::asio::io_context& io, std::shared_ptr<InFlight> in_flight, UsbPrinterInterface interface,
            std::size_t chunk, std::chrono::milliseconds timeout, std::function<void()> unplugged)
        : io_(io),
          in_flight_(std::move(in_flight)),
          interface_(interface),
          chunk_(usb_chunk_size(chunk, interface.out_packet)),
          timeout_ms_(static_cast<unsigned>(timeout.count())),
          unplugged_(std::move(unplugged)) {}

    void write(std::string_view bytes, std::function<void(Status)> done) override {
        auto data = std::make_shared<std::string>(bytes);
        auto chunks = std::make_shared<std::vector<std::pair<std::size_t, std::size_t>>>(
            usb_chunks(data->size(), chunk_));
        send(data, chunks, 0, std::move(done));
    }

    void read_some(std::function<void(Result<std::string>)> done) override {
        const std::size_t length = usb_chunk_size(512, interface_.in_packet);
        auto self = shared_from_this_channel();
        // No libusb timeout: the job's status timer bounds the wait and cancels.
        const int rc = usb_printer_io::submit(
            io_, in_flight_, interface_.in_endpoint, nullptr, length, 0,
            [self, done](int status, std::string data) mutable {
                if (status != LIBUSB_TRANSFER_COMPLETED) {
                    self->failed(status);
                    done(fail(usb_printer_io::transfer_failure(status, self->in_flight_, 0)));
                    return;
                }
                if (data.empty()) {
                    self->read_some(std::move(done));  // a zero-length packet: keep reading
                    return;
                }
                done(std::move(data));
            });
        if (rc != 0) {
            boost::asio::post(io_, [done = std::move(done), why = submit_failure(rc)]() { done(fail(why)); });
        }
    }

    void cancel() override { usb_printer_io::cancel_all(*in_flight_, false); }

    bool readable() const override { return interface_.bidirectional(); }

    std::weak_ptr<Channel> self_;

  private:
    std::shared_ptr<Channel> shared_from_this_channel() { return self_.lock(); }

    void send(const std::shared_ptr<std::string>& data,
              const std::shared_ptr<std::vector<std::pair<std::size_t, std::size_t>>>& chunks,
              std::size_t index, std::function<void(Status)> done) {
        if (index == chunks->size()) {
            boost::asio::post(io_, [done = std::move(done)]() { done({}); });
            return;
        }
        const auto [offset, length] = (*chunks)[index];
        const std::string piece = data->substr(offset, length);
        auto self = shared_from_this_channel();
        const int rc = usb_printer_io::submit(
            io_, in_flight_, interface_.out_endpoint, &piece, piece.size(), timeout_ms_,
            [self, data, chunks, index, done](int status, std::string) mutable {
                if (status != LIBUSB_TRANSFER_COMPLETED) {
                    self->failed(status);
                    done(fail(usb_printer_io::transfer_failure(status, self->in_flight_, self->timeout_ms_)));
                    return;
                }
                self->send(data, chunks, index + 1, std::move(done));
            });
        if (rc != 0) {
            boost::asio::post(io_, [done = std::move(done), why = submit_failure(rc)]() { done(fail(why)); });
        }
    }

    void failed(int status) {
        if (status == LIBUSB_TRANSFER_NO_DEVICE && unplugged_) {
            unplugged_();
        }
    }

    std::string submit_failure(int rc) const {
        if (!in_flight_->gone.empty()) {
            return in_flight_->gone;
        }
        return rc == LIBUSB_ERROR_NO_DEVICE
                   ? "USB printer unplugged"
                   : "cannot send to the USB printer: " + usb_printer_io::usb_error(rc);
    }

    boost::asio::io_context& io_;
    std::shared_ptr<InFlight> in_flight_;
    UsbPrinterInterface interface_;
    std::size_t chunk_;
    unsigned timeout_ms_;
    std::function<void()> unplugged_;
};

}  // namespace packd::drivers
