// Stations in the modes beyond pack on the real packd, driven by simulated scanners through their FIFOs,
// with a real mosquitto and a shop listening on it: a delivery the shop announced is received (a case, a
// typed quantity, a GS1 label with lot, expiry and count) and put away; a blind count with a difference is
// counted again and booked while another station receives; a customer's parcel comes back with one item
// restocked, one quarantined and one nobody announced; a wave of three orders is picked into totes with
// one short pick and a tote is handed to a pack station; packd restarts in the middle of each. What the
// store holds and what the shop heard are checked, and the ledger check holds after every scenario.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "fault_support.hpp"
#include "packd_fixture.hpp"

namespace packd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class StationModes : public ::testing::Test {
  protected:
    void SetUp() override {
        write_file(dir.file("packd.toml"),
                   daemon_config(
                       dir, broker.port(),
                       "[scanners.dock_gun]\ntype = \"sim\"\nfifo = \"" + dir.file("dock.fifo") +
                           "\"\n[scanners.aisle_gun]\ntype = \"sim\"\nfifo = \"" + dir.file("aisle.fifo") +
                           "\"\n[stations.dock]\nscanner = \"dock_gun\"\nmode = \"receive\"\n"
                           "modes = [\"putaway\"]\n"
                           "[stations.aisle]\nscanner = \"aisle_gun\"\nmode = \"count\"\nmodes = [\"pick\"]\n"
                           "[scanners.back_gun]\ntype = \"sim\"\nfifo = \"" +
                           dir.file("back.fifo") +
                           "\"\n[stations.back]\nscanner = \"back_gun\"\nmode = \"returns\"\n"
                           "[scanners.picker_gun]\ntype = \"sim\"\nfifo = \"" +
                           dir.file("picker.fifo") +
                           "\"\n[stations.picker]\nscanner = \"picker_gun\"\nmode = \"pick\"\n"
                           "[scanners.packer_gun]\ntype = \"sim\"\nfifo = \"" +
                           dir.file("packer.fifo") + "\"\n[stations.packer]\nscanner = \"packer_gun\"\n"));
        packd = start_packd(dir);
        seed_catalogue(dir);
    }

    /// One scan on a station's simulated scanner; the scanner may still be opening its FIFO after a start.
    void scan(const std::string& station, const std::string& data) {
        const std::string fifo = dir.file(station + ".fifo");
        int fd = -1;
        ASSERT_TRUE(wait_until([&] { return (fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK)) >= 0; }, 10s))
            << fifo;
        const std::string text = data + "\n";
        ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
        ::close(fd);
    }

    int64_t count(const std::string& sql) {
        StoreFile store(store_path(dir));
        return store.scalar(sql);
    }
    bool store_reaches(const std::string& sql, int64_t value) {
        return wait_until([&] { return count(sql) == value; }, 20s);
    }
    int64_t on_hand(const std::string& sku, const std::string& location, const std::string& lot = "") {
        return count("SELECT coalesce(sum(on_hand), 0) FROM stock WHERE sku = '" + sku +
                     "' AND location = '" + location + "' AND lot = '" + lot + "'");
    }

    void restart() {
        packd->signal(SIGKILL);
        ASSERT_TRUE(packd->wait(10s).has_value());
        packd.reset();
        packd = start_packd(dir);
    }

    /// The newest message the shop heard on `topic`, parsed; null until it heard one.
    json heard(const ShopEar& shop, const std::string& topic) {
        const auto messages = shop.on(topic);
        return messages.empty() ? json() : json::parse(messages.back(), nullptr, false);
    }
    bool shop_hears(const ShopEar& shop, const std::string& topic,
                    const std::function<bool(const json&)>& pred) {
        return wait_until(
            [&] {
                const json j = heard(shop, topic);
                return j.is_object() && pred(j);
            },
            30s);
    }

    void expect_books_hold() {
        const auto r = packctl(dir, {"verify"});
        EXPECT_EQ(r.code, 0) << r.output;
    }

    TempDir dir;
    Broker broker;
    std::unique_ptr<Process> packd;
};

