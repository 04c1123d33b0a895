// USB printer class transport through libusb. The kernel's usblp driver claims printer interfaces on its
// own; libusb's auto-detach takes the interface from it on claim and gives it back on release, so a printer
// packd lets go of works for CUPS again.

#include "packd/drivers/usb_printer.hpp"

#include <libusb.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include "packd/common/log.hpp"

namespace packd::drivers {
namespace {

namespace asio = boost::asio;

std::string usb_error(int code) {
    return libusb_strerror(static_cast<libusb_error>(code));
}

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

}  // namespace

struct UsbPrinter::Usb {
    libusb_context* context = nullptr;
    libusb_hotplug_callback_handle hotplug = 0;
    bool has_hotplug = false;
    std::thread events;
    std::atomic<bool> running{true};
    libusb_device* device = nullptr;  // referenced while open
    UsbPrinterInterface interface;
    std::string ids;
    std::shared_ptr<InFlight> in_flight = std::make_shared<InFlight>();
};

/// One job's byte pipe over the claimed interface: bulk OUT in chunks, bulk IN for status answers.
struct UsbPrinter::Channel final : ZplChannel {
    Channel(asio::io_context& io, std::shared_ptr<InFlight> in_flight, UsbPrinterInterface interface,
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
        const int rc = submit(io_, in_flight_, interface_.in_endpoint, nullptr, length, 0,
                              [self, done](int status, std::string data) mutable {
                                  if (status != LIBUSB_TRANSFER_COMPLETED) {
                                      self->failed(status);
                                      done(fail(transfer_failure(status, self->in_flight_, 0)));
                                      return;
                                  }
                                  if (data.empty()) {
                                      self->read_some(std::move(done));  // a zero-length packet: keep reading
                                      return;
                                  }
                                  done(std::move(data));
                              });
        if (rc != 0) {
            asio::post(io_, [done = std::move(done), why = submit_failure(rc)]() { done(fail(why)); });
        }
    }

    void cancel() override { cancel_all(*in_flight_, false); }

    bool readable() const override { return interface_.bidirectional(); }

    std::weak_ptr<Channel> self_;

  private:
    std::shared_ptr<Channel> shared_from_this_channel() { return self_.lock(); }

    void send(const std::shared_ptr<std::string>& data,
              const std::shared_ptr<std::vector<std::pair<std::size_t, std::size_t>>>& chunks,
              std::size_t index, std::function<void(Status)> done) {
        if (index == chunks->size()) {
            asio::post(io_, [done = std::move(done)]() { done({}); });
            return;
        }
        const auto [offset, length] = (*chunks)[index];
        const std::string piece = data->substr(offset, length);
        auto self = shared_from_this_channel();
        const int rc =
            submit(io_, in_flight_, interface_.out_endpoint, &piece, piece.size(), timeout_ms_,
                   [self, data, chunks, index, done](int status, std::string) mutable {
                       if (status != LIBUSB_TRANSFER_COMPLETED) {
                           self->failed(status);
                           done(fail(transfer_failure(status, self->in_flight_, self->timeout_ms_)));
                           return;
                       }
                       self->send(data, chunks, index + 1, std::move(done));
                   });
        if (rc != 0) {
            asio::post(io_, [done = std::move(done), why = submit_failure(rc)]() { done(fail(why)); });
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
        return rc == LIBUSB_ERROR_NO_DEVICE ? "USB printer unplugged"
                                            : "cannot send to the USB printer: " + usb_error(rc);
    }

    asio::io_context& io_;
    std::shared_ptr<InFlight> in_flight_;
    UsbPrinterInterface interface_;
    std::size_t chunk_;
    unsigned timeout_ms_;
    std::function<void()> unplugged_;
};

UsbPrinter::UsbPrinter(asio::io_context& io, std::string name, UsbPrinterSettings settings)
    : io_(io),
      name_(std::move(name)),
      settings_(std::move(settings)),
      search_timer_(io),
      status_(std::make_shared<DeviceStatus>(DeviceStatus{DeviceState::offline, "not looked for yet"})) {}

UsbPrinter::~UsbPrinter() {
    *alive_ = false;
    close();
}

void UsbPrinter::open() {
    if (!closed_) {
        return;
    }
    closed_ = false;
    if (!start_usb()) {
        schedule_search();
        return;
    }
    search();
}

bool UsbPrinter::start_usb() {
    auto usb = std::make_unique<Usb>();
    if (const int rc = libusb_init(&usb->context); rc != 0) {
        *status_ = {DeviceState::offline,
                    "USB is not available on this system (libusb: " + usb_error(rc) + ")"};
        return false;
    }
    usb_ = std::move(usb);
    if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
        // Runs on libusb's event thread: only posts.
        const auto event = [](libusb_context*, libusb_device* dev, libusb_hotplug_event what,
                              void* self) -> int {
            auto* printer = static_cast<UsbPrinter*>(self);
            const bool left = what == LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT;
            asio::post(printer->io_, [printer, dev, left, alive = std::weak_ptr<bool>(printer->alive_)] {
                if (!alive.lock() || printer->closed_ || !printer->usb_) {
                    return;
                }
                if (left && printer->usb_->device == dev) {
                    printer->release("unplugged");
                    printer->schedule_search();
                } else if (!left && printer->usb_->device == nullptr) {
                    printer->search();
                }
            });
            return 0;
        };
        const auto& m = settings_.match;
        const bool ids = m.vendor_id != 0 || m.product_id != 0;
        usb_->has_hotplug = libusb_hotplug_register_callback(
                                usb_->context,
                                static_cast<libusb_hotplug_event>(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED |
                                                                  LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT),
                                LIBUSB_HOTPLUG_NO_FLAGS, ids ? m.vendor_id : LIBUSB_HOTPLUG_MATCH_ANY,
                                ids ? m.product_id : LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
                                event, this, &usb_->hotplug) == LIBUSB_SUCCESS;
    }
    Usb* raw = usb_.get();
    usb_->events = std::thread([raw] {
        while (raw->running) {
            timeval tv{0, 200000};
            libusb_handle_events_timeout_completed(raw->context, &tv, nullptr);
        }
    });
    return true;
}

void UsbPrinter::close() {
    closed_ = true;
    search_timer_.cancel();
    if (auto job = current_.lock()) {
        job->abandon();
    }
    if (!usb_) {
        return;
    }
    release("closed");
    if (usb_->has_hotplug) {
        libusb_hotplug_deregister_callback(usb_->context, usb_->hotplug);
    }
    usb_->running = false;
    libusb_interrupt_event_handler(usb_->context);
    usb_->events.join();
    libusb_exit(usb_->context);
    usb_.reset();
}

void UsbPrinter::schedule_search() {
    search_timer_.expires_after(settings_.reconnect);
    search_timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](boost::system::error_code ec) {
        if (ec || !alive.lock() || closed_) {
            return;
        }
        if (!usb_) {
            if (!start_usb()) {
                schedule_search();
                return;
            }
        }
        if (usb_->device == nullptr) {
            search();
        }
    });
}

