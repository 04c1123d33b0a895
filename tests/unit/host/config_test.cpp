#include <gtest/gtest.h>

#include "packd/host/config.hpp"
#include "test_env.hpp"

namespace packd::host {
namespace {

const char* kMinimal = R"(
[site]
id = "t1"
)";

std::string error_of(std::string_view text) {
    auto r = parse_config(text, "/etc/packd/packd.toml");
    EXPECT_FALSE(r.ok()) << "config was accepted but should not be:\n" << text;
    return r.ok() ? std::string() : r.error().message;
}

TEST(Config, ShippedExampleIsValidAndComplete) {
    auto r = load_config(test::source_dir() + "/config/packd.toml");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->site.id, "berlin-1");
    EXPECT_EQ(r->broker.client_id, "packd-berlin-1");
    EXPECT_EQ(r->broker.max_payload_bytes, 256 * 1024);
    ASSERT_EQ(r->devices.printers.count("zebra1"), 1u);
    EXPECT_EQ(r->devices.printers.at("zebra1").dpi, 203);
    EXPECT_EQ(r->devices.stations.at("pack1").scale, "bench1");
}

TEST(Config, DemoConfigIsValidOnceItsFolderIsFilledIn) {
    std::string text = test::read_file(test::source_dir() + "/config/demo.toml");
    for (size_t at; (at = text.find("@DEMO_DIR@")) != std::string::npos;) {
        text.replace(at, 10, "/tmp/packd-demo");
    }
    auto r = parse_config(text, "demo.toml");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->devices.labels.printer, "desk");
    EXPECT_EQ(r->daemon.state_dir, "/tmp/packd-demo/state");
}

TEST(Config, MinimalConfigGetsDefaults) {
    auto r = parse_config(kMinimal, "min.toml");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->daemon.state_dir, "/var/lib/packd");
    EXPECT_EQ(r->broker.port, 1883);
    EXPECT_EQ(r->broker.topic_prefix, "packd/v1");
    EXPECT_TRUE(r->devices.printers.empty());
}

TEST(Config, UnknownKeyIsNamedWithFileAndLine) {
    const std::string e = error_of("[site]\nid = \"t1\"\n\n[broker]\nhots = \"x\"\n");
    EXPECT_NE(e.find("/etc/packd/packd.toml:5: broker.hots: unknown key"), std::string::npos) << e;
}

TEST(Config, UnknownSectionIsAnError) {
    const std::string e = error_of("[site]\nid = \"t1\"\n[printer.x]\ntype = \"file\"\n");
    EXPECT_NE(e.find("printer: unknown section"), std::string::npos) << e;
}

TEST(Config, WrongTypeSaysWhatWasExpectedAndFound) {
    const std::string e = error_of("[site]\nid = \"t1\"\n[broker]\nport = \"1883\"\n");
    EXPECT_NE(e.find(":4: broker.port: expected an integer from 1 to 65535, found the string \"1883\""),
              std::string::npos)
        << e;
}

TEST(Config, OutOfRangeValueIsRefused) {
    const std::string e = error_of("[site]\nid = \"t1\"\n[broker]\nport = 70000\n");
    EXPECT_NE(e.find("broker.port: expected an integer from 1 to 65535, found 70000"), std::string::npos)
        << e;
}

TEST(Config, MissingRequiredKeyIsNamed) {
    const std::string e = error_of("[daemon]\nlog_level = \"info\"\n");
    EXPECT_NE(e.find("site.id: expected this key, found nothing"), std::string::npos) << e;
}

TEST(Config, SyntaxErrorGivesLine) {
    const std::string e = error_of("[site]\nid = \"t1\"\n[broker\nport = 1\n");
    EXPECT_NE(e.find("/etc/packd/packd.toml:3: not valid TOML"), std::string::npos) << e;
}

TEST(Config, EveryProblemIsReportedNotJustTheFirst) {
    const std::string e = error_of("[site]\nid = \"bad id!\"\n[broker]\nport = 0\nkeepalive_s = 1\n");
    EXPECT_NE(e.find("site.id"), std::string::npos) << e;
    EXPECT_NE(e.find("broker.port"), std::string::npos) << e;
    EXPECT_NE(e.find("broker.keepalive_s"), std::string::npos) << e;
}

