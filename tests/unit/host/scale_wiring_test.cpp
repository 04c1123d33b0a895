// Config section -> scale driver (firmware-host/src/scale_wiring.cpp).

#include <gtest/gtest.h>

#include "packd/drivers/hid_scale.hpp"
#include "packd/drivers/serial_scale.hpp"
#include "packd/drivers/sim_scale.hpp"
#include "packd/host/scale_wiring.hpp"
#include "test_env.hpp"

namespace packd::host {
namespace {

TEST(ScaleWiring, ColumnsAreOneBasedAndInclusive) {
    ScaleConfig c;
    c.type = "ascii";
    c.value_columns = "3-8";
    c.unit_columns = "10-11";
    c.stability_columns = "1-1";
    c.stable_text = "S";
    c.unit = "kg";
    auto f = ascii_format(c);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->mode, drivers::AsciiScaleFormat::Mode::columns);
    EXPECT_EQ(f->value.start, 2u);
    EXPECT_EQ(f->value.length, 6u);
    EXPECT_EQ(f->unit.start, 9u);
    EXPECT_EQ(f->stability.length, 1u);
    EXPECT_EQ(f->default_unit, drivers::WeightUnit::kilogram);
    auto codec = drivers::AsciiScaleCodec::make(*f);
    ASSERT_TRUE(codec) << codec.error().message;
    const auto r = codec->parse_line("S  1.250 kg");
    EXPECT_TRUE(r.valid) << r.reason;
    EXPECT_EQ(r.milligrams, 1250000);
}

TEST(ScaleWiring, StableRulesFollowTheConfig) {
    ScaleConfig c;
    c.stable_readings = 7;
    c.stable_ms = 300;
    c.stable_tolerance_mg = 50;
    const auto rules = stable_rules(c);
    EXPECT_EQ(rules.min_readings, 7);
    EXPECT_EQ(rules.min_duration, std::chrono::milliseconds(300));
    EXPECT_EQ(rules.tolerance_mg, 50);
}

TEST(ScaleWiring, EachTypeGetsItsDriver) {
    boost::asio::io_context io;
    test::TempDir dir;
    ScaleConfig sim;
    sim.name = "s";
    sim.type = "sim";
    sim.fifo = dir.file("scale.fifo");
    auto opened = open_scale(io, sim);
    ASSERT_TRUE(opened.opened) << opened.opened.error().message;
    EXPECT_NE(dynamic_cast<drivers::SimScale*>(opened.scale.get()), nullptr);

    for (const char* type : {"mt-sics", "toledo-8217"}) {
        ScaleConfig serial;
        serial.name = type;
        serial.type = type;
        serial.port = dir.file("no-such-port");
        opened = open_scale(io, serial);
        // Not there yet: the driver exists, says why, and keeps trying.
        ASSERT_NE(dynamic_cast<drivers::SerialScale*>(opened.scale.get()), nullptr) << type;
        EXPECT_FALSE(opened.opened);
        EXPECT_NE(opened.opened.error().message.find("no-such-port"), std::string::npos);
        EXPECT_EQ(opened.scale->status().state, drivers::DeviceState::offline);
    }
    ScaleConfig usb;
    usb.name = "u";
    usb.type = "hid";
    usb.usb_id = "ffff:ffff";
    opened = open_scale(io, usb);
    EXPECT_NE(dynamic_cast<drivers::HidScale*>(opened.scale.get()), nullptr);

    ScaleConfig bad;
    bad.name = "b";
    bad.type = "ascii";
    bad.port = dir.file("p");
    opened = open_scale(io, bad);
    EXPECT_EQ(opened.scale, nullptr);
    EXPECT_FALSE(opened.opened);
}

}  // namespace
}  // namespace packd::host
