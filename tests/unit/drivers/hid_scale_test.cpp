// The libusb transport of USB HID scales, as far as it can be tested without a scale: it starts
// libusb and its event thread, reports that no scale is there, keeps looking on its timer, and
// stops cleanly. Reports themselves are decoded by the codec (scale_codecs_test.cpp).

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "packd/drivers/hid_scale.hpp"

namespace packd::drivers {
namespace {

using namespace std::chrono_literals;

TEST(HidScale, WithoutTheScaleItSaysSoKeepsLookingAndStopsCleanly) {
    boost::asio::io_context io;
    // A vendor:product id no device has (0xFFFF is reserved by the USB-IF).
    HidScale scale(io, "missing", HidScaleMatch{0xFFFF, 0xFFFF}, 20ms);
    const Status st = scale.open();
    if (!st) {
        // No usbfs in this sandbox: libusb refuses to start, and says why.
        EXPECT_EQ(scale.status().state, DeviceState::fault);
        EXPECT_NE(st.error().message.find("libusb"), std::string::npos);
        return;
    }
    EXPECT_EQ(scale.status().state, DeviceState::offline);
    EXPECT_NE(scale.status().detail.find("not plugged in"), std::string::npos) << scale.status().detail;
    // Several rounds of the search timer run against the real USB device list.
    io.run_for(100ms);
    EXPECT_EQ(scale.status().state, DeviceState::offline);
    EXPECT_FALSE(scale.last_reading());
    const Status zero = scale.zero();
    ASSERT_FALSE(zero);
    EXPECT_NE(zero.error().message.find("no valid weight"), std::string::npos);
    scale.close();
    scale.close();  // twice is harmless
}

}  // namespace
}  // namespace packd::drivers