TEST_F(StationModes, ADeliveryIsReceivedAgainstItsPapersAndPutAwayAcrossRestarts) {
    ShopEar shop("tcp://127.0.0.1:" + std::to_string(broker.port()), "shop-" + std::to_string(::getpid()),
                 {"packd/v1/it/out/#"});
    publish(broker.port(), "packd/v1/it/in/receipts",
            R"({"event_id":"d-1","type":"receipt.expected","receipt":"PO-4711","supplier":"Acme",)"
            R"("lines":[{"sku":"MUG-RED","quantity":30},{"sku":"TEE-BLK-L","quantity":6}]})");
    ASSERT_TRUE(store_reaches("SELECT count(*) FROM receipts WHERE id = 'PO-4711' AND state = 'expected'", 1))
        << packd->output();

    scan("dock", "OP-17");  // the operator's badge, at the start of the shift
    scan("dock", "PO-4711");
    scan("dock", "14006381333938");  // a case of 12 mugs
    scan("dock", "QTY6");
    scan("dock", "4006381333931");
    scan("dock",
         "]C1010400638133393117271231"
         "10L42\x1d"
         "3010");  // 10 mugs of lot L42
    for (int i = 0; i < 3; ++i) {
        scan("dock", "TEE-BLK-L");
    }
    ASSERT_TRUE(store_reaches("SELECT count(*) FROM station_task_lines WHERE station = 'dock'", 6))
        << packd->output();
    restart();  // in the middle of the delivery: the lines scanned so far stay
    for (int i = 0; i < 3; ++i) {
        scan("dock", "TEE-BLK-L");
    }
    scan("dock", "DONE");
    ASSERT_TRUE(store_reaches("SELECT count(*) FROM receipts WHERE id = 'PO-4711' AND state = 'received'", 1))
        << packd->output();

    EXPECT_EQ(on_hand("MUG-RED", "RECEIVING"), 18);
    EXPECT_EQ(on_hand("MUG-RED", "RECEIVING", "L42"), 10);
    EXPECT_EQ(on_hand("TEE-BLK-L", "RECEIVING"), 6);
    EXPECT_EQ(count("SELECT count(*) FROM movements WHERE station = 'dock' AND reason = 'receive' AND "
                    "reference = 'PO-4711' AND operator = 'OP-17'"),
              9);  // one per line scanned
    ASSERT_TRUE(shop_hears(shop, "packd/v1/it/out/receipts/PO-4711/status", [](const json& j) {
        return j.value("state", "") == "received";
    })) << packd->output();
    const json report = heard(shop, "packd/v1/it/out/receipts/PO-4711/status");
    EXPECT_EQ(report["differences"], 1);
    EXPECT_EQ(report["operator"], "OP-17");
    EXPECT_EQ(report["lines"][0],
              (json{{"sku", "MUG-RED"}, {"expected", 30}, {"received", 28}, {"difference", -2}}));
    EXPECT_EQ(report["lines"][1],
              (json{{"sku", "TEE-BLK-L"}, {"expected", 6}, {"received", 6}, {"difference", 0}}));
    EXPECT_TRUE(shop_hears(shop, "packd/v1/it/out/stock/MUG-RED", [](const json& j) {
        return j.value("on_hand", 0) == 60 + 28;
    })) << "the shop hears the new stock level";
    expect_books_hold();

    // The same station switches to put-away with a command barcode and shelves the mugs.
    scan("dock", "MODE-PUTAWAY");
    scan("dock", "4006381333931");
    ASSERT_TRUE(
        store_reaches("SELECT count(*) FROM station_tasks WHERE station = 'dock' AND mode = 'putaway' AND "
                      "step = 'location'",
                      1))
        << packd->output();
    restart();  // with the mugs in hand: the station is still in put-away and waits for the bin
    scan("dock", "A-01-01");
    ASSERT_TRUE(store_reaches("SELECT count(*) FROM station_tasks WHERE station = 'dock'", 0))
        << packd->output();
    EXPECT_EQ(on_hand("MUG-RED", "RECEIVING") + on_hand("MUG-RED", "RECEIVING", "L42"), 0);
    EXPECT_EQ(on_hand("MUG-RED", "A-01-01"), 60 + 18);
    EXPECT_EQ(on_hand("MUG-RED", "A-01-01", "L42"), 10);
    EXPECT_EQ(count("SELECT count(*) FROM movements WHERE station = 'dock' AND reason = 'transfer'"), 4);
    EXPECT_EQ(on_hand("TEE-BLK-L", "RECEIVING"), 6) << "only what was scanned moved";
    // The station's command sheet prints on the label printer, a switch back to receive on it.
    const auto sheet = packctl(dir, {"label", "commands", "dock"});
    ASSERT_EQ(sheet.code, 0) << sheet.output;
    EXPECT_TRUE(wait_until(
        [&] {
            return count(
                       "SELECT count(*) FROM print_jobs WHERE kind = 'commands' AND state = 'done' AND "
                       "instr(zpl, '^FDMODE-PUTAWAY^FS') > 0") >= 1;
        },
        20s))
        << packd->output();
    const auto view = packctl(dir, {"station", "dock"});
    EXPECT_NE(view.output.find("dock (putaway): idle (operator OP-17)"), std::string::npos) << view.output;
    expect_books_hold();
}

