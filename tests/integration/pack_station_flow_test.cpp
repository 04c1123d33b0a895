// The whole pack station on the real packd: an order arrives over a real mosquitto, the packer scans it and
// its items with the simulated scanner (through its FIFO), puts the parcel on the simulated scale (through
// its FIFO) and scans DONE; the order ships with the scale's stable weight.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "packd_fixture.hpp"

namespace packd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class PackStationFlow : public ::testing::Test {
  protected:
    void SetUp() override {
        write_file(dir.file("packd.toml"), daemon_config(dir, broker.port()));
        packd = start_packd(dir);
        seed_catalogue(dir);
    }

    static void write_line(const std::string& fifo_path, const std::string& line) {
        const int fd = ::open(fifo_path.c_str(), O_WRONLY | O_NONBLOCK);
        ASSERT_GE(fd, 0) << fifo_path;
        const std::string text = line + "\n";
        ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
        ::close(fd);
    }

    void scan(const std::string& data) { write_line(dir.file("scanner.fifo"), data); }

    json order(const std::string& id) {
        auto r = packctl(dir, {"--json", "order", id});
        if (r.code != 0) {
            return json::object();
        }
        return json::parse(r.output, nullptr, false);
    }

    /// Polls the order until `pred` holds on it, for up to 20 s.
    bool order_becomes(const std::string& id, const std::function<bool(const json&)>& pred) {
        for (int i = 0; i < 200; ++i) {
            if (const json o = order(id); o.is_object() && pred(o)) {
                return true;
            }
            std::this_thread::sleep_for(100ms);
        }
        return false;
    }

    static std::string state(const json& o) {
        return o.contains("order") ? o["order"].value("state", "") : "";
    }

    TempDir dir;
    Broker broker;
    std::unique_ptr<Process> packd;
};

TEST_F(PackStationFlow, ScannerAndScaleShipAnOrderWithItsStableWeight) {
    publish(broker.port(), "packd/v1/it/in/orders", order_payload("e-1", "1001", "MUG-RED", 2));
    ASSERT_TRUE(order_becomes("1001", [](const json& o) { return state(o) == "accepted"; }))
        << packd->output();

    scan("ORD-1001");
    ASSERT_TRUE(order_becomes("1001", [](const json& o) { return state(o) == "picking"; }))
        << packd->output();
    scan("TEE-BLK-L");  // not in the order: refused, and the packer is told why
    ASSERT_TRUE(packd->wait_for_output("station pack1: TEE-BLK-L is not in order 1001", 10s))
        << packd->output();
    scan("]E04006381333931");
    scan("]E04006381333931");
    ASSERT_TRUE(order_becomes("1001", [](const json& o) { return state(o) == "packed"; })) << packd->output();

    // The parcel settles on the scale: a reading in motion, then the same weight three times.
    write_line(dir.file("scale.fifo"), "790 g motion");
    for (int i = 0; i < 3; ++i) {
        write_line(dir.file("scale.fifo"), "0.78 kg");
    }
    scan("DONE");
    ASSERT_TRUE(order_becomes("1001", [](const json& o) { return state(o) == "shipped"; }))
        << packd->output();
    const json o = order("1001");
    ASSERT_EQ(o["order"]["shipments"].size(), 1u) << o.dump();
    EXPECT_EQ(o["order"]["shipments"][0]["weight_g"], 780) << o.dump();

    auto view = packctl(dir, {"station", "pack1"});
    ASSERT_EQ(view.code, 0) << view.output;
    EXPECT_NE(view.output.find("pack1 (pack): idle"), std::string::npos) << view.output;
    EXPECT_NE(view.output.find("refused TEE-BLK-L: TEE-BLK-L is not in order 1001"), std::string::npos)
        << view.output;
    EXPECT_NE(view.output.find("ok      DONE: order 1001 shipped at 780 g"), std::string::npos)
        << view.output;
}

TEST_F(PackStationFlow, PackctlScanShowsWhatTheStationSaysAndARestartKeepsTheParcel) {
    publish(broker.port(), "packd/v1/it/in/orders", order_payload("e-2", "2002", "MUG-RED", 2));
    ASSERT_TRUE(order_becomes("2002", [](const json& o) { return state(o) == "accepted"; }))
        << packd->output();
    auto r = packctl(dir, {"scan", "pack1", "2002"});
    EXPECT_EQ(r.code, 0) << r.output;
    EXPECT_EQ(r.output,
              "invalid scan: unknown code '2002': not a GTIN, SSCC, GS1 string, catalogue barcode, "
              "location, order, tote, RMA, tracking number or command\n"
              "station: order 2002: scan its 2 items\n  MUG-RED 0/2\n");
    r = packctl(dir, {"scan", "pack1", "4006381333931"});
    EXPECT_EQ(r.code, 0) << r.output;
    EXPECT_EQ(r.output,
              "product 4006381333931 (SKU MUG-RED, pack of 1)\n"
              "station: MUG-RED 1/2; still to pack: MUG-RED x1\n  MUG-RED 1/2\n");
    r = packctl(dir, {"scan", "pack1", "DONE"});
    EXPECT_EQ(r.code, 1) << r.output;
    EXPECT_NE(r.output.find("station: still to pack: MUG-RED x1"), std::string::npos) << r.output;

    packd->signal(SIGKILL);
    ASSERT_TRUE(packd->wait(10s).has_value());
    packd.reset();
    packd = start_packd(dir);
    r = packctl(dir, {"station", "pack1"});
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("pack1 (pack): packing order 2002\n  MUG-RED 1/2\n"), std::string::npos)
        << r.output;
}