void UsbPrinter::search() {
    const auto& match = settings_.match;
    const bool by_ids = match.vendor_id != 0 || match.product_id != 0;
    std::string why = by_ids ? "USB printer " + usb_ids(match.vendor_id, match.product_id) + " not plugged in"
                             : "no USB printer plugged in";
    libusb_device** list = nullptr;
    const ssize_t count = libusb_get_device_list(usb_->context, &list);
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
        *status_ = {DeviceState::offline, why};
        schedule_search();
        return;
    }
    const bool two_way = usb_->interface.bidirectional();
    *status_ = {DeviceState::ready, "USB printer " + usb_->ids + (two_way ? "" : " (sends no status)")};
    log::info("printer " + name_ + ": connected to " + status_->detail);
    if (two_way && !current_.lock()) {
        // Ask its status now, so the station shows paper out before the first label is due.
        auto channel = std::make_shared<Channel>(io_, usb_->in_flight, usb_->interface, settings_.chunk_bytes,
                                                 settings_.transfer_timeout, nullptr);
        channel->self_ = channel;
        auto job = std::make_shared<ZplCheckedJob>(io_, name_, settings_.job, channel, status_, std::string(),
                                                   [](Status) {});
        current_ = job;
        job->run();
    }
}

void UsbPrinter::release(const std::string& why) {
    if (!usb_ || usb_->device == nullptr) {
        return;
    }
    InFlight& in_flight = *usb_->in_flight;
    in_flight.gone = "USB printer " + usb_->ids + " " + why;
    cancel_all(in_flight, true);
    // With auto-detach on, releasing gives the interface back to usblp.
    libusb_release_interface(in_flight.handle, usb_->interface.number);
    libusb_close(in_flight.handle);
    in_flight.handle = nullptr;
    libusb_unref_device(usb_->device);
    usb_->device = nullptr;
    *status_ = {DeviceState::offline, in_flight.gone};
    if (why != "closed") {
        log::warning("printer " + name_ + ": " + status_->detail + "; jobs wait until it is back");
    }
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
        refuse("printer " + name_ + ": " + status_->detail);
        return;
    }
    if (auto running = current_.lock(); running && !running->finished()) {
        refuse("printer " + name_ + " is busy with a job");
        return;
    }
    auto unplugged = [this, alive = std::weak_ptr<bool>(alive_)] {
        if (alive.lock() && !closed_ && usb_ && usb_->device != nullptr) {
            release("unplugged");
            schedule_search();
        }
    };
    auto channel = std::make_shared<Channel>(io_, usb_->in_flight, usb_->interface, settings_.chunk_bytes,
                                             settings_.transfer_timeout, unplugged);
    channel->self_ = channel;
    auto checked = std::make_shared<ZplCheckedJob>(io_, name_, settings_.job, channel, status_,
                                                   std::move(zpl), jobs.size(), std::move(done));
    checked->set_before_send(std::move(before_send));
    current_ = checked;
    checked->run();
}

}  // namespace packd::drivers
