#include "packd/drivers/hid_scale.hpp"

#include <libusb.h>

#include <boost/asio/post.hpp>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace packd::drivers {
namespace {

constexpr uint8_t kHidClass = 3;
constexpr uint8_t kReportDescriptorType = 0x22;  // HID 1.11, 7.1.1

std::string usb_error(int code) {
    return libusb_strerror(static_cast<libusb_error>(code));
}

std::string ids(uint16_t vendor, uint16_t product) {
    char text[16];
    std::snprintf(text, sizeof text, "%04x:%04x", vendor, product);
    return text;
}

WeightReading invalid(std::string reason) {
    WeightReading r;
    r.valid = false;
    r.reason = std::move(reason);
    return r;
}

}  // namespace

/// The open device and its one transfer.
struct HidScale::Usb {
    libusb_device_handle* handle = nullptr;
    int interface = -1;
    // The transfer is freed by its own callback when it ends (not resubmitted); `live` tells the
    // io_context, under the mutex, whether it may still be cancelled.
    std::mutex mutex;
    std::condition_variable ended;
    libusb_transfer* transfer = nullptr;
    bool live = false;
};

HidScale::HidScale(boost::asio::io_context& io, std::string name, HidScaleMatch match,
                   std::chrono::milliseconds reconnect, std::shared_ptr<UsbContext> usb)
    : io_(io),
      name_(std::move(name)),
      match_(match),
      context_(std::move(usb)),
      link_(io, "scale " + name_, reconnect, DeviceStatus{}) {
    link_.set_lines(
        {[this](const std::string& why) {
             return "scale " + name_ + ": " + why + "; waiting for it to come back";
         },
         [this](const std::string& detail) { return "scale " + name_ + ": connected to " + detail; },
         nullptr});
    link_.retry_with([this] {
        if (!closed_ && usb_ && !usb_->handle) {
            search();
        }
    });
}

HidScale::~HidScale() {
    alive_.end();
    close();
}

Status HidScale::open() {
    if (usb_) {
        return {};
    }
    if (!context_) {
        context_ = UsbContext::process_wide(io_);
    }
    if (auto st = context_->start(); !st) {
        link_.set({DeviceState::fault, "libusb: " + st.error().message});
        return fail(link_.status().detail);
    }
    usb_ = std::make_unique<Usb>();
    closed_ = false;
    link_.resume();
    link_.set({DeviceState::offline,
               "looking for " + (match_.vendor_id ? "USB scale " + ids(match_.vendor_id, match_.product_id)
                                                  : std::string("a USB scale (HID usage page 0x8D)"))});
    arrivals_ =
        context_->watch({match_.vendor_id, match_.vendor_id ? match_.product_id : std::uint16_t{0}, 0},
                        [this](const UsbHotplugEvent& e) {
                            if (e.arrived && !closed_ && usb_ && !usb_->handle) {
                                search();
                            }
                        });
    search();
    return {};
}

void HidScale::close() {
    closed_ = true;
    link_.halt();
    arrivals_.reset();
    if (!usb_) {
        return;
    }
    {
        std::unique_lock lock(usb_->mutex);
        if (usb_->live) {
            libusb_cancel_transfer(usb_->transfer);
            // Bounded: a cancelled transfer completes within a frame or two.
            usb_->ended.wait_for(lock, std::chrono::seconds(2), [this] { return !usb_->live; });
        }
    }
    if (usb_->handle) {
        libusb_release_interface(usb_->handle, usb_->interface);
        libusb_close(usb_->handle);
        usb_->handle = nullptr;
    }
    usb_.reset();
}

