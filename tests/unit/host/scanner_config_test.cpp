// Scanner config sections and the wiring from a scanner's reading to a scan event
// (firmware-host/src/config.cpp, firmware-host/src/scan_wiring.cpp).

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>
#include <optional>

#include "packd/host/config.hpp"
#include "packd/host/scan_wiring.hpp"

namespace packd::host {
namespace {

std::string with_scanner(const std::string& keys) {
    return "[site]\nid = \"t1\"\n[scanners.wedge]\n" + keys;
}

TEST(ScannerConfig, AnEvdevScannerWithAllItsKeys) {
    auto r =
        parse_config(with_scanner("type = \"evdev\"\ndevice = \"/dev/input/by-id/usb-scanner-event-kbd\"\n"
                                  "layout = \"fr\"\nterminator = \"tab\"\ngap_ms = 80\n"
                                  "max_key_interval_ms = 20\nlayout_proof = true\nreconnect_ms = 500\n"),
                     "packd.toml");
    ASSERT_TRUE(r) << r.error().message;
    const ScannerConfig& s = r->devices.scanners.at("wedge");
    EXPECT_EQ(s.type(), "evdev");
    const auto& evdev = std::get<EvdevScannerConfig>(s.settings);
    EXPECT_EQ(evdev.wedge.layout, "fr");
    EXPECT_EQ(evdev.reconnect_ms, 500);
    const auto w = wedge_settings(evdev.wedge, {});
    EXPECT_EQ(w.layout, drivers::KeyboardLayout::fr);
    EXPECT_EQ(w.terminator, drivers::ScanTerminator::tab);
    EXPECT_EQ(w.gap_us, 80'000);
    EXPECT_EQ(w.max_key_interval_us, 20'000);
    EXPECT_TRUE(w.layout_proof);
    auto by_ids = parse_config(
        with_scanner("type = \"evdev\"\nusb_vendor = \"05e0\"\nusb_product = \"1200\"\n"), "packd.toml");
    ASSERT_TRUE(by_ids) << by_ids.error().message;
    EXPECT_EQ(std::get<EvdevScannerConfig>(by_ids->devices.scanners.at("wedge").settings).wedge.layout, "us");
}

TEST(ScannerConfig, SerialAndNetworkScanners) {
    auto serial = parse_config(with_scanner("type = \"serial\"\ndevice = \"/dev/ttyACM0\"\nbaud = 115200\n"
                                            "suffix = \"crlf\"\n"),
                               "packd.toml");
    ASSERT_TRUE(serial) << serial.error().message;
    EXPECT_EQ(std::get<SerialScannerConfig>(serial->devices.scanners.at("wedge").settings).baud, 115200);
    auto tcp =
        parse_config(with_scanner("type = \"tcp\"\nhost = \"10.0.0.7\"\nport = 51236\n"), "packd.toml");
    ASSERT_TRUE(tcp) << tcp.error().message;
    EXPECT_EQ(std::get<TcpScannerConfig>(tcp->devices.scanners.at("wedge").settings).suffix, "cr");
    EXPECT_FALSE(parse_config(with_scanner("type = \"tcp\"\nhost = \"10.0.0.7\"\n"), "packd.toml"));
    EXPECT_FALSE(parse_config(with_scanner("type = \"serial\"\n"), "packd.toml"));
    EXPECT_TRUE(parse_config(with_scanner("type = \"hid\"\nusb_vendor = \"0c2e\"\nusb_product = \"0b61\"\n"),
                             "packd.toml"));
    EXPECT_FALSE(parse_config(with_scanner("type = \"hid\"\nusb_vendor = \"0c2e\"\n"), "packd.toml"));
    EXPECT_FALSE(parse_config(with_scanner("type = \"serial\"\ndevice = \"/dev/ttyS0\"\nsuffix = \"etx\"\n"),
                              "packd.toml"));
}

TEST(ScannerConfig, ProblemsNameTheKeyAndTheFix) {
    auto problem = [](const std::string& keys) {
        auto r = parse_config(with_scanner(keys), "packd.toml");
        EXPECT_FALSE(r) << keys;
        return r ? std::string() : r.error().message;
    };
    EXPECT_NE(problem("type = \"evdev\"\n").find("scanners.wedge.device"), std::string::npos);
    EXPECT_NE(
        problem("type = \"evdev\"\ndevice = \"/dev/input/event3\"\nlayout = \"dvorak\"\n").find("layout"),
        std::string::npos);
    EXPECT_NE(problem("type = \"evdev\"\ndevice = \"event3\"\n").find("absolute path"), std::string::npos);
    EXPECT_NE(
        problem("type = \"evdev\"\nusb_vendor = \"5e0\"\nusb_product = \"1200\"\n").find("4 hex digits"),
        std::string::npos);
    EXPECT_NE(
        problem("type = \"evdev\"\ndevice = \"/dev/input/event3\"\nterminator = \"cr\"\n").find("terminator"),
        std::string::npos);
    EXPECT_NE(
        problem("type = \"evdev\"\ndevice = \"/dev/input/event3\"\ngap_ms = 20\nmax_key_interval_ms = 30\n")
            .find("less than gap_ms"),
        std::string::npos);
    EXPECT_NE(problem("type = \"laser\"\n").find("type"), std::string::npos);
    EXPECT_NE(problem("type = \"evdev\"\ndevice = \"/dev/input/event3\"\nspeed = 3\n").find("speed"),
              std::string::npos);
}

TEST(ScannerConfig, ACameraWithAllItsKeys) {
    auto r = parse_config(with_scanner("type = \"camera\"\ndevice = \"/dev/v4l/by-id/usb-cam-video-index0\"\n"
                                       "width = 1920\nheight = 1080\npixel_format = \"MJPG\"\n"
                                       "interval_ms = 250\nrepeat_after_ms = 3000\n"),
                          "packd.toml");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->devices.scanners.at("wedge").type(), "camera");
    const auto& s = std::get<CameraScannerConfig>(r->devices.scanners.at("wedge").settings);
    EXPECT_EQ(s.width, 1920);
    EXPECT_EQ(s.height, 1080);
    EXPECT_EQ(s.pixel_format, "MJPG");
    EXPECT_EQ(s.interval_ms, 250);
    EXPECT_EQ(s.repeat_after_ms, 3000);
    auto defaults = parse_config(with_scanner("type = \"camera\"\ndevice = \"/dev/video0\"\n"), "packd.toml");
    ASSERT_TRUE(defaults) << defaults.error().message;
    const auto& camera = std::get<CameraScannerConfig>(defaults->devices.scanners.at("wedge").settings);
    EXPECT_EQ(camera.pixel_format, "YUYV");
    EXPECT_EQ(camera.width, 1280);
}

TEST(ScannerConfig, CameraProblemsAreNamedBeforeAnythingOpens) {
    auto problem = [](const std::string& keys) {
        auto r = parse_config(with_scanner("type = \"camera\"\n" + keys), "packd.toml");
        EXPECT_FALSE(r) << keys;
        return r ? std::string() : r.error().message;
    };
    EXPECT_NE(problem("").find("scanners.wedge.device: expected the camera"), std::string::npos);
    EXPECT_NE(problem("device = \"/dev/video0\"\npixel_format = \"RGB3\"\n")
                  .find("scanners.wedge.pixel_format: expected one of"),
              std::string::npos);
    EXPECT_NE(problem("device = \"/dev/video0\"\nwidth = 641\n").find("expected an even width for YUYV"),
              std::string::npos);
    EXPECT_NE(problem("device = \"/dev/video0\"\nwidth = 8192\nheight = 8192\n").find("40000000 pixels"),
              std::string::npos);
    EXPECT_NE(problem("device = \"/dev/video0\"\ninterval_ms = 5\n").find("scanners.wedge.interval_ms"),
              std::string::npos);
    EXPECT_NE(problem("device = \"/dev/video0\"\nheight = 100000\n").find("scanners.wedge.height"),
              std::string::npos);
}

TEST(ScanWiring, ACameraWithoutItsDeviceIsAnOfflineScannerWithTheReason) {
    boost::asio::io_context io;
    ScannerConfig config;
    config.name = "dock-camera";
    CameraScannerConfig camera;
    camera.device = "/dev/v4l/by-id/packd-test-no-such-camera";
    config.settings = camera;
    auto scanner = make_scanner(io, config, {}, image_frame_decoder([] { return nullptr; }));
    ASSERT_NE(scanner, nullptr);
    EXPECT_EQ(scanner->name(), "dock-camera");
    EXPECT_EQ(scanner->status().state, drivers::DeviceState::offline);
    EXPECT_EQ(scanner->status().detail, "no camera at /dev/v4l/by-id/packd-test-no-such-camera");
}

TEST(ScanWiring, CameraFramesWithoutADecoderSayWhy) {
    std::optional<Result<std::vector<drivers::ScanReading>>> answer;
    image_frame_decoder([] { return nullptr; })({1, 2, 3}, [&](auto found) { answer = std::move(found); });
    ASSERT_TRUE(answer.has_value());
    ASSERT_FALSE(*answer);
    EXPECT_EQ(answer->error().message, "image decoding is not set up");
}

TEST(ScanWiring, AReadingBecomesOneEventWithMeaningOrReason) {
    fulfillment::ScanRules rules;
    rules.this_year = 2026;
    const fulfillment::ScanCatalogue none{};
    auto event = read_scan("pack1", "wedge",
                           {"]C1"
                            "00376104250021234569",
                            {},
                            {},
                            {}},
                           rules, none);
    EXPECT_EQ(event.symbology, "]C1");
    EXPECT_EQ(event.meaning.kind, fulfillment::ScanKind::shipping_unit);
    const auto json = fulfillment::to_json(event);
    EXPECT_EQ(json["station"], "pack1");
    EXPECT_EQ(json["device"], "wedge");
    EXPECT_EQ(json["code"], "376104250021234569");
    // A reading the driver rejected keeps the driver's reason, and the warning travels along.
    event = read_scan("pack1", "wedge", {"DONE", {}, "typed by hand, not scanned", "layout looks wrong"},
                      rules, none);
    EXPECT_EQ(event.meaning.kind, fulfillment::ScanKind::invalid);
    EXPECT_EQ(event.meaning.reason, "typed by hand, not scanned");
    EXPECT_EQ(fulfillment::to_json(event)["warning"], "layout looks wrong");
    EXPECT_GE(current_year(), 2024);
}

TEST(ScanningConfig, WordsAndPrefixesReachTheScanRules) {
    auto defaults = parse_config("[site]\nid = \"t1\"\n", "packd.toml");
    ASSERT_TRUE(defaults) << defaults.error().message;
    EXPECT_EQ(defaults->devices.scanning, ScanningConfig{});
    auto r = parse_config(
        "[site]\nid = \"t1\"\n[scanning]\nimage_decoder = \"/opt/packd/packd-image-decoder\"\n"
        "image_decoders = 4\nimage_queue = 8\nimage_timeout_ms = 5000\norder_prefix = \"SO\"\n"
        "tote_prefix = \"BIN-\"\nrma_prefix = \"R-\"\ncommands = [\"FERTIG\", \"ABBRUCH\"]\n",
        "packd.toml");
    ASSERT_TRUE(r) << r.error().message;
    const ScanningConfig& s = r->devices.scanning;
    EXPECT_EQ(s.image_decoder, "/opt/packd/packd-image-decoder");
    EXPECT_EQ(s.image_decoders, 4);
    EXPECT_EQ(s.image_queue, 8);
    EXPECT_EQ(s.image_timeout_ms, 5000);
    const fulfillment::ScanRules rules = scan_rules(s, 2026);
    EXPECT_EQ(rules.this_year, 2026);
    const fulfillment::ScanCatalogue none{};
    // The configured words and prefixes are what scans are read by; the defaults no longer are.
    EXPECT_EQ(fulfillment::interpret_scan("FERTIG", "", rules, none).kind, fulfillment::ScanKind::command);
    EXPECT_NE(fulfillment::interpret_scan("DONE", "", rules, none).kind, fulfillment::ScanKind::command);
    EXPECT_EQ(fulfillment::interpret_scan("SO1001", "", rules, none).kind, fulfillment::ScanKind::order);
    EXPECT_EQ(fulfillment::interpret_scan("BIN-17", "", rules, none).kind, fulfillment::ScanKind::tote);
    EXPECT_EQ(fulfillment::interpret_scan("R-2026-0042", "", rules, none).kind, fulfillment::ScanKind::rma);
}

TEST(ScanningConfig, BadWordsAndPrefixesAreNamed) {
    auto problem = [](const std::string& keys) {
        auto r = parse_config("[site]\nid = \"t1\"\n[scanning]\n" + keys, "packd.toml");
        return r ? std::string("accepted") : r.error().message;
    };
    EXPECT_NE(problem("commands = [\"DONE\", \"DONE\"]\n").find("scanning.commands: expected each word once"),
              std::string::npos);
    EXPECT_NE(problem("commands = [\"ALL DONE\"]\n").find("no spaces, found \"ALL DONE\""),
              std::string::npos);
    EXPECT_NE(problem("commands = \"DONE\"\n").find("expected an array of strings"), std::string::npos);
    EXPECT_NE(problem("commands = [\"DONE\", 7]\n").find("expected strings only"), std::string::npos);
    EXPECT_NE(problem("order_prefix = \"\"\n").find("scanning.order_prefix"), std::string::npos);
    EXPECT_NE(problem("tote_prefix = \"R\"\n")
                  .find("scanning.tote_prefix: expected a prefix that does not start rma_prefix"),
              std::string::npos);
    EXPECT_NE(
        problem("image_decoders = 0\n").find("scanning.image_decoders: expected an integer from 1 to 16"),
        std::string::npos);
    EXPECT_NE(problem("image_decoder = \"packd-image-decoder\"\n").find("an absolute path"),
              std::string::npos);
    EXPECT_NE(problem("layout = \"us\"\n").find("scanning.layout: unknown key"), std::string::npos);
}

}  // namespace
}  // namespace packd::host
