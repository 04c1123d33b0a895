#include "packd/drivers/hid_pos_scanner.hpp"

#include <libusb.h>

#include <boost/asio/post.hpp>
#include <vector>

namespace packd::drivers {
namespace {

std::string usb_error(int code) {
    return libusb_error_name(code);
}

}  // namespace

HidPosScanner::HidPosScanner(boost::asio::io_context& io, std::string name, HidPosScannerSettings settings,
                             std::shared_ptr<UsbContext> usb)
    : io_(io),
      name_(std::move(name)),
      settings_(settings),
      usb_(std::move(usb)),
      link_(io, "scanner " + name_, settings_.reconnect, DeviceStatus{}) {
    link_.retry_with([this] {
        if (auto st = open_once(); !st) {
            lost(st.error().message);
        }
    });
}

HidPosScanner::~HidPosScanner() {
    alive_.end();
    arrivals_.reset();
    close_device();
}

Status HidPosScanner::open() {
    link_.resume();
    if (!usb_) {
        usb_ = UsbContext::process_wide(io_);
    }
    if (auto st = usb_->start(); !st) {
        link_.set({DeviceState::fault, "libusb: " + st.error().message});
        return fail(link_.status().detail);
    }
    // A scanner plugged in is tried at once rather than at the next round of the timer.
    arrivals_ =
        usb_->watch({settings_.usb_vendor, settings_.usb_product, 0}, [this](const UsbHotplugEvent& e) {
            if (e.arrived && device_ == nullptr && !link_.halted()) {
                if (auto st = open_once(); !st) {
                    lost(st.error().message);
                }
            }
        });
    if (device_ != nullptr) {
        return {};
    }
    auto st = open_once();
    if (!st) {
        lost(st.error().message);
    }
    return st;
}

void HidPosScanner::close() {
    link_.halt();
    arrivals_.reset();
    close_device();
}

Status HidPosScanner::open_once() {
    char ids[16];
    std::snprintf(ids, sizeof ids, "%04x:%04x", settings_.usb_vendor, settings_.usb_product);
    device_ = libusb_open_device_with_vid_pid(usb_->get(), settings_.usb_vendor, settings_.usb_product);
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
    link_.online(std::string("HID POS scanner ") + ids);
    return {};
}

// Runs on the libusb event thread: copy the report, post it, resubmit. Nothing else happens here.
void HidPosScanner::on_transfer(libusb_transfer* transfer) {
    auto* self = static_cast<HidPosScanner*>(transfer->user_data);
    if (transfer->status == LIBUSB_TRANSFER_COMPLETED) {
        std::vector<uint8_t> report(transfer->buffer, transfer->buffer + transfer->actual_length);
        boost::asio::post(self->io_, [self, alive = self->alive_.token(), report = std::move(report)] {
            if (!alive) {
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
    boost::asio::post(self->io_, [self, alive = self->alive_.token(), why] {
        if (alive) {
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
                libusb_handle_events_timeout_completed(usb_->get(), &tv, nullptr);
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
    link_.lost(why);
}

}  // namespace packd::drivers
