// USB label printers, as far as they can be tested without one: this machine has no USB bus and no gadget
// or dummy host controller to emulate a device (drivers/README.md, "USB printers"). What runs here: picking
// the printer interface from descriptors as a Zebra ZD420 and others declare them, cutting a job into bulk
// transfers, the [printers.NAME] keys of a USB printer, and the transport without a printer (offline with
// the reason, a job refused with it, a clean stop). The status logic it shares with TCP is tested over TCP
// (zpl_printer_test.cpp, zpl_hqes_test.cpp).

#include <gtest/gtest.h>

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/write.hpp>
#include <optional>

#include "packd/drivers/usb_printer.hpp"
#include "packd/host/config.hpp"

namespace packd::drivers {
namespace {

using namespace std::chrono_literals;

constexpr uint8_t kBulk = 0x02;
constexpr uint8_t kInterrupt = 0x03;

// A Zebra desktop printer as its descriptors read (lsusb -v of a ZD420, bidirectional printer interface
// 0 with bulk OUT 0x01 and bulk IN 0x81, 512-byte packets at high speed); ids 0a5f:0120.
UsbDeviceInfo zebra(std::string serial = "D4J123456789") {
    UsbDeviceInfo d;
    d.vendor_id = 0x0a5f;
    d.product_id = 0x0120;
    d.serial = std::move(serial);
    d.interfaces.push_back({0, 0, 7, 1, 2, {{0x01, kBulk, 512}, {0x81, kBulk, 512}}});
    return d;
}

TEST(UsbPrinterMatch, ABidirectionalZebraByIdsGivesBothEndpoints) {
    const auto found = find_printer_interface(zebra(), UsbPrinterMatch{0x0a5f, 0x0120, ""});
    ASSERT_TRUE(found.ok()) << found.error().message;
    EXPECT_EQ(found->number, 0);
    EXPECT_EQ(found->out_endpoint, 0x01);
    EXPECT_EQ(found->in_endpoint, 0x81);
    EXPECT_EQ(found->out_packet, 512);
    EXPECT_TRUE(found->bidirectional());
}

TEST(UsbPrinterMatch, WrongIdsOrSerialAreNotThePrinterAndSaySo) {
    EXPECT_EQ(find_printer_interface(zebra(), UsbPrinterMatch{0x0a5f, 0x0166, ""}).error().message,
              "0a5f:0120 is not the configured printer 0a5f:0166");
    EXPECT_EQ(find_printer_interface(zebra("OTHER"), UsbPrinterMatch{0x0a5f, 0x0120, "D4J123456789"})
                  .error()
                  .message,
              "0a5f:0120 has serial \"OTHER\", not \"D4J123456789\"");
    EXPECT_TRUE(find_printer_interface(zebra(), UsbPrinterMatch{0x0a5f, 0x0120, "D4J123456789"}).ok());
    EXPECT_FALSE(may_be_printer(UsbPrinterMatch{0x0a5f, 0x0120, ""}, 0x0922, 0x8003));
    EXPECT_TRUE(may_be_printer(UsbPrinterMatch{}, 0x0922, 0x8003));
}

TEST(UsbPrinterMatch, WithoutIdsOnlyAPrinterClassInterfaceCounts) {
    // A composite device: a HID interface first, then a unidirectional printer on interface 2.
    UsbDeviceInfo d;
    d.vendor_id = 0x1234;
    d.product_id = 0x5678;
    d.interfaces.push_back({0, 0, 3, 0, 0, {{0x83, kInterrupt, 8}}});
    d.interfaces.push_back({2, 0, 7, 1, 1, {{0x02, kBulk, 64}, {0x82, kBulk, 64}}});
    ASSERT_TRUE(has_printer_interface(d));
    const auto found = find_printer_interface(d, UsbPrinterMatch{});
    ASSERT_TRUE(found.ok()) << found.error().message;
    EXPECT_EQ(found->number, 2);
    EXPECT_EQ(found->out_endpoint, 0x02);
    EXPECT_FALSE(found->bidirectional());  // protocol 1: its IN endpoint is not a status channel

    UsbDeviceInfo scale;
    scale.vendor_id = 0x0922;
    scale.product_id = 0x8003;
    scale.interfaces.push_back({0, 0, 3, 0, 0, {{0x82, kInterrupt, 8}}});
    EXPECT_FALSE(has_printer_interface(scale));
    EXPECT_EQ(find_printer_interface(scale, UsbPrinterMatch{}).error().message,
              "0922:8003 has no printer interface (class 7) with a bulk OUT endpoint");
}

TEST(UsbPrinterMatch, BidirectionalAlternateWinsAndIeee1284_4IsPassedOver) {
    // Printer class 1.1, 4.2: one interface, alternate settings for protocols 1, 2 and 3.
    UsbDeviceInfo d = zebra();
    d.interfaces.clear();
    d.interfaces.push_back({0, 0, 7, 1, 1, {{0x01, kBulk, 512}}});
    d.interfaces.push_back({0, 1, 7, 1, 2, {{0x01, kBulk, 512}, {0x81, kBulk, 512}}});
    d.interfaces.push_back({0, 2, 7, 1, 3, {{0x01, kBulk, 512}, {0x81, kBulk, 512}}});
    const auto found = find_printer_interface(d, UsbPrinterMatch{});
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->alternate, 1);
    EXPECT_TRUE(found->bidirectional());

