// The HID POS scanner codec on input reports laid out as drivers/include/packd/drivers/hid_pos_codec.hpp
// describes (tests/data/scanner/README.md).

#include "packd/drivers/hid_pos_codec.hpp"

#include <boost/asio/io_context.hpp>

#include "packd/drivers/hid_pos_scanner.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace packd::drivers {
namespace {

std::vector<uint8_t> report(const std::string& aim, const std::string& data, bool continued = false) {
    std::vector<uint8_t> r(64, 0);
    r[0] = 0x02;
    r[1] = static_cast<uint8_t>(data.size());
    for (std::size_t i = 0; i < aim.size() && i < 3; ++i) {
        r[2 + i] = static_cast<uint8_t>(aim[i]);
    }
    std::copy(data.begin(), data.end(), r.begin() + 5);
    r[63] = continued ? 1 : 0;
    return r;
}

std::vector<std::string> feed_all(HidPosScanCodec& codec, const std::vector<std::vector<uint8_t>>& reports) {
    std::vector<std::string> out;
    for (const auto& r : reports) {
        codec.feed(r, [&](Result<ScanReading> s) {
            out.push_back(s ? s->symbology + "|" + s->data : "! " + s.error().message);
        });
    }
    return out;
}

TEST(HidPosCodec, OneReportWithItsSymbology) {
    HidPosScanCodec codec;
    EXPECT_EQ(feed_all(codec, {report("]E0", "4006381333931"), report("", "TOTE-17")}),
              (std::vector<std::string>{"]E0|4006381333931", "|TOTE-17"}));
}

TEST(HidPosCodec, AScanOverSeveralReports) {
    HidPosScanCodec codec;
    const std::string first(56, '7');
    EXPECT_EQ(feed_all(codec, {report("]d2", first, true), report("]d2",
                                                                  "\x1d"
                                                                  "10AB")}),
              (std::vector<std::string>{"]d2|" + first +
                                        "\x1d"
                                        "10AB"}));
}

TEST(HidPosCodec, BadReportsGetAReasonOthersAreIgnored) {
    HidPosScanCodec codec;
    auto bad = report("]C0", "X");
    bad[1] = 57;
    std::vector<uint8_t> other(64, 0);
    other[0] = 0x04;
    const auto out = feed_all(codec, {bad, other, std::vector<uint8_t>{0x02, 1}, report("]C0", "OK")});
    ASSERT_EQ(out.size(), 3u);
    EXPECT_NE(out[0].find("57 data bytes"), std::string::npos) << out[0];
    EXPECT_NE(out[1].find("too short"), std::string::npos) << out[1];
    EXPECT_EQ(out[2], "]C0|OK");
}

TEST(HidPosCodec, UnpluggedBetweenReportsIsCutShort) {
    HidPosScanCodec codec;
    EXPECT_TRUE(feed_all(codec, {report("]C1", "0109501101530003", true)}).empty());
    std::vector<std::string> out;
    codec.abandon("scanner unplugged",
                  [&](Result<ScanReading> s) { out.push_back(s ? "" : s.error().message); });
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0], "scan cut short: scanner unplugged");
}

// No HID POS scanner is attached to this machine: the transport must come up offline (or fault, where
// libusb itself cannot start) with a reason, and not throw or crash.
TEST(HidPosScanner, AMissingScannerIsNotReadyAndSaysWhy) {
    boost::asio::io_context io;
    HidPosScanner scanner(io, "pos", HidPosScannerSettings{0xffff, 0xfffe, std::chrono::milliseconds(50)});
    EXPECT_FALSE(scanner.open());
    EXPECT_NE(scanner.status().state, DeviceState::ready);
    EXPECT_FALSE(scanner.status().detail.empty());
    io.run_for(std::chrono::milliseconds(200));  // a few reconnect attempts
    EXPECT_NE(scanner.status().state, DeviceState::ready);
}

}  // namespace
}  // namespace packd::drivers