TEST_F(StationModes, ABlindCountIsRecountedAndBookedWhileAnotherStationReceives) {
    ShopEar shop("tcp://127.0.0.1:" + std::to_string(broker.port()), "shop-" + std::to_string(::getpid()),
                 {"packd/v1/it/out/#"});
    // Two stations in different modes scan at the same time; neither waits for the other.
    scan("aisle", "A-01-02");
    scan("dock", "4006381333931");
    scan("aisle", "QTY23");
    scan("dock", "4006381333931");
    scan("aisle", "TEE-BLK-L");
    scan("aisle", "DONE");  // 23 of 25: beyond the threshold of 0, so counted again
    ASSERT_TRUE(store_reaches(
        "SELECT count(*) FROM station_tasks WHERE station = 'aisle' AND step = 'recount' AND attempt = 1", 1))
        << packd->output();
    EXPECT_EQ(on_hand("TEE-BLK-L", "A-01-02"), 25) << "nothing is booked before the recount";
    ASSERT_TRUE(store_reaches("SELECT count(*) FROM station_task_lines WHERE station = 'dock'", 2));

    restart();  // in the middle of the recount and of the delivery
    scan("aisle", "QTY23");
    scan("aisle", "TEE-BLK-L");
    scan("aisle", "DONE");
    scan("dock", "DONE");
    ASSERT_TRUE(store_reaches("SELECT count(*) FROM station_tasks", 0)) << packd->output();
    EXPECT_EQ(on_hand("TEE-BLK-L", "A-01-02"), 23);
    EXPECT_EQ(count("SELECT delta FROM movements WHERE station = 'aisle' AND reason = 'count' AND "
                    "reference = 'count A-01-02'"),
              -2);
    EXPECT_EQ(on_hand("MUG-RED", "RECEIVING"), 2);
    EXPECT_TRUE(shop_hears(shop, "packd/v1/it/out/stock/TEE-BLK-L", [](const json& j) {
        return j.value("on_hand", 0) == 23;
    })) << packd->output();
    EXPECT_TRUE(shop.topics("packd/v1/it/out/receipts/").empty()) << "goods without papers send no report";
    expect_books_hold();
}