    UsbDeviceInfo only_1284;
    only_1284.interfaces.push_back({0, 0, 7, 1, 3, {{0x01, kBulk, 512}, {0x81, kBulk, 512}}});
    EXPECT_NE(find_printer_interface(only_1284, UsbPrinterMatch{}).error().message.find("only IEEE 1284.4"),
              std::string::npos);
}

TEST(UsbPrinterMatch, AVendorClassPrinterIsTakenOnlyWhenNamedByIds) {
    UsbDeviceInfo d;
    d.vendor_id = 0x0a5f;
    d.product_id = 0x00d1;
    d.interfaces.push_back({0, 0, 0xFF, 0, 0, {{0x81, kBulk, 64}, {0x02, kBulk, 64}}});
    EXPECT_FALSE(find_printer_interface(d, UsbPrinterMatch{}).ok());
    const auto named = find_printer_interface(d, UsbPrinterMatch{0x0a5f, 0x00d1, ""});
    ASSERT_TRUE(named.ok());
    EXPECT_EQ(named->out_endpoint, 0x02);
    EXPECT_EQ(named->in_endpoint, 0x81);
}

TEST(UsbPrinterChunks, WholePacketsAndEveryByteOnce) {
    EXPECT_EQ(usb_chunk_size(16384, 512), 16384U);
    EXPECT_EQ(usb_chunk_size(1000, 512), 512U);
    EXPECT_EQ(usb_chunk_size(100, 512), 512U);  // at least one packet
    EXPECT_EQ(usb_chunk_size(16384, 0), 16384U);
    EXPECT_EQ(usb_chunk_size(16000, 64), 16000U);
    EXPECT_TRUE(usb_chunks(0, 512).empty());
    for (const std::size_t total : {1UL, 511UL, 512UL, 513UL, 40000UL}) {
        const auto chunks = usb_chunks(total, 512);
        std::size_t next = 0;
        for (const auto& [offset, length] : chunks) {
            EXPECT_EQ(offset, next);
            EXPECT_GT(length, 0U);
            EXPECT_LE(length, 512U);
            next += length;
        }
        EXPECT_EQ(next, total);
        EXPECT_EQ(chunks.size(), (total + 511) / 512);
    }
}

TEST(UsbPrinter, WithoutThePrinterItIsOfflineWithTheReasonRefusesJobsAndStopsCleanly) {
    boost::asio::io_context io;
    UsbPrinterSettings settings;
    settings.match = {0xFFFF, 0xFFFF, ""};  // reserved by the USB-IF: no device has it
    settings.reconnect = 20ms;
    UsbPrinter printer(io, "zebra-usb", settings);
    ASSERT_TRUE(printer.open().ok());
    EXPECT_EQ(printer.status().state, DeviceState::offline);
    const std::string detail = printer.status().detail;
    // Either this system has no USB at all (this sandbox), or the printer is not plugged in.
    EXPECT_TRUE(detail.find("USB is not available") != std::string::npos ||
                detail.find("ffff:ffff not plugged in") != std::string::npos)
        << detail;
    std::optional<Status> outcome;
    printer.print(PrintJob{"job-1", "^XA^XZ", {}}, [&](Status st) { outcome = std::move(st); });
    io.run_for(100ms);  // several rounds of the search timer
    ASSERT_TRUE(outcome.has_value());
    ASSERT_FALSE(outcome->ok());
    EXPECT_EQ(outcome->error().message, "printer zebra-usb: " + detail);
    EXPECT_EQ(printer.status().state, DeviceState::offline);
    printer.close();
    printer.close();  // twice is harmless
}

// A printer that only takes bytes (a USB printer class interface without bulk IN, protocol 1), over a real
// pipe: the job goes out whole, no status command is sent, and the status says packd cannot know more.
struct OneWayPipe final : ZplChannel {
    explicit OneWayPipe(boost::asio::io_context& io, int fd) : out(io, fd) {}
    void write(std::string_view bytes, std::function<void(Status)> done) override {
        boost::asio::async_write(out, boost::asio::buffer(bytes.data(), bytes.size()),
                                 [done = std::move(done)](const boost::system::error_code& ec, std::size_t) {
                                     done(ec ? fail(ec.message()) : Status{});
                                 });
    }
    void read_some(std::function<void(Result<std::string>)> done) override { done(fail("one-way")); }
    void cancel() override {}
    bool readable() const override { return false; }
    boost::asio::posix::stream_descriptor out;
};

TEST(ZplCheckedJob, AOneWayPrinterGetsTheJobAndNoStatusQuestions) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    boost::asio::io_context io;
    auto status = std::make_shared<DeviceStatus>();
    std::optional<Status> outcome;
    const std::string zpl = "^XA^FO20,20^FDORDER 1001^FS^XZ";
    auto job =
        std::make_shared<ZplCheckedJob>(io, "lp1", ZplJobSettings{}, std::make_shared<OneWayPipe>(io, fds[1]),
                                        status, zpl, [&](Status st) { outcome = std::move(st); });
    job->run();
    io.run_for(5s);
    ASSERT_TRUE(outcome.has_value());
    EXPECT_TRUE(outcome->ok());
    EXPECT_EQ(status->state, DeviceState::ready);
    EXPECT_EQ(status->detail, "ready (the printer sends no status)");
    std::string got(256, '\0');
    const ssize_t n = ::read(fds[0], got.data(), got.size());
    ::close(fds[0]);
    ASSERT_GT(n, 0);
    got.resize(static_cast<std::size_t>(n));
    EXPECT_EQ(got, zpl);  // the job alone: no ~HS, no ~HQES
}

