// The libusb transport of USB HID scales, as far as it can be tested without a scale: it starts
// libusb and its event thread, reports that no scale is there, keeps looking on its timer, and
// stops cleanly. Reports themselves are decoded by the codec (scale_codecs_test.cpp).

#include <gtest/gtest.h>

#include <libusb.h>

#include <boost/asio/io_context.hpp>

#include "packd/drivers/hid_scale.hpp"

namespace packd::drivers {
namespace {

using namespace std::chrono_literals;

/// Whether libusb can start on this machine at all, asked of libusb itself rather than of the scale, so
/// that the test knows which outcome the scale must report (this sandbox has no usbfs: it cannot).
bool libusb_starts_here() {
    libusb_context* context = nullptr;
    if (libusb_init(&context) != 0) {
        return false;
    }
    libusb_exit(context);
    return true;
}

TEST(HidScale, WithoutTheScaleItSaysSoKeepsLookingAndStopsCleanly) {
    boost::asio::io_context io;
    // A vendor:product id no device has (0xFFFF is reserved by the USB-IF).
    HidScale scale(io, "missing", HidScaleMatch{0xFFFF, 0xFFFF}, 20ms);
    const Status st = scale.open();
    if (!libusb_starts_here()) {
        // No usbfs: libusb refuses to start, the scale is in fault and says why, and stays so.
        ASSERT_FALSE(st) << "libusb cannot start here, yet the scale opened";
        EXPECT_EQ(scale.status().state, DeviceState::fault);
        EXPECT_EQ(st.error().message.rfind("libusb: ", 0), 0U) << st.error().message;
        EXPECT_EQ(scale.status().detail, st.error().message);
        EXPECT_FALSE(scale.last_reading());
        scale.close();
        return;
    }
    ASSERT_TRUE(st) << st.error().message;
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
