// One libusb context for every USB device (usb_context.hpp): several devices share one event thread, the
// thread stops when the last holder lets go, and without a device (or without USB, as on the build machine)
// each device reports why it is not ready.

#include "packd/drivers/usb_context.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>

#include "packd/drivers/hid_pos_scanner.hpp"
#include "packd/drivers/hid_scale.hpp"
#include "packd/drivers/usb_printer.hpp"

namespace packd::drivers {
namespace {

using namespace std::chrono_literals;

UsbPrinterSettings absent_printer() {
    UsbPrinterSettings settings;
    settings.match = {0xFFFF, 0xFFFF, ""};  // reserved by the USB-IF: no device has it
    settings.reconnect = 20ms;
    return settings;
}

void expect_not_ready_with_reason(const Device& device, bool usb_started) {
    const DeviceStatus s = device.status();
    EXPECT_NE(s.state, DeviceState::ready) << device.name();
    EXPECT_FALSE(s.detail.empty()) << device.name();
    if (!usb_started) {
        // The printer is offline ("USB is not available ..."), the HID devices a fault ("libusb: ...").
        EXPECT_TRUE(s.detail.find("USB") != std::string::npos || s.detail.find("libusb") != std::string::npos)
            << device.name() << ": " << s.detail;
    }
}

TEST(UsbContext, SeveralDevicesShareOneEventThreadThatStopsWithTheLast) {
    const int before = UsbContext::event_threads();
    boost::asio::io_context io;
    auto usb = UsbContext::make(io);
    const bool started = usb->started();
    {
        UsbPrinter printer(io, "zebra", absent_printer(), usb);
        UsbPrinter second(io, "zebra-2", absent_printer(), usb);
        HidScale scale(io, "dymo", HidScaleMatch{0xFFFF, 0xFFFF}, 20ms, usb);
        HidPosScanner scanner(io, "pos", HidPosScannerSettings{0xFFFF, 0xFFFE, 20ms}, usb);
        EXPECT_TRUE(printer.open().ok());
        EXPECT_TRUE(second.open().ok());
        (void)scale.open();
        EXPECT_FALSE(scanner.open().ok());  // not plugged in, or no USB at all
        EXPECT_EQ(UsbContext::event_threads(), before + (started ? 1 : 0));
        io.run_for(100ms);  // several rounds of the search timers
        for (const Device* d : std::initializer_list<const Device*>{&printer, &second, &scale, &scanner}) {
            expect_not_ready_with_reason(*d, started);
        }
        if (!started) {
            EXPECT_NE(printer.status().detail.find("USB is not available"), std::string::npos);
            EXPECT_EQ(printer.status().state, DeviceState::offline);
        }
        scale.close();
        scanner.close();
        printer.close();
        EXPECT_EQ(UsbContext::event_threads(), before + (started ? 1 : 0));  // the context still held
    }
    usb.reset();
    EXPECT_EQ(UsbContext::event_threads(), before);
}

TEST(UsbContext, DevicesMadeWithoutOneShareTheProcessWideContext) {
    const int before = UsbContext::event_threads();
    boost::asio::io_context io;
    {
        UsbPrinter printer(io, "zebra", absent_printer());
        HidScale scale(io, "dymo", HidScaleMatch{0xFFFF, 0xFFFF}, 20ms);
        EXPECT_TRUE(printer.open().ok());
        (void)scale.open();
        EXPECT_LE(UsbContext::event_threads(), before + 1);
        // While the devices hold it, asking again gives the same context.
        EXPECT_EQ(UsbContext::process_wide(io), UsbContext::process_wide(io));
        io.run_for(50ms);
        EXPECT_NE(printer.status().state, DeviceState::ready);
        EXPECT_NE(scale.status().state, DeviceState::ready);
    }
    EXPECT_EQ(UsbContext::event_threads(), before);
}

TEST(UsbContext, AWatchEndsWithItsOwnerOrTheContext) {
    boost::asio::io_context io;
    auto usb = UsbContext::make(io);
    int heard = 0;
    UsbContext::Watch watch = usb->watch({0x0a5f, 0, 0}, [&](const UsbHotplugEvent&) { ++heard; });
    UsbContext::Watch moved = std::move(watch);
    watch.reset();  // an empty watch: harmless
    usb.reset();    // the context goes first: the watch outlives it harmlessly
    moved.reset();
    io.run();
    EXPECT_EQ(heard, 0);
}

TEST(UsbContext, AStatusChangeIsPushedWhenTheDeviceIsLookedFor) {
    boost::asio::io_context io;
    auto usb = UsbContext::make(io);
    UsbPrinter printer(io, "zebra", absent_printer(), usb);
    std::vector<DeviceStatus> seen;
    printer.on_state_change([&](const DeviceStatus& s) { seen.push_back(s); });
    EXPECT_TRUE(printer.open().ok());
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (seen.empty() && std::chrono::steady_clock::now() < deadline) {
        io.restart();
        io.run_for(10ms);
    }
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen.front().state, DeviceState::offline);
    EXPECT_EQ(seen.front().detail, printer.status().detail);
    printer.close();
}

}  // namespace
}  // namespace packd::drivers