TEST_F(PackStationFlow, AReloadThatTakesTheScaleAwayShipsWithoutAWeight) {
    publish(broker.port(), "packd/v1/it/in/orders", order_payload("e-3", "3003", "TEE-BLK-L", 1));
    ASSERT_TRUE(order_becomes("3003", [](const json& o) { return state(o) == "accepted"; }))
        << packd->output();
    ASSERT_EQ(packctl(dir, {"scan", "pack1", "ORD-3003"}).code, 0);
    auto r = packctl(dir, {"scan", "pack1", "TEE-BLK-L"});
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("station: all items packed: put the parcel on the scale and scan DONE"),
              std::string::npos)
        << r.output;

    // The same station without its scale: the config is read again on SIGHUP and the station follows it.
    std::string config = daemon_config(dir, broker.port());
    const std::string with_scale = "scale = \"bench\"\n";
    config.replace(config.rfind(with_scale), with_scale.size(), "");
    write_file(dir.file("packd.toml"), config);
    packd->signal(SIGHUP);
    ASSERT_TRUE(packd->wait_for_output("config reloaded", 10s)) << packd->output();
    r = packctl(dir, {"scan", "pack1", "DONE"});
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("station: order 3003 shipped\n"), std::string::npos) << r.output;
    const json o = order("3003");
    EXPECT_EQ(state(o), "shipped");
    EXPECT_EQ(o["order"]["shipments"][0]["weight_g"], 0) << o.dump();
}

// Order 1 and order 2 come without a tracking number; the carrier has a configured range, so each takes the
// next number, prints it on its label and ships under it. The packer opens the order by scanning that label.
TEST(PackStationTracking, AnOrderWithoutATrackingNumberTakesOneFromItsCarriersRangeOnce) {
    TempDir dir;
    Broker broker;
    write_file(dir.file("packd.toml"),
               daemon_config(dir, broker.port(),
                             "[tracking.ups]\ncarrier = \"UPS\"\nscheme = \"ups_1z\"\nprefix = \"999AA101\"\n"
                             "first = 1\nlast = 100\n"));
    auto packd = start_packd(dir);
    seed_catalogue(dir);
    for (const std::string id : {"T1", "T2"}) {
        json order = json::parse(order_payload("e-" + id, id, "TEE-BLK-L", 1));
        order["order"]["carrier"] = "UPS";
        publish(broker.port(), "packd/v1/it/in/orders", order.dump());
    }
    std::vector<std::string> numbers;
    for (const std::string file : {"T1-shipping-1.zpl", "T2-shipping-2.zpl"}) {  // order, kind, job id
        const std::string label = dir.file("labels/" + file);
        ASSERT_TRUE(wait_for_file(label, 20s)) << packd->output();
        const std::string zpl = read_file(label);
        const auto at = zpl.find("1Z999AA101");
        ASSERT_NE(at, std::string::npos) << zpl;
        numbers.push_back(zpl.substr(at, 18));
    }
    EXPECT_NE(numbers[0], numbers[1]) << "a number is never issued twice";

    auto r = packctl(dir, {"scan", "pack1", numbers[1]});
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("station: order T2: scan its 1 item"), std::string::npos) << r.output;
    ASSERT_EQ(packctl(dir, {"scan", "pack1", "TEE-BLK-L"}).code, 0);
    const int fd = ::open(dir.file("scale.fifo").c_str(), O_WRONLY | O_NONBLOCK);
    ASSERT_GE(fd, 0);
    const std::string weights = "240\n240\n240\n";
    ASSERT_EQ(::write(fd, weights.data(), weights.size()), static_cast<ssize_t>(weights.size()));
    ::close(fd);
    ASSERT_EQ(packctl(dir, {"scan", "pack1", "DONE"}).code, 0);
    json shipped;
    for (int i = 0; i < 200; ++i) {
        auto o = packctl(dir, {"--json", "order", "T2"});
        shipped = json::parse(o.output, nullptr, false);
        if (shipped.is_object() && shipped["order"].value("state", "") == "shipped") {
            break;
        }
        std::this_thread::sleep_for(100ms);
    }
    ASSERT_EQ(shipped["order"].value("state", ""), "shipped") << shipped.dump() << packd->output();
    EXPECT_EQ(shipped["order"]["shipments"][0]["tracking_number"], numbers[1]);
    EXPECT_EQ(shipped["order"]["shipments"][0]["carrier"], "UPS");
}

}  // namespace
}  // namespace packd::test