TEST(Config, RelativePathsAreRefused) {
    const std::string e = error_of("[site]\nid = \"t1\"\n[daemon]\nstate_dir = \"var/lib\"\n");
    EXPECT_NE(e.find("daemon.state_dir: expected an absolute path, found \"var/lib\""), std::string::npos)
        << e;
}

TEST(Config, UnsupportedPrinterTypeListsTheKnownOnes) {
    const std::string e =
        error_of("[site]\nid = \"t1\"\n[printers.z]\ntype = \"laser\"\ndirectory = \"/tmp/x\"\n");
    EXPECT_NE(e.find("printers.z.type: expected one of \"file\" \"tcp\" \"usb\", found \"laser\""),
              std::string::npos)
        << e;
}

TEST(Config, TcpPrinterNeedsAHostAndTakesTimeouts) {
    auto r = parse_config(
        "[site]\nid = \"t1\"\n[printers.z]\ntype = \"tcp\"\nhost = \"192.0.2.7\"\nport = 6101\n"
        "status_timeout_ms = 500\n",
        "x");
    ASSERT_TRUE(r.ok()) << r.error().message;
    const auto& p = std::get<TcpPrinterConfig>(r->devices.printers.at("z").settings);
    EXPECT_EQ(r->devices.printers.at("z").type(), "tcp");
    EXPECT_EQ(p.host, "192.0.2.7");
    EXPECT_EQ(p.port, 6101);
    EXPECT_EQ(p.job.status_timeout_ms, 500);
    EXPECT_EQ(p.connect_timeout_ms, 3000);
    const std::string missing = error_of("[site]\nid = \"t1\"\n[printers.z]\ntype = \"tcp\"\n");
    EXPECT_NE(missing.find("printers.z.host: expected this key"), std::string::npos) << missing;
    const std::string port =
        error_of("[site]\nid = \"t1\"\n[printers.z]\ntype = \"tcp\"\nhost = \"p\"\nport = 0\n");
    EXPECT_NE(port.find("printers.z.port"), std::string::npos) << port;
    const std::string wrong = error_of(
        "[site]\nid = \"t1\"\n[printers.z]\ntype = \"file\"\ndirectory = \"/tmp/x\"\nhost = \"p\"\n");
    EXPECT_NE(wrong.find("printers.z.host: expected host only with type = \"tcp\", found type = \"file\""),
              std::string::npos)
        << wrong;
}

TEST(Config, TrackingRangesAreReadAndChecked) {
    auto r = parse_config(
        "[site]\nid = \"t1\"\n[tracking.ups]\ncarrier = \"ups\"\nscheme = \"ups_1z\"\n"
        "prefix = \"999AA101\"\nfirst = 1\nlast = 5000\nlow_water = 100\n",
        "x");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->tracking.at("ups").last, 5000);
    const std::string e = error_of(
        "[site]\nid = \"t1\"\n[tracking.x]\ncarrier = \"x\"\nscheme = \"luhn\"\n"
        "first = 9\nlast = 2\n");
    EXPECT_NE(e.find("tracking.x.scheme: expected one of"), std::string::npos) << e;
    EXPECT_NE(e.find("tracking.x.last: expected a value at least first (9), found 2"), std::string::npos)
        << e;
}

TEST(Config, StationMustNameConfiguredDevices) {
    const std::string e = error_of(
        "[site]\nid = \"t1\"\n[printers.z]\ntype = \"file\"\ndirectory = \"/tmp/x\"\n"
        "[stations.s1]\nprinter = \"zz\"\n");
    EXPECT_NE(e.find("stations.s1.printer: expected the name of a configured printer (z), found \"zz\""),
              std::string::npos)
        << e;
}