TEST_F(StationModes, AReturnIsReceivedWithEachItemsConditionAcrossARestart) {
    ShopEar shop("tcp://127.0.0.1:" + std::to_string(broker.port()), "shop-" + std::to_string(::getpid()),
                 {"packd/v1/it/out/#"});
    publish(broker.port(), "packd/v1/it/in/orders", order_payload("e-r", "R7", "MUG-RED", 2));
    ASSERT_TRUE(wait_for_order_state(store_path(dir), "R7", "accepted")) << packd->output();
    ASSERT_EQ(packctl(dir, {"ship", "R7", "--carrier", "DHL", "--tracking", "JJD1", "--weight", "800"}).code,
              0);
    publish(broker.port(), "packd/v1/it/in/returns",
            R"({"event_id":"r-1","type":"return.requested","rma":"RMA-7","order_id":"R7",)"
            R"("lines":[{"sku":"MUG-RED","quantity":2}]})");
    publish(broker.port(), "packd/v1/it/in/returns",
            R"({"event_id":"r-2","type":"return.approved","rma":"RMA-7","carrier":"DHL",)"
            R"("tracking_number":"JJD000390007"})");
    ASSERT_TRUE(store_reaches("SELECT count(*) FROM returns WHERE rma = 'RMA-7' AND state = 'approved'", 1))
        << packd->output();
    const int64_t bin_before = on_hand("MUG-RED", "A-01-01");

    scan("back", "OP-5");
    scan("back", "JJD000390007");  // the return label's tracking number finds the return
    scan("back", "4006381333931");
    scan("back", "RESTOCK");
    scan("back", "A-01-01");
    scan("back", "4006381333931");
    scan("back", "QUARANTINE");
    ASSERT_TRUE(store_reaches("SELECT count(*) FROM station_task_lines WHERE station = 'back'", 2))
        << packd->output();
    restart();                  // in the middle of the parcel
    scan("back", "TEE-BLK-L");  // not in the return: recorded as unexpected, not taken for an expected item
    scan("back", "SCRAP");
    scan("back", "DONE");
    ASSERT_TRUE(store_reaches("SELECT count(*) FROM returns WHERE rma = 'RMA-7' AND state = 'received'", 1))
        << packd->output();

    EXPECT_EQ(on_hand("MUG-RED", "A-01-01"), bin_before + 1);
    EXPECT_EQ(on_hand("MUG-RED", "QUARANTINE"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM movements WHERE station = 'back' AND reason = 'return' AND "
                    "reference = 'RMA-7' AND operator = 'OP-5'"),
              2)
        << "the scrapped item moves no stock";
    EXPECT_EQ(count("SELECT count(*) FROM return_receipts WHERE rma = 'RMA-7' AND expected = 0 AND sku = "
                    "'TEE-BLK-L' AND condition = 'scrap'"),
              1);
    ASSERT_TRUE(shop_hears(shop, "packd/v1/it/out/returns/RMA-7/status", [](const json& j) {
        return j.value("state", "") == "received";
    })) << packd->output();
    const json status = heard(shop, "packd/v1/it/out/returns/RMA-7/status");
    ASSERT_EQ(status["lines"].size(), 3U) << status.dump();
    EXPECT_EQ(status["lines"][0]["condition"], "restock");
    EXPECT_EQ(status["lines"][0]["location"], "A-01-01");
    EXPECT_EQ(status["lines"][1]["condition"], "quarantine");
    EXPECT_EQ(status["lines"][2]["sku"], "TEE-BLK-L");
    EXPECT_EQ(status["lines"][2]["expected"], false);
    EXPECT_EQ(status["operator"], "OP-5");
    expect_books_hold();
}

