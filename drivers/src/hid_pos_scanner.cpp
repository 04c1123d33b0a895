#include "packd/drivers/hid_pos_scanner.hpp"

#include <libusb.h>

#include <boost/asio/post.hpp>
#include <vector>

#include "packd/common/log.hpp"

namespace packd::drivers {
namespace {

std::string usb_error(int code) {
    return libusb_error_name(code);
}

}  // namespace

HidPosScanner::HidPosScanner(boost::asio::io_context& io, std::string name, HidPosScannerSettings settings)
    : io_(io), name_(std::move(name)), settings_(settings), reconnect_timer_(io) {}

HidPosScanner::~HidPosScanner() {
    *alive_ = false;
    close_device();
    if (events_.joinable()) {
        stop_events_ = true;
        if (usb_ != nullptr) {
            libusb_interrupt_event_handler(usb_);
        }
        events_.join();
    }
    if (usb_ != nullptr) {
        libusb_exit(usb_);
    }
}

Status HidPosScanner::open() {
    if (usb_ == nullptr) {
        if (const int rc = libusb_init(&usb_); rc != 0) {
            usb_ = nullptr;
            status_ = {DeviceState::fault, "libusb: " + usb_error(rc)};
            return fail(status_.detail);
        }
        // libusb delivers transfer completions only while someone handles its events: this thread.
        events_ = std::thread([this] {
            while (!stop_events_) {
                timeval tv{0, 200'000};
                libusb_handle_events_timeout_completed(usb_, &tv, nullptr);
            }
        });
    }
    auto st = open_once();
    if (!st) {
        lost(st.error().message);
    }
    return st;
}

Status HidPosScanner::open_once() {
    char ids[16];
    std::snprintf(ids, sizeof ids, "%04x:%04x", settings_.usb_vendor, settings_.usb_product);
    device_ = libusb_open_device_with_vid_pid(usb_, settings_.usb_vendor, settings_.usb_product);
    if (device_ == nullptr) {
        return fail(std::string("no USB device ") + ids + " (plugged in? packd allowed by the udev rule?)");
    }
    // The HID interface with an interrupt IN endpoint: the scanned data reports arrive there (HID 1.11
    // section 4.4; HID POS usage tables section 4).
    libusb_config_descriptor* config = nullptr;
    int endpoint = -1;
    if (libusb_get_active_config_descriptor(libusb_get_device(device_), &config) == 0) {
        for (int i = 0; i < config->bNumInterfaces && endpoint < 0; ++i) {
            const libusb_interface_descriptor& alt = config->interface[i].altsetting[0];
            if (alt.bInterfaceClass != LIBUSB_CLASS_HID) {
                continue;
            }
            for (int e = 0; e < alt.bNumEndpoints; ++e) {
                const libusb_endpoint_descriptor& ep = alt.endpoint[e];
                if ((ep.bmAttributes & 0x03) == LIBUSB_TRANSFER_TYPE_INTERRUPT &&
                    (ep.bEndpointAddress & LIBUSB_ENDPOINT_IN) != 0) {
                    endpoint = ep.bEndpointAddress;
                    interface_ = alt.bInterfaceNumber;
                    break;
                }
            }
        }
        libusb_free_config_descriptor(config);
    }
    if (endpoint < 0) {
        close_device();
        return fail(std::string("USB device ") + ids + " has no HID interface with an interrupt IN endpoint");
    }
    libusb_set_auto_detach_kernel_driver(device_, 1);
    if (const int rc = libusb_claim_interface(device_, interface_); rc != 0) {
        close_device();
        return fail(std::string("cannot claim the HID interface of ") + ids + ": " + usb_error(rc));
    }
    transfer_ = libusb_alloc_transfer(0);
    libusb_fill_interrupt_transfer(transfer_, device_, static_cast<unsigned char>(endpoint), buffer_,
                                   sizeof buffer_, &HidPosScanner::on_transfer, this, 0);
    transfer_active_ = true;
    if (const int rc = libusb_submit_transfer(transfer_); rc != 0) {
        transfer_active_ = false;
        close_device();
        return fail(std::string("cannot read from ") + ids + ": " + usb_error(rc));
    }
    status_ = {DeviceState::ready, std::string("HID POS scanner ") + ids};
    log::info("scanner " + name_ + ": " + status_.detail);
    return {};
}

// Runs on the libusb event thread: copy the report, post it, resubmit. Nothing else happens here.
void HidPosScanner::on_transfer(libusb_transfer* transfer) {
    auto* self = static_cast<HidPosScanner*>(transfer->user_data);
    if (transfer->status == LIBUSB_TRANSFER_COMPLETED) {
        std::vector<uint8_t> report(transfer->buffer, transfer->buffer + transfer->actual_length);
        boost::asio::post(self->io_, [self, alive = self->alive_, report = std::move(report)] {
            if (!*alive) {
                return;
            }
            self->codec_.feed(report, [self](Result<ScanReading> scan) {
                if (self->handler_) {
                    self->handler_(scan ? *scan : ScanReading{{}, {}, scan.error().message, {}});
                }
            });
        });
        if (libusb_submit_transfer(transfer) == 0) {
            return;
        }
    }
    self->transfer_active_ = false;
    if (transfer->status == LIBUSB_TRANSFER_CANCELLED) {
        return;
    }
    const std::string why =
        transfer->status == LIBUSB_TRANSFER_NO_DEVICE ? "scanner unplugged" : "USB transfer failed";
    boost::asio::post(self->io_, [self, alive = self->alive_, why] {
        if (*alive) {
            self->lost(why);
        }
    });
}

void HidPosScanner::close_device() {
    if (transfer_ != nullptr) {
        if (transfer_active_) {
            libusb_cancel_transfer(transfer_);
            // The cancellation completes on the event thread; wait for it before freeing the transfer.
            for (int i = 0; i < 100 && transfer_active_; ++i) {
                timeval tv{0, 10'000};
                libusb_handle_events_timeout_completed(usb_, &tv, nullptr);
            }
        }
        libusb_free_transfer(transfer_);
        transfer_ = nullptr;
    }
    if (device_ != nullptr) {
        if (interface_ >= 0) {
            libusb_release_interface(device_, interface_);
        }
        libusb_close(device_);
        device_ = nullptr;
    }
    interface_ = -1;
}

void HidPosScanner::lost(const std::string& why) {
    codec_.abandon(why, [this](Result<ScanReading> scan) {
        if (handler_) {
            handler_(scan ? *scan : ScanReading{{}, {}, scan.error().message, {}});
        }
    });
    close_device();
    if (status_.state != DeviceState::offline || status_.detail != why) {
        log::warning("scanner " + name_ + ": " + why + "; retrying every " +
                     std::to_string(settings_.reconnect.count()) + " ms");
    }
    status_ = {DeviceState::offline, why};
    reconnect_timer_.expires_after(settings_.reconnect);
    reconnect_timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
        if (!*alive || ec) {
            return;
        }
        if (auto st = open_once(); !st) {
            lost(st.error().message);
        }
    });
}

}  // namespace packd::drivers