TEST(Config, StationWeighingSettingsAreReadAndBounded) {
    auto r = parse_config(
        "[site]\nid = \"t1\"\n[stations.s1]\nweigh_timeout_ms = 3000\npackaging_g = 40\n"
        "weight_tolerance_g = 20\nweight_tolerance_percent = 3\n",
        "/etc/packd/packd.toml");
    ASSERT_TRUE(r.ok()) << r.error().message;
    const StationConfig& s = r->devices.stations.at("s1");
    EXPECT_EQ(s.weigh_timeout_ms, 3000);
    EXPECT_EQ(s.packaging_g, 40);
    EXPECT_EQ(s.weight_tolerance_g, 20);
    EXPECT_EQ(s.weight_tolerance_percent, 3);
    const std::string e = error_of(
        "[site]\nid = \"t1\"\n[stations.s1]\nweigh_timeout_ms = 10\nweight_tolerance_percent = 101\n");
    EXPECT_NE(e.find("/etc/packd/packd.toml:4: stations.s1.weigh_timeout_ms"), std::string::npos) << e;
    EXPECT_NE(e.find("stations.s1.weight_tolerance_percent"), std::string::npos) << e;
}

TEST(Config, AStationPicksWithOrWithoutTheLocationScan) {
    auto r = parse_config(
        "[site]\nid = \"t1\"\n[stations.s1]\nmode = \"pick\"\npick_scan_location = false\n"
        "[stations.s2]\nmode = \"count\"\nmodes = [\"pick\"]\n",
        "/etc/packd/packd.toml");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->devices.stations.at("s1").mode, "pick");
    EXPECT_FALSE(r->devices.stations.at("s1").pick_scan_location);
    EXPECT_TRUE(r->devices.stations.at("s2").pick_scan_location) << "the location is scanned by default";
    const std::string e = error_of("[site]\nid = \"t1\"\n[stations.s1]\nmode = \"picking\"\n");
    EXPECT_NE(e.find("a station mode (pack, pick, receive"), std::string::npos) << e;
}

TEST(Config, LabelsPrinterMustExist) {
    const std::string e = error_of("[site]\nid = \"t1\"\n[labels]\nprinter = \"nope\"\n");
    EXPECT_NE(e.find("labels.printer"), std::string::npos) << e;
}

TEST(Config, SolePrinterIsTheLabelPrinter) {
    auto r =
        parse_config("[site]\nid = \"t1\"\n[printers.z]\ntype = \"file\"\ndirectory = \"/tmp/x\"\n", "x");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->devices.labels.printer, "z");
}

TEST(Config, TwoDevicesCannotShareAFifo) {
    const std::string e = error_of(
        "[site]\nid = \"t1\"\n[scales.a]\ntype = \"sim\"\nfifo = \"/tmp/f\"\n[scanners.b]\ntype = \"sim\"\n"
        "fifo = \"/tmp/f\"\n");
    EXPECT_NE(e.find("expected a FIFO of its own"), std::string::npos) << e;
}

TEST(Config, TlsKeysNeedTls) {
    const std::string e = error_of("[site]\nid = \"t1\"\n[broker]\nca_file = \"/etc/ssl/ca.pem\"\n");
    EXPECT_NE(e.find("broker.tls: expected tls = true"), std::string::npos) << e;
}

TEST(Config, TopicPrefixWithWildcardIsRefused) {
    const std::string e = error_of("[site]\nid = \"t1\"\n[broker]\ntopic_prefix = \"packd/#\"\n");
    EXPECT_NE(e.find("broker.topic_prefix"), std::string::npos) << e;
}

TEST(Config, InventoryAndImportSections) {
    auto r = parse_config(
        "[site]\nid = \"t1\"\n[inventory]\nallow_oversell = true\n[import]\nsku = \"Artikel\"\ndelimiter = "
        "\";\"\n",
        "x");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r->devices.inventory.allow_oversell);
    EXPECT_EQ(r->devices.import.sku, "Artikel");
    EXPECT_EQ(r->devices.import.quantity, "qty");
    EXPECT_EQ(r->devices.import.delimiter, ";");
    const std::string e = error_of(
        "[site]\nid = \"t1\"\n[inventory]\nallow_oversell = \"yes\"\n[import]\ndelimiter = \"::\"\n");
    EXPECT_NE(e.find(":4: inventory.allow_oversell: expected true or false, found the string \"yes\""),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("import.delimiter: expected one of"), std::string::npos) << e;
}

