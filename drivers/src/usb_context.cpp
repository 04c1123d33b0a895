#include "packd/drivers/usb_context.hpp"

#include <libusb.h>

#include <boost/asio/post.hpp>
#include <mutex>
#include <vector>

namespace packd::drivers {
namespace {

std::atomic<int> g_event_threads{0};

bool matches(const UsbInterest& want, const UsbHotplugEvent& e) {
    return (want.vendor_id == 0 || want.vendor_id == e.vendor_id) &&
           (want.product_id == 0 || want.product_id == e.product_id) &&
           (want.device_class == 0 || e.device_class == 0 || want.device_class == e.device_class);
}

}  // namespace

/// The drivers watching hotplug events; touched on the io_context only.
struct UsbContext::Watch::Watchers {
    int next = 1;
    std::map<int, std::pair<UsbInterest, HotplugHandler>> by_id;

    void dispatch(const UsbHotplugEvent& e) {
        // A handler may stop watching (its device closes) or start: go over a copy of the ids.
        std::vector<int> ids;
        for (const auto& [id, entry] : by_id) {
            if (matches(entry.first, e)) {
                ids.push_back(id);
            }
        }
        for (const int id : ids) {
            auto it = by_id.find(id);
            if (it != by_id.end()) {
                auto handler = it->second.second;  // the handler may end its own watch
                handler(e);
            }
        }
    }
};

/// What libusb's hotplug callback needs, kept at a stable address while registered.
struct UsbContext::Hotplug {
    boost::asio::io_context* io = nullptr;
    std::weak_ptr<Watch::Watchers> watchers;
};

UsbContext::Watch& UsbContext::Watch::operator=(Watch&& other) noexcept {
    if (this != &other) {
        reset();
        watchers_ = std::move(other.watchers_);
        id_ = other.id_;
        other.id_ = 0;
    }
    return *this;
}

void UsbContext::Watch::reset() {
    if (auto w = watchers_.lock(); w && id_ != 0) {
        w->by_id.erase(id_);
    }
    watchers_.reset();
    id_ = 0;
}

UsbContext::UsbContext(boost::asio::io_context& io)
    : io_(io), watchers_(std::make_shared<Watch::Watchers>()) {
    (void)start();
}

UsbContext::~UsbContext() {
    if (context_ == nullptr) {
        return;
    }
    if (has_hotplug_) {
        libusb_hotplug_deregister_callback(context_, hotplug_handle_);
    }
    running_ = false;
    libusb_interrupt_event_handler(context_);
    events_.join();
    libusb_exit(context_);
}

std::shared_ptr<UsbContext> UsbContext::process_wide(boost::asio::io_context& io) {
    static std::mutex mutex;
    static std::weak_ptr<UsbContext> shared;
    static boost::asio::io_context* shared_io = nullptr;
    std::lock_guard lock(mutex);
    auto ctx = shared.lock();
    if (!ctx || shared_io != &io) {
        ctx = make(io);
        shared = ctx;
        shared_io = &io;
    }
    return ctx;
}

int UsbContext::event_threads() {
    return g_event_threads.load();
}

Status UsbContext::start() {
    if (context_ != nullptr) {
        return {};
    }
    libusb_context* context = nullptr;
    if (const int rc = libusb_init(&context); rc != 0) {
        return fail(libusb_strerror(static_cast<libusb_error>(rc)));
    }
    context_ = context;
    if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
        hotplug_ = std::make_unique<Hotplug>(Hotplug{&io_, watchers_});
        // Runs on libusb's event thread: copies the ids and posts.
        const auto event = [](libusb_context*, libusb_device* dev, libusb_hotplug_event what,
                              void* user) -> int {
            auto* hotplug = static_cast<Hotplug*>(user);
            UsbHotplugEvent e;
            e.arrived = what == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED;
            e.device = dev;
            libusb_device_descriptor desc{};
            if (libusb_get_device_descriptor(dev, &desc) == 0) {
                e.vendor_id = desc.idVendor;
                e.product_id = desc.idProduct;
                e.device_class = desc.bDeviceClass;
            }
            boost::asio::post(*hotplug->io, [watchers = hotplug->watchers, e] {
                if (auto w = watchers.lock()) {
                    w->dispatch(e);
                }
            });
            return 0;
        };
        libusb_hotplug_callback_handle handle = 0;
        has_hotplug_ = libusb_hotplug_register_callback(
                           context_,
                           static_cast<libusb_hotplug_event>(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED |
                                                             LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT),
                           LIBUSB_HOTPLUG_NO_FLAGS, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
                           LIBUSB_HOTPLUG_MATCH_ANY, event, hotplug_.get(), &handle) == LIBUSB_SUCCESS;
        hotplug_handle_ = handle;
    }
    running_ = true;
    ++g_event_threads;
    // libusb delivers transfer completions and hotplug events only while someone handles its events.
    events_ = std::thread([this, context] {
        while (running_) {
            timeval tv{0, 200000};
            libusb_handle_events_timeout_completed(context, &tv, nullptr);
        }
        --g_event_threads;
    });
    return {};
}

UsbContext::Watch UsbContext::watch(UsbInterest interest, HotplugHandler handler) {
    Watch w;
    w.watchers_ = watchers_;
    w.id_ = watchers_->next++;
    watchers_->by_id.emplace(w.id_, std::make_pair(interest, std::move(handler)));
    return w;
}

}  // namespace packd::drivers
