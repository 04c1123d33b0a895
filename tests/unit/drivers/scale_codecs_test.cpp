// The scale codecs against recorded reports and manual-quoted responses (tests/data/scale/),
// corrupt frames beside the good ones.

#include <gtest/gtest.h>

#include "packd/drivers/ascii_scale_codec.hpp"
#include "packd/drivers/hid_pos_scale_codec.hpp"
#include "packd/drivers/mt_sics_codec.hpp"
#include "packd/drivers/toledo_8217_codec.hpp"
#include "scale_capture.hpp"

namespace packd::drivers {
namespace {

using test::read_scale_captures;
using test::ScaleCapture;

void expect_reading(const ScaleCapture& c, const WeightReading& r, const std::string& file) {
    SCOPED_TRACE(file + ":" + std::to_string(c.line));
    EXPECT_EQ(r.valid, c.valid) << r.reason;
    if (c.valid) {
        EXPECT_EQ(r.milligrams, c.milligrams);
        EXPECT_EQ(r.stable, c.stable);
        EXPECT_TRUE(r.reason.empty());
    } else {
        EXPECT_NE(r.reason.find(c.reason), std::string::npos) << "reason: " << r.reason;
    }
}

TEST(HidPosScaleCodec, DecodesRecordedReports) {
    const auto captures = read_scale_captures("hid-pos-reports.txt", true);
    ASSERT_EQ(captures.size(), 22u) << "records in tests/data/scale/hid-pos-reports.txt";
    for (const auto& c : captures) {
        std::vector<uint8_t> bytes(c.input.begin(), c.input.end());
        expect_reading(c, decode_hid_scale_report(bytes).reading, "hid-pos-reports.txt");
    }
}

TEST(HidPosScaleCodec, ReportIdModeOverridesTheGuess) {
    // A six-byte report without the id (status, unit, exponent, LSB, MSB, padding).
    const std::vector<uint8_t> padded = {0x04, 0x02, 0x00, 0x14, 0x00, 0x00};
    EXPECT_FALSE(decode_hid_scale_report(padded).reading.valid);
    const HidScaleReport r = decode_hid_scale_report(padded, HidReportId::absent);
    EXPECT_TRUE(r.reading.valid);
    EXPECT_EQ(r.reading.milligrams, 20000);
    EXPECT_EQ(r.unit, 2);
    EXPECT_EQ(r.raw_weight, 20);
}

TEST(HidPosScaleCodec, SignedExponent) {
    const std::vector<uint8_t> tenths = {0x03, 0x04, 0x02, 0xFF, 0x0A, 0x00};  // 1.0 g
    const std::vector<uint8_t> tens = {0x03, 0x04, 0x02, 0x01, 0x0A, 0x00};    // 100 g
    EXPECT_EQ(decode_hid_scale_report(tenths).reading.milligrams, 1000);
    EXPECT_EQ(decode_hid_scale_report(tens).reading.milligrams, 100000);
    EXPECT_EQ(decode_hid_scale_report(tens).exponent, 1);
    EXPECT_EQ(decode_hid_scale_report(tenths).exponent, -1);
}

TEST(MtSicsCodec, ParsesTheManualsResponses) {
    const auto captures = read_scale_captures("mt-sics-responses.txt", false);
    ASSERT_EQ(captures.size(), 26u) << "records in tests/data/scale/mt-sics-responses.txt";
    for (const auto& c : captures) {
        expect_reading(c, parse_sics_line(c.input).reading, "mt-sics-responses.txt");
    }
}

TEST(MtSicsCodec, KindsAndCommands) {
    EXPECT_EQ(encode_sics(SicsCommand::weigh_stable), "S\r\n");
    EXPECT_EQ(encode_sics(SicsCommand::weigh_immediate), "SI\r\n");
    EXPECT_EQ(encode_sics(SicsCommand::zero), "Z\r\n");
    EXPECT_EQ(encode_sics(SicsCommand::tare), "T\r\n");
    EXPECT_EQ(encode_sics(SicsCommand::tare_query), "TA\r\n");
    using Kind = SicsResponse::Kind;
    EXPECT_EQ(parse_sics_line("Z A").kind, Kind::zero_done);
    EXPECT_EQ(parse_sics_line("T S     12.00 g").kind, Kind::tare_done);
    EXPECT_EQ(parse_sics_line("TA A      0.00 g").kind, Kind::tare_value);
    EXPECT_EQ(parse_sics_line("S D     1.00 g").kind, Kind::weight);
    EXPECT_EQ(parse_sics_line("SI I").command, "SI");
    EXPECT_EQ(parse_sics_line("S I").kind, Kind::not_executable);
    EXPECT_EQ(parse_sics_line("S +").kind, Kind::over_range);
    EXPECT_EQ(parse_sics_line("EL").kind, Kind::error);
    EXPECT_EQ(parse_sics_line("").kind, Kind::unrecognised);
    EXPECT_EQ(parse_sics_line(std::string(200, 'S')).kind, Kind::unrecognised);
}

TEST(Toledo8217Codec, ParsesRecordsFromTheManuals) {
    const auto captures = read_scale_captures("toledo-8217-records.txt", false);
    ASSERT_EQ(captures.size(), 17u) << "records in tests/data/scale/toledo-8217-records.txt";
    for (const auto& c : captures) {
        Toledo8217Splitter splitter;
        std::vector<WeightReading> readings;
        splitter.feed(c.input, [&](std::string_view record) {
            readings.push_back(parse_toledo_8217_record(record, WeightUnit::pound));
        });
        SCOPED_TRACE("toledo-8217-records.txt:" + std::to_string(c.line));
        ASSERT_EQ(readings.size(), 1u);
        expect_reading(c, readings[0], "toledo-8217-records.txt");
    }
}

TEST(Toledo8217Codec, RecordsSplitAcrossReadsAndNoiseBetween) {
    const std::string stream =
        "\x02"
        "001.00\r\xff\x13junk\x02"
        "?a\r\x02"
        "002.00\r";
    for (size_t cut = 0; cut <= stream.size(); ++cut) {
        Toledo8217Splitter splitter;
        std::vector<std::string> records;
        const auto keep = [&](std::string_view r) { records.emplace_back(r); };
        splitter.feed(std::string_view(stream).substr(0, cut), keep);
        splitter.feed(std::string_view(stream).substr(cut), keep);
        ASSERT_EQ(records.size(), 3u) << "cut at " << cut;
        EXPECT_EQ(records[0], "001.00");
        EXPECT_EQ(records[1], "?a");
        EXPECT_EQ(records[2], "002.00");
        EXPECT_EQ(splitter.noise_bytes(), 6u);
    }
}

TEST(Toledo8217Codec, OverlongRecordIsDropped) {
    Toledo8217Splitter splitter;
    int records = 0;
    splitter.feed("\x02" + std::string(40, '1') +
                      "\r\x02"
                      "1.00\r",
                  [&](std::string_view r) {
                      ++records;
                      EXPECT_EQ(r, "1.00");
                  });
    EXPECT_EQ(records, 1);
}

AsciiScaleFormat and_format() {
    // A&D FX-i/FZ-i "A&D standard format" (instruction manual, 10.4 "Data format"):
    // header ST/US/OL, ',', GS/NT, ',', sign and 8 characters of value, 3 of unit.
    AsciiScaleFormat f;
    f.pattern = R"(^(ST|US|OL),(?:GS|NT),([+-])([0-9. E]{8})\s*([a-z]*)$)";
    f.stability.group = 1;
    f.sign.group = 2;
    f.value.group = 3;
    f.unit.group = 4;
    return f;
}

TEST(AsciiScaleCodec, RegexFormat) {
    auto codec = AsciiScaleCodec::make(and_format());
    ASSERT_TRUE(codec) << codec.error().message;
    auto r = codec->parse_line("ST,GS,+0123.45  g");
    EXPECT_TRUE(r.valid) << r.reason;
    EXPECT_EQ(r.milligrams, 123450);
    EXPECT_TRUE(r.stable);
    r = codec->parse_line("US,GS,+0001.50 kg");
    EXPECT_TRUE(r.valid);
    EXPECT_EQ(r.milligrams, 1500000);
    EXPECT_FALSE(r.stable);
    r = codec->parse_line("OL,GS,+9999.99  g");
    EXPECT_FALSE(r.valid);
    EXPECT_EQ(r.reason, "overload");
    r = codec->parse_line("ST,GS,-0001.00  g");
    EXPECT_FALSE(r.valid);
    EXPECT_NE(r.reason.find("negative"), std::string::npos);
    r = codec->parse_line("ST,GS,+01x3.45  g");
    EXPECT_FALSE(r.valid);
    EXPECT_NE(r.reason.find("does not match"), std::string::npos);
    r = codec->parse_line("ST,GS,+0123.45 xx");
    EXPECT_FALSE(r.valid);
    EXPECT_NE(r.reason.find("unknown unit"), std::string::npos);
    EXPECT_FALSE(codec->parse_line(std::string(300, '1')).valid);
}

TEST(AsciiScaleCodec, FixedColumns) {
    AsciiScaleFormat f;
    f.mode = AsciiScaleFormat::Mode::columns;
    // "S +  1.250 kg": stability 0, sign 2, value 3-9, unit 11-12.
    f.stability = {0, 0, 1};
    f.sign = {0, 2, 1};
    f.value = {0, 3, 7};
    f.unit = {0, 11, 2};
    f.stable_text = "S";
    auto codec = AsciiScaleCodec::make(f);
    ASSERT_TRUE(codec) << codec.error().message;
    auto r = codec->parse_line("S +  1.250 kg");
    EXPECT_TRUE(r.valid) << r.reason;
    EXPECT_EQ(r.milligrams, 1250000);
    EXPECT_TRUE(r.stable);
    r = codec->parse_line("M +  1.250 kg");
    EXPECT_FALSE(r.stable);
    r = codec->parse_line("S +  1.2");
    EXPECT_FALSE(r.valid);
    EXPECT_NE(r.reason.find("too short"), std::string::npos);
    r = codec->parse_line("S *  1.250 kg");
    EXPECT_FALSE(r.valid);
    EXPECT_NE(r.reason.find("sign"), std::string::npos);
}

TEST(AsciiScaleCodec, BadFormatsAreRefused) {
    AsciiScaleFormat f = and_format();
    f.pattern = "([0-9]";
    auto bad = AsciiScaleCodec::make(f);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("does not compile"), std::string::npos);
    f = and_format();
    f.unit.group = 9;
    EXPECT_FALSE(AsciiScaleCodec::make(f));
    f = and_format();
    f.value.group = 0;
    EXPECT_FALSE(AsciiScaleCodec::make(f));
    AsciiScaleFormat c;
    c.mode = AsciiScaleFormat::Mode::columns;
    EXPECT_FALSE(AsciiScaleCodec::make(c));
}

TEST(WeightUnit, ConversionsAndRange) {
    EXPECT_EQ(*to_milligrams(1, 0, WeightUnit::pound), 453592);
    EXPECT_EQ(*to_milligrams(16, 0, WeightUnit::ounce), 453592);
    EXPECT_EQ(*to_milligrams(1, 0, WeightUnit::troy_ounce), 31103);
    EXPECT_EQ(*to_milligrams(5, 0, WeightUnit::carat), 1000);
    EXPECT_TRUE(to_milligrams(1, 0, WeightUnit::avoir_ton).ok());
    EXPECT_FALSE(to_milligrams(2, 0, WeightUnit::metric_ton));
    EXPECT_FALSE(to_milligrams(1, 16, WeightUnit::gram));
    EXPECT_EQ(parse_weight_unit("lbs"), WeightUnit::pound);
    EXPECT_EQ(parse_weight_unit("furlong"), std::nullopt);
    auto d = parse_decimal("-12.345");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->mantissa, -12345);
    EXPECT_EQ(d->exponent, -3);
    EXPECT_FALSE(parse_decimal("1.2.3"));
    EXPECT_FALSE(parse_decimal("-"));
    EXPECT_FALSE(parse_decimal("1234567890123456"));
}

}  // namespace
}  // namespace packd::drivers