void HidScale::search() {
    libusb_device** list = nullptr;
    const ssize_t count = libusb_get_device_list(context_->get(), &list);
    std::string why = "not plugged in";
    for (ssize_t i = 0; i < count && !usb_->handle; ++i) {
        libusb_device* dev = list[i];
        libusb_device_descriptor desc{};
        if (libusb_get_device_descriptor(dev, &desc) != 0) {
            continue;
        }
        if (match_.vendor_id && (desc.idVendor != match_.vendor_id || desc.idProduct != match_.product_id)) {
            continue;
        }
        libusb_config_descriptor* config = nullptr;
        if (libusb_get_active_config_descriptor(dev, &config) != 0) {
            continue;
        }
        for (int n = 0; n < config->bNumInterfaces && !usb_->handle; ++n) {
            const libusb_interface_descriptor& alt = config->interface[n].altsetting[0];
            if (alt.bInterfaceClass != kHidClass) {
                continue;
            }
            uint8_t endpoint = 0;
            uint16_t packet = 0;
            for (int e = 0; e < alt.bNumEndpoints; ++e) {
                const libusb_endpoint_descriptor& ep = alt.endpoint[e];
                if ((ep.bEndpointAddress & LIBUSB_ENDPOINT_IN) &&
                    (ep.bmAttributes & 0x03) == LIBUSB_TRANSFER_TYPE_INTERRUPT) {
                    endpoint = ep.bEndpointAddress;
                    packet = ep.wMaxPacketSize;
                }
            }
            libusb_device_handle* handle = nullptr;
            if (endpoint == 0 || libusb_open(dev, &handle) != 0) {
                why = "cannot open " + ids(desc.idVendor, desc.idProduct) +
                      " (permissions? see systemd/60-packd.rules)";
                continue;
            }
            if (!match_.vendor_id) {
                // Reading the report descriptor is a standard GET_DESCRIPTOR: nothing is written.
                std::vector<uint8_t> descriptor(1024);
                const int got = libusb_control_transfer(
                    handle,
                    static_cast<uint8_t>(LIBUSB_ENDPOINT_IN) |
                        static_cast<uint8_t>(LIBUSB_RECIPIENT_INTERFACE),
                    LIBUSB_REQUEST_GET_DESCRIPTOR, static_cast<uint16_t>(kReportDescriptorType << 8),
                    alt.bInterfaceNumber, descriptor.data(), static_cast<uint16_t>(descriptor.size()), 1000);
                if (got <= 0 ||
                    !declares_pos_scale_usage_page(std::span(descriptor.data(), static_cast<size_t>(got)))) {
                    libusb_close(handle);
                    continue;
                }
            }
            libusb_set_auto_detach_kernel_driver(handle, 1);
            if (int rc = libusb_claim_interface(handle, alt.bInterfaceNumber); rc != 0) {
                why = "cannot claim " + ids(desc.idVendor, desc.idProduct) + ": " + usb_error(rc);
                libusb_close(handle);
                continue;
            }
            auto* transfer = libusb_alloc_transfer(0);
            auto* buffer = static_cast<unsigned char*>(std::malloc(packet ? packet : 64));
            // Runs on libusb's event thread: copies the report and posts it.
            const auto done = [](libusb_transfer* t) {
                auto* scale = static_cast<HidScale*>(t->user_data);
                if (t->status == LIBUSB_TRANSFER_COMPLETED) {
                    std::vector<uint8_t> report(t->buffer, t->buffer + t->actual_length);
                    boost::asio::post(scale->io_,
                                      [scale, report = std::move(report), alive = scale->alive_.token()] {
                                          if (alive) {
                                              scale->on_report(report);
                                          }
                                      });
                    if (libusb_submit_transfer(t) == 0) {
                        return;
                    }
                }
                const std::string gone = t->status == LIBUSB_TRANSFER_NO_DEVICE   ? "unplugged"
                                         : t->status == LIBUSB_TRANSFER_CANCELLED ? "closed"
                                                                                  : "USB transfer failed";
                Usb* usb = scale->usb_.get();
                {
                    std::lock_guard lock(usb->mutex);
                    usb->live = false;
                    usb->transfer = nullptr;
                }
                usb->ended.notify_all();
                libusb_free_transfer(t);  // and its buffer (LIBUSB_TRANSFER_FREE_BUFFER)
                boost::asio::post(scale->io_, [scale, gone, alive = scale->alive_.token()] {
                    if (alive) {
                        scale->on_gone(gone);
                    }
                });
            };
            libusb_fill_interrupt_transfer(transfer, handle, endpoint, buffer, packet ? packet : 64, done,
                                           this, 0);
            // Not LIBUSB_TRANSFER_FREE_TRANSFER: that frees the transfer even after it was resubmitted.
            transfer->flags = LIBUSB_TRANSFER_FREE_BUFFER;
            std::lock_guard lock(usb_->mutex);
            if (int rc = libusb_submit_transfer(transfer); rc != 0) {
                why = "cannot read " + ids(desc.idVendor, desc.idProduct) + ": " + usb_error(rc);
                libusb_free_transfer(transfer);
                libusb_release_interface(handle, alt.bInterfaceNumber);
                libusb_close(handle);
                continue;
            }
            usb_->transfer = transfer;
            usb_->live = true;
            usb_->handle = handle;
            usb_->interface = alt.bInterfaceNumber;
            // The first report after (re)connecting can be the weight from before (Dymo M10 sends
            // its last reading on power-up): it is not shown.
            reports_.connected();
            link_.online("USB scale " + ids(desc.idVendor, desc.idProduct));
        }
        libusb_free_config_descriptor(config);
    }
    if (list != nullptr) {  // allocated even when it lists no device
        libusb_free_device_list(list, 1);
    }
    if (!usb_->handle) {
        link_.lost(why);
    }
}

void HidScale::on_report(const std::vector<uint8_t>& report) {
    const auto reading = reports_.next(report);
    if (!reading) {
        return;
    }
    last_ = *reading;
    if (handler_) {
        handler_(*reading);
    }
}

void HidScale::on_gone(const std::string& why) {
    if (closed_ || !usb_) {
        return;
    }
    if (usb_->handle) {
        libusb_release_interface(usb_->handle, usb_->interface);
        libusb_close(usb_->handle);
        usb_->handle = nullptr;
    }
    last_ = invalid("scale " + why);
    link_.lost("USB scale " + why);
    if (handler_) {
        handler_(*last_);
    }
}

Status HidScale::zero() {
    return reports_.zero();
}

Status HidScale::tare() {
    return zero();
}

}  // namespace packd::drivers