TEST(Config, AProblemStaysOneLineWhateverTheValueHolds) {
    const std::string e = error_of("[site]\nid = \"bad\\nid\\u001b\"\n");
    EXPECT_NE(e.find("site.id: expected a site id"), std::string::npos) << e;
    EXPECT_NE(e.find("found \"bad?id?\""), std::string::npos) << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
}

TEST(Config, MissingFileIsOneClearLine) {
    auto r = load_config("/nonexistent/packd.toml");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message,
              "/nonexistent/packd.toml: cannot read the config file: No such file or directory");
}

TEST(Config, ReloadableSectionsCompareForReload) {
    auto a =
        parse_config("[site]\nid = \"t1\"\n[printers.z]\ntype = \"file\"\ndirectory = \"/tmp/x\"\n", "a");
    auto b =
        parse_config("[site]\nid = \"t1\"\n[printers.z]\ntype = \"file\"\ndirectory = \"/tmp/y\"\n", "b");
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_FALSE(a->devices == b->devices);
    EXPECT_TRUE(a->devices == a->devices);
}

TEST(Config, SerialScalesWithTheirLineSettings) {
    auto r = parse_config(R"([site]
id = "t1"
[scales.bench]
type = "mt-sics"
port = "/dev/serial/by-id/usb-FTDI_FT232R-if00-port0"
baud = 9600
flow_control = "rts-cts"
poll_ms = 100
stable_readings = 5
stable_ms = 400
stable_tolerance_mg = 500
[scales.dock]
type = "toledo-8217"
port = "/dev/ttyS0"
[scales.stream]
type = "ascii"
port = "/dev/ttyUSB1"
pattern = '^(ST|US|OL),(?:GS|NT),([+-])([0-9. ]{8})\s*([a-z]*)$'
stability_group = 1
sign_group = 2
value_group = 3
unit_group = 4
[scales.columns]
type = "ascii"
port = "/dev/ttyUSB2"
value_columns = "3-9"
unit_columns = "11-12"
unit = "kg"
)",
                          "scales.toml");
    ASSERT_TRUE(r.ok()) << r.error().message;
    const auto& bench = std::get<MtSicsScaleConfig>(r->devices.scales.at("bench").settings);
    EXPECT_EQ(bench.line.flow_control, "rts-cts");
    EXPECT_EQ(bench.poll_ms, 100);
    EXPECT_EQ(r->devices.scales.at("bench").stable.readings, 5);
    EXPECT_EQ(r->devices.scales.at("bench").stable.tolerance_mg, 500);
    const auto& dock = std::get<Toledo8217ScaleConfig>(r->devices.scales.at("dock").settings);
    EXPECT_EQ(dock.line.parity, "even");  // the 8217 protocol's 7E1 unless told otherwise
    EXPECT_EQ(dock.line.data_bits, 7);
    EXPECT_EQ(dock.unit, "lb");
    EXPECT_EQ(std::get<AsciiScaleConfig>(r->devices.scales.at("stream").settings).value_group, 3);
    EXPECT_EQ(std::get<AsciiScaleConfig>(r->devices.scales.at("columns").settings).unit, "kg");
    EXPECT_EQ(r->devices.scales.at("columns").type(), "ascii");
}

