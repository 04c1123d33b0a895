// USB printer class transport through libusb. The kernel's usblp driver claims printer interfaces on its
// own; libusb's auto-detach takes the interface from it on claim and gives it back on release, so a printer
// packd lets go of works for CUPS again. The transfers are usb_printer_io.cpp.

#include "packd/drivers/usb_printer.hpp"

#include <libusb.h>

#include <boost/asio/post.hpp>

#include "usb_printer_io.hpp"

namespace packd::drivers {

namespace asio = boost::asio;
using usb_printer_io::InFlight;
using usb_printer_io::usb_error;

/// The claimed printer.
struct UsbPrinter::Usb {
    libusb_device* device = nullptr;  // referenced while open
    UsbPrinterInterface interface;
    std::string ids;
    std::shared_ptr<InFlight> in_flight = std::make_shared<InFlight>();
};

UsbPrinter::UsbPrinter(asio::io_context& io, std::string name, UsbPrinterSettings settings,
                       std::shared_ptr<UsbContext> usb)
    : io_(io),
      name_(std::move(name)),
      settings_(std::move(settings)),
      context_(std::move(usb)),
      link_(io, "printer " + name_, settings_.reconnect,
            DeviceStatus{DeviceState::offline, "not looked for yet"}) {
    link_.set_lines(
        {[this](const std::string& why) {
             return "printer " + name_ + ": " + why + "; jobs wait until it is back";
         },
         [this](const std::string& detail) { return "printer " + name_ + ": connected to " + detail; },
         nullptr});
    link_.retry_with([this] {
        if (closed_) {
            return;
        }
        if (!usb_) {
            if (auto st = start_usb(); !st) {
                link_.lost(st.error().message);
                return;
            }
        }
        if (usb_->device == nullptr) {
            search();
        }
    });
}

UsbPrinter::~UsbPrinter() {
    alive_.end();
    close();
}

Status UsbPrinter::open() {
    if (!closed_) {
        return {};
    }
    closed_ = false;
    link_.resume();
    if (auto st = start_usb(); !st) {
        link_.lost(st.error().message);
        return {};  // not an error here: the status says why and the timer tries again
    }
    search();
    return {};
}

Status UsbPrinter::start_usb() {
    if (!context_) {
        context_ = UsbContext::process_wide(io_);
    }
    if (auto st = context_->start(); !st) {
        return fail("USB is not available on this system (libusb: " + st.error().message + ")");
    }
    usb_ = std::make_unique<Usb>();
    const auto& m = settings_.match;
    const bool ids = m.vendor_id != 0 || m.product_id != 0;
    arrivals_ =
        context_->watch({ids ? m.vendor_id : std::uint16_t{0}, ids ? m.product_id : std::uint16_t{0}, 0},
                        [this](const UsbHotplugEvent& e) {
                            if (closed_ || !usb_) {
                                return;
                            }
                            if (!e.arrived && usb_->device != nullptr && e.device == usb_->device) {
                                link_.lost(release("unplugged"));
                            } else if (e.arrived && usb_->device == nullptr) {
                                search();
                            }
                        });
    return {};
}

void UsbPrinter::close() {
    closed_ = true;
    link_.halt();
    if (auto job = current_.lock()) {
        job->abandon();
    }
    if (!usb_) {
        return;
    }
    link_.set({DeviceState::offline, release("closed")});
    arrivals_.reset();
    usb_.reset();
}

void UsbPrinter::search() {
    const auto& match = settings_.match;
    const bool by_ids = match.vendor_id != 0 || match.product_id != 0;
    std::string why = by_ids ? "USB printer " + usb_ids(match.vendor_id, match.product_id) + " not plugged in"
                             : "no USB printer plugged in";
    libusb_device** list = nullptr;
    const ssize_t count = libusb_get_device_list(context_->get(), &list);
    for (ssize_t n = 0; n < count && usb_->device == nullptr; ++n) {
        libusb_device* dev = list[n];
        libusb_device_descriptor desc{};
        if (libusb_get_device_descriptor(dev, &desc) != 0 ||
            !may_be_printer(match, desc.idVendor, desc.idProduct)) {
            continue;
        }
        UsbDeviceInfo info;
        info.vendor_id = desc.idVendor;
        info.product_id = desc.idProduct;
        libusb_config_descriptor* config = nullptr;
        if (libusb_get_active_config_descriptor(dev, &config) != 0) {
            continue;
        }
        for (int i = 0; i < config->bNumInterfaces; ++i) {
            for (int a = 0; a < config->interface[i].num_altsetting; ++a) {
                const libusb_interface_descriptor& alt = config->interface[i].altsetting[a];
                UsbInterfaceInfo iface{alt.bInterfaceNumber,   alt.bAlternateSetting,  alt.bInterfaceClass,
                                       alt.bInterfaceSubClass, alt.bInterfaceProtocol, {}};
                for (int e = 0; e < alt.bNumEndpoints; ++e) {
                    iface.endpoints.push_back({alt.endpoint[e].bEndpointAddress, alt.endpoint[e].bmAttributes,
                                               alt.endpoint[e].wMaxPacketSize});
                }
                info.interfaces.push_back(std::move(iface));
            }
        }
        libusb_free_config_descriptor(config);
        if (!by_ids && !has_printer_interface(info)) {
            continue;
        }
        const std::string ids = usb_ids(desc.idVendor, desc.idProduct);
        libusb_device_handle* handle = nullptr;
        if (const int rc = libusb_open(dev, &handle); rc != 0) {
            why = "cannot open USB printer " + ids + ": " + usb_error(rc) +
                  " (permissions? see systemd/60-packd.rules)";
            continue;
        }
        if (!match.serial.empty() && desc.iSerialNumber != 0) {
            unsigned char serial[128] = {};
            const int got =
                libusb_get_string_descriptor_ascii(handle, desc.iSerialNumber, serial, sizeof serial - 1);
            if (got > 0) {
                info.serial.assign(reinterpret_cast<const char*>(serial), static_cast<std::size_t>(got));
            }
        }
        const auto found = find_printer_interface(info, match);
        if (!found) {
            why = found.error().message;
            libusb_close(handle);
            continue;
        }
        libusb_set_auto_detach_kernel_driver(handle, 1);
        if (const int rc = libusb_claim_interface(handle, found->number); rc != 0) {
            why = "cannot claim USB printer " + ids + " interface " + std::to_string(found->number) + ": " +
                  usb_error(rc) + (rc == LIBUSB_ERROR_BUSY ? " (another program has it)" : "");
            libusb_close(handle);
            continue;
        }
        if (found->alternate != 0) {
            if (const int rc = libusb_set_interface_alt_setting(handle, found->number, found->alternate);
                rc != 0) {
                why = "cannot select the printer setting of " + ids + ": " + usb_error(rc);
                libusb_release_interface(handle, found->number);
                libusb_close(handle);
                continue;
            }
        }
        usb_->device = libusb_ref_device(dev);
        usb_->interface = *found;
        usb_->ids = ids;
        usb_->in_flight = std::make_shared<InFlight>();
        usb_->in_flight->handle = handle;
    }
    if (list != nullptr) {  // allocated even when it lists no device
        libusb_free_device_list(list, 1);
    }
    if (usb_->device == nullptr) {
        link_.lost(why);
        return;
    }
    const bool two_way = usb_->interface.bidirectional();
    link_.online("USB printer " + usb_->ids + (two_way ? "" : " (sends no status)"));
    if (two_way && !current_.lock()) {
        // Ask its status now, so the station shows paper out before the first label is due.
        auto channel = std::make_shared<Channel>(io_, usb_->in_flight, usb_->interface, settings_.chunk_bytes,
                                                 settings_.transfer_timeout, nullptr);
        channel->self_ = channel;
        auto job = std::make_shared<ZplCheckedJob>(io_, name_, settings_.job, channel, link_.shared_status(),
                                                   std::string(), [this, alive = alive_.token()](Status) {
                                                       if (alive) {
                                                           link_.refresh();
                                                       }
                                                   });
        current_ = job;
        job->run();
    }
}

std::string UsbPrinter::release(const std::string& why) {
    if (!usb_ || usb_->device == nullptr) {
        return link_.status().detail;
    }
    InFlight& in_flight = *usb_->in_flight;
    in_flight.gone = "USB printer " + usb_->ids + " " + why;
    usb_printer_io::cancel_all(in_flight, true);
    // With auto-detach on, releasing gives the interface back to usblp.
    libusb_release_interface(in_flight.handle, usb_->interface.number);
    libusb_close(in_flight.handle);
    in_flight.handle = nullptr;
    libusb_unref_device(usb_->device);
    usb_->device = nullptr;
    return in_flight.gone;
}

void UsbPrinter::print(const PrintJob& job, std::function<void(Status)> done) {
    print_batch({job}, [done = std::move(done)](PrintOutcome outcome) { done(std::move(outcome.status)); });
}

void UsbPrinter::print_batch(const std::vector<PrintJob>& jobs, BeforeSend before_send,
                             std::function<void(PrintOutcome)> done) {
    const auto refuse = [&](std::string why) {
        asio::post(io_, [done = std::move(done), why = std::move(why)]() {
            done(PrintOutcome{fail(why), 0, 0});
        });
    };
    std::string zpl;
    for (const auto& job : jobs) {
        if (job.zpl.empty()) {
            refuse("job " + job.id + " has no ZPL");
            return;
        }
        zpl += job.zpl;
    }
    if (jobs.empty()) {
        asio::post(io_, [done = std::move(done)]() { done(PrintOutcome{}); });
        return;
    }
    if (!usb_ || usb_->device == nullptr) {
        refuse("printer " + name_ + ": " + link_.status().detail);
        return;
    }
    if (auto running = current_.lock(); running && !running->finished()) {
        refuse("printer " + name_ + " is busy with a job");
        return;
    }
    auto unplugged = [this, alive = alive_.token()] {
        if (alive && !closed_ && usb_ && usb_->device != nullptr) {
            link_.lost(release("unplugged"));
        }
    };
    auto channel = std::make_shared<Channel>(io_, usb_->in_flight, usb_->interface, settings_.chunk_bytes,
                                             settings_.transfer_timeout, unplugged);
    channel->self_ = channel;
    auto checked = std::make_shared<ZplCheckedJob>(
        io_, name_, settings_.job, channel, link_.shared_status(), std::move(zpl), jobs.size(),
        [this, alive = alive_.token(), done = std::move(done)](PrintOutcome outcome) {
            if (alive) {
                link_.refresh();  // the job's status checks may have changed it
            }
            done(std::move(outcome));
        });
    checked->set_before_send(std::move(before_send));
    current_ = checked;
    checked->run();
}

}  // namespace packd::drivers
