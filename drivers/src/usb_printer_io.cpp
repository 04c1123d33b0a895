// Bulk transfers of the USB printer transport: libusb's event thread only copies a transfer's result and
// posts it to the io_context.

#include "usb_printer_io.hpp"

#include <cstdlib>
#include <cstring>

namespace packd::drivers::usb_printer_io {

namespace asio = boost::asio;

std::string usb_error(int code) {
    return libusb_strerror(static_cast<libusb_error>(code));
}

namespace {

/// What a finished transfer hands to the io_context.
struct Pending {
    asio::io_context* io = nullptr;
    std::shared_ptr<InFlight> in_flight;
    std::function<void(int status, std::string data)> done;
};

// Runs on libusb's event thread: copies the result, forgets the transfer, posts.
void LIBUSB_CALL transfer_done(libusb_transfer* t) {
    auto* pending = static_cast<Pending*>(t->user_data);
    std::string data(reinterpret_cast<const char*>(t->buffer), static_cast<std::size_t>(t->actual_length));
    const int status = t->status;
    {
        std::lock_guard lock(pending->in_flight->mutex);
        pending->in_flight->live.erase(t);
        libusb_free_transfer(t);  // and its buffer (LIBUSB_TRANSFER_FREE_BUFFER)
    }
    pending->in_flight->ended.notify_all();
    asio::post(*pending->io, [done = std::move(pending->done), status, data = std::move(data)]() mutable {
        done(status, std::move(data));
    });
    delete pending;
}

}  // namespace

// Submits one bulk transfer of `length` bytes (`out` bytes when sending); `done` runs on the io_context.
int submit(asio::io_context& io, const std::shared_ptr<InFlight>& in_flight, uint8_t endpoint,
           const std::string* out, std::size_t length, unsigned timeout_ms,
           std::function<void(int, std::string)> done) {
    if (in_flight->handle == nullptr) {
        return LIBUSB_ERROR_NO_DEVICE;
    }
    auto* buffer = static_cast<unsigned char*>(std::malloc(length == 0 ? 1 : length));
    if (buffer == nullptr) {
        return LIBUSB_ERROR_NO_MEM;
    }
    if (out != nullptr) {
        std::memcpy(buffer, out->data(), length);
    }
    libusb_transfer* t = libusb_alloc_transfer(0);
    auto* pending = new Pending{&io, in_flight, std::move(done)};
    libusb_fill_bulk_transfer(t, in_flight->handle, endpoint, buffer, static_cast<int>(length), transfer_done,
                              pending, timeout_ms);
    t->flags = LIBUSB_TRANSFER_FREE_BUFFER;
    std::lock_guard lock(in_flight->mutex);
    if (const int rc = libusb_submit_transfer(t); rc != 0) {
        libusb_free_transfer(t);
        delete pending;
        return rc;
    }
    in_flight->live.insert(t);
    return 0;
}

std::string transfer_failure(int status, const std::shared_ptr<InFlight>& in_flight, unsigned timeout_ms) {
    if (!in_flight->gone.empty()) {
        return in_flight->gone;
    }
    switch (status) {
        case LIBUSB_TRANSFER_NO_DEVICE:
            return "USB printer unplugged";
        case LIBUSB_TRANSFER_TIMED_OUT:
            return "the USB printer took no data for " + std::to_string(timeout_ms) + " ms";
        case LIBUSB_TRANSFER_STALL:
            return "the USB printer stalled the endpoint";
        case LIBUSB_TRANSFER_CANCELLED:
            return "USB transfer cancelled";
        default:
            return "USB transfer failed";
    }
}

// Cancels every transfer in flight and waits, bounded, until libusb has reported each one's end.
void cancel_all(InFlight& in_flight, bool wait) {
    std::unique_lock lock(in_flight.mutex);
    for (libusb_transfer* t : in_flight.live) {
        libusb_cancel_transfer(t);
    }
    if (wait) {
        // A cancelled transfer completes within a frame or two.
        in_flight.ended.wait_for(lock, std::chrono::seconds(2), [&] { return in_flight.live.empty(); });
    }
}

}  // namespace packd::drivers::usb_printer_io