TEST(Config, SerialScaleProblemsNameFileLineAndKey) {
    std::string e = error_of("[site]\nid = \"t1\"\n[scales.a]\ntype = \"mt-sics\"\nbaud = 12\n");
    EXPECT_NE(e.find("scales.a.port"), std::string::npos) << e;
    EXPECT_NE(e.find("/etc/packd/packd.toml:5: scales.a.baud: expected an integer from 300"),
              std::string::npos)
        << e;
    e = error_of(
        "[site]\nid = \"t1\"\n[scales.a]\ntype = \"toledo-8217\"\nport = \"ttyS0\"\nparity = \"mark\"\n");
    EXPECT_NE(e.find(":5: scales.a.port: expected an absolute path"), std::string::npos) << e;
    EXPECT_NE(e.find(":6: scales.a.parity: expected one of \"none\" \"even\" \"odd\""), std::string::npos)
        << e;
    e = error_of(
        "[site]\nid = \"t1\"\n[scales.a]\ntype = \"ascii\"\nport = \"/dev/ttyS0\"\npattern = \"([0-9]\"\n");
    EXPECT_NE(e.find("scales.a.pattern: expected an ECMAScript regular expression"), std::string::npos) << e;
    e = error_of(
        "[site]\nid = \"t1\"\n[scales.a]\ntype = \"ascii\"\nport = \"/dev/ttyS0\"\npattern = \"([0-9]+)\"\n"
        "value_group = 2\n");
    EXPECT_NE(e.find("scales.a.value_group: expected a group of the pattern (1 to 1), found 2"),
              std::string::npos)
        << e;
    e = error_of("[site]\nid = \"t1\"\n[scales.a]\ntype = \"ascii\"\nport = \"/dev/ttyS0\"\n");
    EXPECT_NE(e.find("found neither"), std::string::npos) << e;
    e = error_of(
        "[site]\nid = \"t1\"\n[scales.a]\ntype = \"ascii\"\nport = \"/dev/ttyS0\"\nvalue_columns = "
        "\"9-3\"\n");
    EXPECT_NE(e.find(":6: scales.a.value_columns: expected columns"), std::string::npos) << e;
    e = error_of(
        "[site]\nid = \"t1\"\n[scales.a]\ntype = \"sim\"\nfifo = \"/tmp/f\"\nport = \"/dev/ttyS0\"\n");
    EXPECT_NE(e.find("scales.a.port: expected port only with type = \"mt-sics\", \"toledo-8217\" or "
                     "\"ascii\", found type = \"sim\""),
              std::string::npos)
        << e;
    e = error_of("[site]\nid = \"t1\"\n[scales.a]\ntype = \"usb-magic\"\n");
    EXPECT_NE(e.find("scales.a.type: expected one of \"sim\" \"mt-sics\" \"toledo-8217\" \"ascii\" \"hid\""),
              std::string::npos)
        << e;
}

TEST(Config, UsbScalesByIdOrByUsage) {
    auto r = parse_config(
        "[site]\nid = \"t1\"\n[scales.dymo]\ntype = \"hid\"\nusb_id = \"0922:8003\"\n"
        "[scales.any]\ntype = \"hid\"\n",
        "hid.toml");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(std::get<HidScaleConfig>(r->devices.scales.at("dymo").settings).usb_id, "0922:8003");
    EXPECT_EQ(std::get<HidScaleConfig>(r->devices.scales.at("any").settings).usb_id, "");
    std::string e = error_of("[site]\nid = \"t1\"\n[scales.a]\ntype = \"hid\"\nusb_id = \"0922-8003\"\n");
    EXPECT_NE(e.find(":5: scales.a.usb_id: expected a USB vendor:product id such as \"0922:8003\""),
              std::string::npos)
        << e;
    e = error_of("[site]\nid = \"t1\"\n[scales.a]\ntype = \"hid\"\nport = \"/dev/ttyS0\"\n");
    EXPECT_NE(e.find("scales.a.port: expected port only with type = \"mt-sics\", \"toledo-8217\" or "
                     "\"ascii\", found type = \"hid\""),
              std::string::npos)
        << e;
    e = error_of(
        "[site]\nid = \"t1\"\n[scales.a]\ntype = \"mt-sics\"\nport = \"/dev/ttyS0\"\nusb_id = "
        "\"0922:8003\"\n");
    EXPECT_NE(e.find("scales.a.usb_id: expected usb_id only with type = \"hid\""), std::string::npos) << e;
}

TEST(Config, TwoScalesCannotShareAPort) {
    const std::string e = error_of(
        "[site]\nid = \"t1\"\n[scales.a]\ntype = \"mt-sics\"\nport = \"/dev/ttyS0\"\n"
        "[scales.b]\ntype = \"toledo-8217\"\nport = \"/dev/ttyS0\"\n");
    EXPECT_NE(e.find("scales.b.port: expected a port of its own, found the one of scales.a"),
              std::string::npos)
        << e;
}

}  // namespace
}  // namespace packd::host
