// The real packd and packctl with a ZPL printer emulator on a loopback TCP port: orders print over TCP 9100,
// a label queued while the printer is out of paper survives kill -9 and prints once after restart, and
// `packctl reprint ORDER` is the only way a label prints twice.

#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "fault_support.hpp"
#include "packd_fixture.hpp"
#include "zpl_printer_emulator.hpp"

namespace packd::test {
namespace {

using namespace std::chrono_literals;

std::string order_json(const std::string& event_id, const std::string& order_id) {
    return nlohmann::json{{"event_id", event_id},
                          {"type", "order.created"},
                          {"order",
                           {{"id", order_id},
                            {"carrier", "DHL"},
                            {"service", "Paket"},
                            {"tracking_number", "JJD0001234567" + order_id},
                            {"ship_to",
                             {{"name", "Zoë ^XZ~JA Ünal"},
                              {"street1", "Hauptstr. 1"},
                              {"city", "Köln"},
                              {"postal_code", "50667"},
                              {"country", "DE"}}},
                            {"lines", {{{"sku", "MUG-RED"}, {"quantity", 1}}}}}}}
        .dump();
}

std::size_t labels_for(const ZplPrinterEmulator& printer, const std::string& order_id) {
    std::size_t n = 0;
    for (const auto& format : printer.printed()) {
        n += format.find("JJD0001234567" + order_id) != std::string::npos ? 1U : 0U;
    }
    return n;
}

/// Shipping and reprint jobs of printer "desk" still to be sent: pending, or marked sending and not settled.
int64_t jobs_in_flight(const TempDir& dir) {
    StoreFile store(dir.file("state/packd.db"));
    return store.scalar(
        "SELECT count(*) FROM print_jobs WHERE printer = 'desk' AND state IN ('pending', 'sending')");
}

// The fixture's config with printer "desk" described by `printer` instead of a file printer.
std::string printer_config(const TempDir& dir, int broker_port, const std::string& printer) {
    // A tracking range too: packd must start with one configured.
    std::string config = daemon_config(dir, broker_port,
                                       "[tracking.ups]\ncarrier = \"ups\"\nscheme = \"ups_1z\"\nprefix = "
                                       "\"999AA101\"\nfirst = 1\nlast = 100\nlow_water = 10\n");
    const std::string file = "type = \"file\"\ndirectory = \"" + dir.file("labels") + "\"\n";
    const auto at = config.find(file);
    EXPECT_NE(at, std::string::npos);
    config.replace(at, file.size(), printer);
    return config;
}

std::string tcp_config(const TempDir& dir, int broker_port, int printer_port) {
    return printer_config(dir, broker_port,
                          "type = \"tcp\"\nhost = \"127.0.0.1\"\nport = " + std::to_string(printer_port) +
                              "\nstatus_timeout_ms = 500\nconnect_timeout_ms = 1000\n");
}

TEST(PrinterFlow, PaperOutKillNineRestartPrintsOnceAndReprintIsExplicit) {
    TempDir dir;
    Broker broker;
    ZplPrinterEmulator printer;
    write_file(dir.file("packd.toml"), tcp_config(dir, broker.port(), printer.port()));
    auto packd = start_packd(dir);
    seed_catalogue(dir);
    ASSERT_TRUE(packd->wait_for_output("subscribed to packd/v1/it/in/#", 20s)) << packd->output();

    publish(broker.port(), "packd/v1/it/in/orders", order_json("evt-1", "7001"));
    ASSERT_TRUE(wait_until([&] { return labels_for(printer, "7001") == 1; }, 30s)) << packd->output();

    // Paper runs out; the next label waits in packd's queue, then packd is killed.
    printer.set_fault(ZplPrinterEmulator::Fault::paper_out);
    publish(broker.port(), "packd/v1/it/in/orders", order_json("evt-2", "7002"));
    ASSERT_TRUE(packd->wait_for_output("paper out: load labels", 30s)) << packd->output();
    packd->signal(SIGKILL);
    packd->wait(10s);
    EXPECT_EQ(labels_for(printer, "7002"), 0U);

    printer.set_fault(ZplPrinterEmulator::Fault::none);
    auto again = start_packd(dir);
    ASSERT_TRUE(wait_until([&] { return labels_for(printer, "7002") == 1; }, 30s)) << again->output();

    // A reprint is asked for, logged and printed once more; without it nothing prints twice.
    auto reprint = packctl(dir, {"reprint", "7001"});
    ASSERT_EQ(reprint.code, 0) << reprint.output;
    EXPECT_NE(reprint.output.find("reprint queued"), std::string::npos) << reprint.output;
    ASSERT_TRUE(wait_until([&] { return labels_for(printer, "7001") == 2; }, 30s)) << again->output();
    EXPECT_TRUE(again->wait_for_output("reprint of the shipping label of order 7001", 5s)) << again->output();
    auto unknown = packctl(dir, {"reprint", "9999"});
    EXPECT_NE(unknown.code, 0);
    EXPECT_NE(unknown.output.find("order 9999 has no shipping label to reprint"), std::string::npos)
        << unknown.output;
    // Nothing is left for the queue to send: the three jobs (two labels, one reprint) are settled done in the
    // store, so a label that was going to print twice would have reached the printer by now.
    ASSERT_TRUE(wait_until([&] { return jobs_in_flight(dir) == 0; }, 30s)) << again->output();
    StoreFile store(dir.file("state/packd.db"));
    EXPECT_EQ(store.scalar("SELECT count(*) FROM print_jobs WHERE printer = 'desk' AND state = 'done'"), 3);
    EXPECT_EQ(store.scalar("SELECT count(*) FROM print_jobs WHERE order_id = '7001' AND reprint = 1"), 1);
    EXPECT_EQ(printer.formats_received(), 3U);
    EXPECT_EQ(printer.buffered(), 0U);
    EXPECT_EQ(labels_for(printer, "7001"), 2U);
    EXPECT_EQ(labels_for(printer, "7002"), 1U);
}

// No USB printer can be plugged in here (no USB bus, no gadget emulation): packd starts with one configured,
// shows it offline with the reason, and keeps the order's label queued for when it comes.
TEST(PrinterFlow, AnAbsentUsbPrinterIsOfflineWithTheReasonAndTheLabelStaysQueued) {
    TempDir dir;
    Broker broker;
    // ffff:ffff is reserved by the USB-IF: no device has it.
    write_file(dir.file("packd.toml"),
               printer_config(dir, broker.port(),
                              "type = \"usb\"\nvendor_id = \"ffff\"\nproduct_id = \"ffff\"\nstatus = "
                              "\"both\"\nreconnect_ms = 200\n"));
    auto packd = start_packd(dir);
    seed_catalogue(dir);
    ASSERT_TRUE(packd->wait_for_output("subscribed to packd/v1/it/in/#", 20s)) << packd->output();
    publish(broker.port(), "packd/v1/it/in/orders", order_json("evt-1", "7101"));
    std::string status;
    const auto queued_and_offline = [&] {
        status = packctl(dir, {"status"}).output;
        return status.find("1 labels queued") != std::string::npos &&
               status.find("printer  desk: offline - ") != std::string::npos;
    };
    ASSERT_TRUE(wait_until(queued_and_offline, 30s)) << status << packd->output();
    EXPECT_TRUE(status.find("USB is not available") != std::string::npos ||
                status.find("USB printer ffff:ffff not plugged in") != std::string::npos)
        << status;
    // The queue tried the printer and says why it could not print; the label is still pending in the store,
    // and packd still answers.
    const auto queue_error = [&] {
        const auto j = nlohmann::json::parse(packctl(dir, {"--json", "status"}).output, nullptr, false);
        if (!j.is_object() || !j.contains("status") || !j["status"].contains("printers")) {
            return std::string();
        }
        for (const auto& p : j["status"]["printers"]) {
            if (p.value("name", "") == "desk") {
                return p.value("last_error", "");
            }
        }
        return std::string();
    };
    ASSERT_TRUE(wait_until([&] { return !queue_error().empty(); }, 30s)) << packd->output();
    EXPECT_EQ(
        StoreFile(dir.file("state/packd.db")).column("SELECT state FROM print_jobs WHERE order_id = '7101'"),
        std::vector<std::string>{"pending"});
    EXPECT_TRUE(queued_and_offline()) << status;
}

}  // namespace
}  // namespace packd::test
