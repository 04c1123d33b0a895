// The look-ups packctl and an operator's screen share, against the real packd with a real mosquitto: an order
// received over MQTT, packed and shipped at a pack station shows its timeline and labels, and is found by the
// tracking number on its label; find, movements and stock by location answer from the store, and hostile
// text is refused.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "packd_fixture.hpp"

namespace packd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

json answer(const TempDir& dir, const std::vector<std::string>& words) {
    std::vector<std::string> argv{"--json"};
    argv.insert(argv.end(), words.begin(), words.end());
    const auto r = packctl(dir, argv);
    EXPECT_EQ(r.code, 0) << r.output;
    return json::parse(r.output, nullptr, false);
}

std::vector<std::string> states_of(const json& timeline) {
    std::vector<std::string> out;
    for (const auto& h : timeline) {
        out.push_back(h.value("state", ""));
    }
    return out;
}

TEST(LookupCli, AnOrderReceivedPackedAndShippedHasItsTimelineAndIsFoundByItsTrackingNumber) {
    TempDir dir;
    Broker broker;
    write_file(dir.file("packd.toml"),
               daemon_config(dir, broker.port(),
                             "[tracking.ups]\ncarrier = \"UPS\"\nscheme = \"ups_1z\"\nprefix = \"999AA101\"\n"
                             "first = 1\nlast = 100\n"));
    auto packd = start_packd(dir);
    seed_catalogue(dir);
    ASSERT_TRUE(packd->wait_for_output("subscribed to packd/v1/it/in/#", 20s)) << packd->output();

    json order = json::parse(order_payload("e-q1", "Q1", "MUG-RED", 1));
    order["order"]["carrier"] = "UPS";
    publish(broker.port(), "packd/v1/it/in/orders", order.dump());
    const std::string label = dir.file("labels/Q1-shipping-1.zpl");
    ASSERT_TRUE(wait_for_file(label, 20s)) << packd->output();
    const std::string zpl = read_file(label);
    const auto at = zpl.find("1Z999AA101");
    ASSERT_NE(at, std::string::npos) << zpl;
    const std::string tracking = zpl.substr(at, 18);

    // Packed at pack1 (the label's number opens the order there), weighed, shipped.
    ASSERT_EQ(packctl(dir, {"scan", "pack1", tracking}).code, 0) << packd->output();
    ASSERT_EQ(packctl(dir, {"scan", "pack1", "4006381333931"}).code, 0) << packd->output();
    const int fd = ::open(dir.file("scale.fifo").c_str(), O_WRONLY | O_NONBLOCK);
    ASSERT_GE(fd, 0);
    const std::string weights = "350\n350\n350\n";
    ASSERT_EQ(::write(fd, weights.data(), weights.size()), static_cast<ssize_t>(weights.size()));
    ::close(fd);
    ASSERT_EQ(packctl(dir, {"scan", "pack1", "DONE"}).code, 0) << packd->output();
    ASSERT_TRUE(wait_for_order_state(store_path(dir), "Q1", "shipped")) << packd->output();

    // The file printer's job settles after it wrote the file.
    ASSERT_TRUE(wait_until(
        [&] {
            return StoreFile(store_path(dir))
                       .scalar("SELECT count(*) FROM print_jobs WHERE order_id = 'Q1' AND state = 'done'") ==
                   1;
        },
        20s));
    const json o = answer(dir, {"order", "Q1"});
    ASSERT_TRUE(o.contains("order")) << o.dump();
    const json& timeline = o["order"]["timeline"];
    EXPECT_EQ(states_of(timeline),
              (std::vector<std::string>{"received", "accepted", "picking", "packed", "shipped"}))
        << timeline.dump();
    ASSERT_EQ(timeline.size(), 5u);
    EXPECT_EQ(timeline[0]["detail"], "event e-q1 from canonical");
    EXPECT_EQ(timeline[2]["station"], "pack1");
    EXPECT_EQ(timeline[3]["station"], "pack1");
    EXPECT_EQ(timeline[4]["station"], "pack1");
    EXPECT_EQ(timeline[4]["detail"], "UPS " + tracking + ", 350 g");
    for (size_t i = 1; i < timeline.size(); ++i) {
        EXPECT_GE(timeline[i]["at"].get<int64_t>(), timeline[i - 1]["at"].get<int64_t>()) << "oldest first";
    }
    const json& labels = o["order"]["labels"];
    ASSERT_EQ(labels.size(), 1u) << labels.dump();
    EXPECT_EQ(labels[0]["kind"], "shipping");
    EXPECT_EQ(labels[0]["printer"], "desk");
    EXPECT_EQ(labels[0]["state"], "done") << "the file printer wrote it";
    EXPECT_EQ(labels[0]["tracking_number"], tracking);

    const auto shown = packctl(dir, {"order", "Q1"});
    ASSERT_EQ(shown.code, 0) << shown.output;
    EXPECT_NE(shown.output.find("timeline:\n"), std::string::npos) << shown.output;
    EXPECT_NE(shown.output.find("shipped   UPS " + tracking + ", 350 g (pack1)\n"), std::string::npos)
        << shown.output;
    EXPECT_NE(shown.output.find("labels:\n  job 1  shipping done      printer desk  tracking " + tracking),
              std::string::npos)
        << shown.output;

    // The number on the label finds the order; so does its id.
    const json by_number = answer(dir, {"find", tracking});
    ASSERT_EQ(by_number["orders"].size(), 1u) << by_number.dump();
    EXPECT_EQ(by_number["orders"][0]["id"], "Q1");
    EXPECT_EQ(by_number["orders"][0]["state"], "shipped");
    EXPECT_EQ(by_number["products"], json::array());
    EXPECT_EQ(answer(dir, {"find", "Q1"})["orders"][0]["matched"], "id");

    const json mug = answer(dir, {"find", "mug-red"});
    ASSERT_EQ(mug["products"].size(), 1u) << mug.dump();
    EXPECT_EQ(mug["products"][0]["sku"], "MUG-RED");
    EXPECT_EQ(mug["products"][0]["on_hand"], 59);
    EXPECT_EQ(mug["products"][0]["barcodes"], json::array({"14006381333938", "4006381333931"}));
    const json bins = answer(dir, {"find", "a-01"});
    ASSERT_EQ(bins["locations"].size(), 2u) << bins.dump();
    EXPECT_EQ(bins["locations"][0]["code"], "A-01-01");

    const json moved = answer(dir, {"movements", "--sku", "MUG-RED", "--limit", "2"});
    ASSERT_EQ(moved["movements"].size(), 2u) << moved.dump();
    EXPECT_EQ(moved["movements"][0]["reason"], "ship");
    EXPECT_EQ(moved["movements"][0]["delta"], -1);
    EXPECT_EQ(moved["movements"][0]["reference"], "Q1");
    EXPECT_EQ(moved["movements"][0]["station"], "pack1");
    EXPECT_EQ(moved["movements"][1]["reason"], "receive");
    EXPECT_EQ(moved["movements"][1]["delta"], 60);
    EXPECT_EQ(answer(dir, {"movements"})["movements"].size(), 4u) << "three receipts and the shipment";

    const json here = answer(dir, {"stock", "--location", "A-01-01"});
    EXPECT_EQ(here["location"]["kind"], "bin");
    EXPECT_EQ(here["rows"], json::parse(R"([{"sku":"MUG-RED","name":"Mug, red, 330 ml","lot":"","expiry":"",
                                            "on_hand":59}])"));
}

