#pragma once
// One libusb context for every USB device of the process (printers, HID scales, HID POS scanners): one
// libusb_init, one event thread, one hotplug registration whose events go to the devices that asked for
// them. libusb's thread only copies what it learns and posts it to the io_context; devices open, claim,
// submit and close on the io_context.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "packd/common/result.hpp"

struct libusb_context;

namespace packd::drivers {

/// Which devices a driver wants to hear of arriving and leaving. 0 matches any: most printers and HID
/// devices declare their class per interface, so their device class is 0 and a driver matching by class
/// checks the interfaces itself when it searches.
struct UsbInterest {
    std::uint16_t vendor_id = 0;
    std::uint16_t product_id = 0;
    std::uint8_t device_class = 0;
};

/// A device came or went. `device` names the libusb_device for comparison with one the driver holds a
/// reference to; it is never to be dereferenced (it may be freed by now).
struct UsbHotplugEvent {
    bool arrived = false;
    std::uint16_t vendor_id = 0;
    std::uint16_t product_id = 0;
    std::uint8_t device_class = 0;
    const void* device = nullptr;
};

class UsbContext {
  public:
    using HotplugHandler = std::function<void(const UsbHotplugEvent&)>;

    /// Tries to start libusb at once; when it cannot, start() says why and may be tried again later.
    explicit UsbContext(boost::asio::io_context& io);
    ~UsbContext();
    UsbContext(const UsbContext&) = delete;
    UsbContext& operator=(const UsbContext&) = delete;

    static std::shared_ptr<UsbContext> make(boost::asio::io_context& io) {
        return std::make_shared<UsbContext>(io);
    }
    /// The context a device made without one shares with the others on the same io_context: created at
    /// first use and kept while a device holds it. The host may pass its own instead.
    static std::shared_ptr<UsbContext> process_wide(boost::asio::io_context& io);

    /// Starts libusb, the event thread and the hotplug registration unless they run; fails with libusb's
    /// reason (a system without USB). io_context only.
    Status start();
    bool started() const { return context_ != nullptr; }
    /// libusb's context, null until started.
    libusb_context* get() const { return context_; }
    bool has_hotplug() const { return has_hotplug_; }
    boost::asio::io_context& io() const { return io_; }

    /// While the returned object lives, `handler` runs on the io_context for each device matching `interest`
    /// that arrives or leaves.
    class Watch {
      public:
        Watch() = default;
        ~Watch() { reset(); }
        Watch(Watch&& other) noexcept { *this = std::move(other); }
        Watch& operator=(Watch&& other) noexcept;
        void reset();

      private:
        friend class UsbContext;
        struct Watchers;
        std::weak_ptr<Watchers> watchers_;
        int id_ = 0;
    };
    [[nodiscard]] Watch watch(UsbInterest interest, HotplugHandler handler);

    /// libusb event threads running in this process, over all contexts (one per started context).
    static int event_threads();

  private:
    struct Hotplug;

    boost::asio::io_context& io_;
    libusb_context* context_ = nullptr;
    bool has_hotplug_ = false;
    int hotplug_handle_ = 0;
    std::unique_ptr<Hotplug> hotplug_;
    std::shared_ptr<Watch::Watchers> watchers_;
    std::atomic<bool> running_{false};
    std::thread events_;
};

}  // namespace packd::drivers