// ---- [printers.NAME] type = "usb" -----------------------------------------------------------------------

std::string config_error(const std::string& printer) {
    auto r = host::parse_config("[site]\nid = \"t1\"\n[printers.z]\n" + printer, "/etc/packd/packd.toml");
    return r.ok() ? std::string() : r.error().message;
}

TEST(UsbPrinterConfig, IdsSerialAndStatusAreReadAndChecked) {
    auto r = host::parse_config(
        "[site]\nid = \"t1\"\n[printers.z]\ntype = \"usb\"\nvendor_id = \"0a5f\"\nproduct_id = \"0120\"\n"
        "serial = \"D4J123\"\nstatus = \"both\"\n",
        "x");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->devices.printers.at("z").type(), "usb");
    const auto& p = std::get<host::UsbPrinterConfig>(r->devices.printers.at("z").settings);
    EXPECT_EQ(p.vendor_id, "0a5f");
    EXPECT_EQ(p.product_id, "0120");
    EXPECT_EQ(p.serial, "D4J123");
    EXPECT_EQ(p.job.status, "both");
    EXPECT_TRUE(config_error("type = \"usb\"\n").empty());  // the first USB printer
    const auto tcp =
        host::parse_config("[site]\nid = \"t1\"\n[printers.z]\ntype = \"tcp\"\nhost = \"p\"\n", "x");
    ASSERT_TRUE(tcp.ok()) << tcp.error().message;
    EXPECT_EQ(std::get<host::TcpPrinterConfig>(tcp->devices.printers.at("z").settings).job.status,
              "hs");  // the default

    EXPECT_EQ(config_error("type = \"usb\"\nvendor_id = \"0a5f\"\n"),
              "/etc/packd/packd.toml:3: printers.z.product_id: expected vendor_id and product_id together (4 "
              "hex digits each, e.g. \"0a5f\" and \"0166\"), or neither to take the first USB printer, found "
              "only one of them");
    EXPECT_EQ(config_error("type = \"usb\"\nvendor_id = \"zebra\"\nproduct_id = \"0120\"\n"),
              "/etc/packd/packd.toml:5: printers.z.vendor_id: expected 4 hex digits such as \"0a5f\", found "
              "\"zebra\"");
    EXPECT_EQ(config_error("type = \"tcp\"\nhost = \"p\"\nstatus = \"hq\"\n"),
              "/etc/packd/packd.toml:6: printers.z.status: expected one of \"hs\" \"hqes\" \"both\", found "
              "\"hq\"");
    EXPECT_EQ(
        config_error("type = \"file\"\ndirectory = \"/tmp/x\"\nstatus = \"hqes\"\n"),
        "/etc/packd/packd.toml:6: printers.z.status: expected status only with type = \"tcp\" or \"usb\", "
        "found type = \"file\"");
    EXPECT_EQ(config_error("type = \"tcp\"\nhost = \"p\"\nvendor_id = \"0a5f\"\nproduct_id = \"0120\"\n"),
              "/etc/packd/packd.toml:6: printers.z.vendor_id: expected vendor_id only with type = \"usb\", "
              "found type = \"tcp\"\n/etc/packd/packd.toml:7: printers.z.product_id: expected product_id "
              "only with type = \"usb\", found type = \"tcp\"");
}

}  // namespace
}  // namespace packd::drivers