TEST_F(StationModes, AWaveOfThreeOrdersIsPickedWithOneShortAndAToteIsPacked) {
    ShopEar shop("tcp://127.0.0.1:" + std::to_string(broker.port()), "shop-" + std::to_string(::getpid()),
                 {"packd/v1/it/out/#"});
    ASSERT_EQ(publish_order(dir, broker.port(), "e-p1", "P1", "MUG-RED", 2), "accepted");
    ASSERT_EQ(publish_order(dir, broker.port(), "e-p2", "P2", "TEE-BLK-L", 1), "accepted");
    ASSERT_EQ(publish_order(dir, broker.port(), "e-p3", "P3", "TEE-BLK-L", 2), "accepted");

    scan("picker", "OP-9");
    for (const char* s : {"ORD-P1", "TOTE-1", "ORD-P2", "TOTE-2", "ORD-P3", "TOTE-3", "DONE"}) {
        scan("picker", s);
    }
    ASSERT_TRUE(store_reaches("SELECT count(*) FROM pick_lines WHERE station = 'picker'", 3))
        << packd->output();
    ASSERT_TRUE(shop_hears(shop, "packd/v1/it/out/orders/P3/status", [](const json& j) {
        return j.value("state", "") == "picking";
    })) << packd->output();
    scan("picker", "A-01-01");
    scan("picker", "QTY2");
    scan("picker", "4006381333931");
    ASSERT_TRUE(store_reaches("SELECT count(*) FROM pick_lines WHERE state = 'picked'", 1))
        << packd->output();
    restart();  // in the middle of the walk: the next stop is still A-01-02
    scan("picker", "A-01-02");
    scan("picker", "TEE-BLK-L");
    scan("picker", "SHORT");  // P3's two T-shirts are not on the shelf
    ASSERT_TRUE(store_reaches("SELECT count(*) FROM station_tasks WHERE station = 'picker'", 0))
        << packd->output();

    EXPECT_EQ(count("SELECT count(*) FROM orders WHERE id IN ('P1', 'P2') AND state = 'picking'"), 2);
    ASSERT_TRUE(shop_hears(shop, "packd/v1/it/out/orders/P3/status", [](const json& j) {
        return j.value("state", "") == "held" &&
               j.value("reason", "") == "short pick at A-01-02: TEE-BLK-L 0 of 2";
    })) << packd->output();
    ASSERT_TRUE(shop_hears(shop, "packd/v1/it/out/alerts", [](const json& j) {
        return j.value("kind", "") == "short_pick";
    })) << packd->output();
    const json alert = heard(shop, "packd/v1/it/out/alerts");
    EXPECT_EQ(alert["order_id"], "P3");
    EXPECT_EQ(alert["location"], "A-01-02");
    EXPECT_EQ(count("SELECT count(*) FROM count_tasks WHERE location = 'A-01-02' AND sku = 'TEE-BLK-L'"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM movements WHERE station = 'picker' AND reason = 'pick' AND "
                    "operator = 'OP-9'"),
              4);
    EXPECT_EQ(on_hand("MUG-RED", "PACKING"), 2);
    EXPECT_EQ(on_hand("TEE-BLK-L", "PACKING"), 1);
    EXPECT_EQ(count("SELECT count(*) FROM pick_totes WHERE state = 'pack'"), 2);
    const auto view = packctl(dir, {"station", "picker"});
    EXPECT_NE(view.output.find("count A-01-02: short pick at A-01-02: TEE-BLK-L 0 of 2"), std::string::npos)
        << view.output;
    expect_books_hold();

    // A count station whose modes allow it switches to picking with a command barcode.
    scan("aisle", "MODE-PICK");
    ASSERT_TRUE(
        store_reaches("SELECT count(*) FROM station_shifts WHERE station = 'aisle' AND mode = 'pick'", 1))
        << packd->output();

    // TOTE-1 at the pack station opens P1; its items ship from PACKING.
    scan("packer", "TOTE-1");
    ASSERT_TRUE(store_reaches(
        "SELECT count(*) FROM station_sessions WHERE station = 'packer' AND order_id = 'P1'", 1))
        << packd->output();
    scan("packer", "4006381333931");
    scan("packer", "4006381333931");
    ASSERT_TRUE(store_reaches("SELECT count(*) FROM orders WHERE id = 'P1' AND state = 'packed'", 1))
        << packd->output();
    scan("packer", "DONE");
    ASSERT_TRUE(store_reaches("SELECT count(*) FROM orders WHERE id = 'P1' AND state = 'shipped'", 1))
        << packd->output();
    EXPECT_EQ(on_hand("MUG-RED", "PACKING"), 0);
    EXPECT_EQ(on_hand("MUG-RED", "A-01-01"), 58);
    EXPECT_EQ(count("SELECT count(*) FROM pick_totes WHERE tote = 'TOTE-1'"), 0) << "the tote is free again";
    expect_books_hold();
}

}  // namespace
}  // namespace packd::test