namespace packd::drivers {
namespace {

TEST(HidReportStream, DropsTheStaleReportAfterConnectingAndKeepsZero) {
    const std::vector<uint8_t> g500 = {0x03, 0x04, 0x02, 0x00, 0xF4, 0x01};
    const std::vector<uint8_t> g800 = {0x03, 0x04, 0x02, 0x00, 0x20, 0x03};
    const std::vector<uint8_t> g300 = {0x03, 0x04, 0x02, 0x00, 0x2C, 0x01};
    const std::vector<uint8_t> fault = {0x03, 0x01, 0x02, 0x00, 0x00, 0x00};
    HidReportStream stream;
    EXPECT_FALSE(stream.zero());                  // nothing read yet
    EXPECT_FALSE(stream.next(g800).has_value());  // stale: the weight from before the connection
    auto r = stream.next(g500);
    ASSERT_TRUE(r && r->valid);
    EXPECT_EQ(r->milligrams, 500000);
    ASSERT_TRUE(stream.zero());  // the empty box is zero now
    r = stream.next(g800);
    ASSERT_TRUE(r && r->valid);
    EXPECT_EQ(r->milligrams, 300000);
    r = stream.next(g300);  // the box lifted off: below the zero packd set
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->valid);
    EXPECT_NE(r->reason.find("negative weight"), std::string::npos) << r->reason;
    r = stream.next(fault);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->valid);
    EXPECT_FALSE(stream.zero());  // not against a fault
    stream.connected();
    EXPECT_FALSE(stream.next(g500).has_value());
    EXPECT_EQ(stream.next(g500)->milligrams, 0);  // the zero survives a reconnect
}