TEST(LookupCli, HostileTextIsRefusedOrMatchesNothing) {
    TempDir dir;
    write_file(dir.file("packd.toml"), daemon_config(dir, free_port()));
    auto packd = start_packd(dir);
    seed_catalogue(dir);

    const auto wild = packctl(dir, {"find", "%"});
    EXPECT_EQ(wild.code, 1) << wild.output;
    EXPECT_EQ(wild.output, "nothing matches \"%\"\n");
    EXPECT_EQ(packctl(dir, {"find", "_"}).code, 1);
    const auto huge = packctl(dir, {"find", std::string(10 * 1024, 'A')});
    EXPECT_EQ(huge.code, 1);
    EXPECT_NE(huge.output.find("the text to find is 10240 bytes; at most 128 are looked up"),
              std::string::npos)
        << huge.output;
    const auto bytes = packctl(dir, {"find", "MUG\xff"});
    EXPECT_EQ(bytes.code, 2);
    EXPECT_NE(bytes.output.find("the text to find is not UTF-8"), std::string::npos) << bytes.output;
    const auto limit = packctl(dir, {"movements", "--limit", "501"});
    EXPECT_EQ(limit.code, 1);
    EXPECT_NE(limit.output.find("limit must be a whole number from 1 to 500"), std::string::npos)
        << limit.output;
    const auto found = packctl(dir, {"find", "MUG"});
    EXPECT_EQ(found.code, 0) << found.output;
    EXPECT_NE(found.output.find("product   MUG-RED  Mug, red, 330 ml\n"), std::string::npos) << found.output;
    EXPECT_NE(packctl(dir, {"movements", "--location", "RECEIVING"})
                  .output.find("POSTER-A2 at RECEIVING  +8 receive"),
              std::string::npos);
    EXPECT_EQ(packctl(dir, {"verify"}).code, 0) << "nothing changed";
}

}  // namespace
}  // namespace packd::test