// Report descriptors built item by item from HID 1.11, 6.2.2 and the Point of Sale usage tables
// (page 0x8D, usage 0x20 Scale Device): no recorded descriptor was found published.
TEST(HidPosScaleCodec, FindsTheScaleUsagePageInAReportDescriptor) {
    const std::vector<uint8_t> scale = {0x05, 0x8D, 0x09, 0x20, 0xA1, 0x01, 0x85, 0x03, 0x09, 0x32, 0xC0};
    const std::vector<uint8_t> keyboard = {0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x05, 0x07, 0x19, 0xE0, 0xC0};
    const std::vector<uint8_t> two_byte_page = {0x06, 0x8D, 0x00, 0x09, 0x20};
    const std::vector<uint8_t> vendor_page = {0x06, 0x8D, 0xFF, 0x09, 0x20};
    const std::vector<uint8_t> after_long_item = {0xFE, 0x02, 0x10, 0xAA, 0xBB, 0x05, 0x8D};
    const std::vector<uint8_t> page_as_data = {0x09, 0x05, 0x15, 0x8D};  // 0x05 0x8D inside other items
    const std::vector<uint8_t> truncated = {0x05};
    EXPECT_TRUE(declares_pos_scale_usage_page(scale));
    EXPECT_FALSE(declares_pos_scale_usage_page(keyboard));
    EXPECT_TRUE(declares_pos_scale_usage_page(two_byte_page));
    EXPECT_FALSE(declares_pos_scale_usage_page(vendor_page));
    EXPECT_TRUE(declares_pos_scale_usage_page(after_long_item));
    EXPECT_FALSE(declares_pos_scale_usage_page(page_as_data));
    EXPECT_FALSE(declares_pos_scale_usage_page(truncated));
    EXPECT_FALSE(declares_pos_scale_usage_page({}));
}

}  // namespace
}  // namespace packd::drivers
