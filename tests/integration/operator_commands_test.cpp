// Operator commands from the shop's back office over P/in/commands, with a real mosquitto and the real
// packd: a reprint prints the order's label once more, marked as a reprint; a recount sends the stock level
// again; redeliveries change nothing; bad commands are refused with the reason.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "packd/common/text.hpp"
#include "packd_fixture.hpp"

namespace packd::test {
namespace {

using namespace std::chrono_literals;

size_t files_ending(const std::string& folder, const std::string& suffix) {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(folder)) {
        const std::string name = e.path().filename().string();
        n += name.size() >= suffix.size() &&
             name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    }
    return n;
}

TEST(OperatorCommands, ReprintAndRecountApplyOnceAndBadCommandsAreRefused) {
    TempDir dir;
    Broker broker;
    write_file(dir.file("packd.toml"), daemon_config(dir, broker.port()));
    auto packd = start_packd(dir);
    seed_catalogue(dir);
    ASSERT_TRUE(packd->wait_for_output("subscribed to packd/v1/it/in/#", 20s)) << packd->output();

    publish(broker.port(), "packd/v1/it/in/orders", order_payload("e1", "C1", "MUG-RED", 1));
    ASSERT_TRUE(wait_for_file(dir.file("labels/C1-shipping-1.zpl"), 20s)) << packd->output();

    const std::string reprint =
        R"({"event_id":"cmd-1","command":"reprint","order_id":"C1","reason":"label torn"})";
    publish(broker.port(), "packd/v1/it/in/commands", reprint);
    publish(broker.port(), "packd/v1/it/in/commands", reprint);
    ASSERT_TRUE(wait_until([&] { return intake_duplicates(dir) == 1; }, 20s)) << packd->output();
    EXPECT_EQ(StoreFile(store_path(dir))
                  .scalar("SELECT count(*) FROM print_jobs WHERE order_id = 'C1' AND reprint = 1"),
              1)
        << "the command delivered twice queued one reprint";
    bool reprinted = false;
    for (int i = 0; i < 200 && !reprinted; ++i) {
        reprinted = files_ending(dir.file("labels"), "-reprint.zpl") == 1;
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_TRUE(reprinted) << packd->output();
    EXPECT_NE(packd->output().find("command reprint of order C1 from the shop: label torn (event cmd-1)"),
              std::string::npos)
        << packd->output();

    // A recount sends the retained level again: a client that reads the topic sees a second copy.
    mqtt::async_client shop("tcp://127.0.0.1:" + std::to_string(broker.port()), "shop-recount", nullptr);
    shop.start_consuming();
    shop.connect()->wait();
    shop.subscribe("packd/v1/it/out/stock/MUG-RED", 1)->wait();
    mqtt::const_message_ptr first;
    ASSERT_TRUE(shop.try_consume_message_for(&first, 20s));
    EXPECT_TRUE(first->is_retained());
    publish(broker.port(), "packd/v1/it/in/commands",
            R"({"event_id":"cmd-2","command":"recount","sku":"MUG-RED"})");
    mqtt::const_message_ptr again;
    ASSERT_TRUE(shop.try_consume_message_for(&again, 20s)) << packd->output();
    EXPECT_EQ(nlohmann::json::parse(again->get_payload_str())["available"],
              nlohmann::json::parse(first->get_payload_str())["available"]);
    shop.disconnect()->wait();

    for (const char* bad : {R"({"event_id":"cmd-3","command":"reboot"})",
                            R"({"event_id":"cmd-4","command":"reprint","order_id":"NOPE"})",
                            R"({"event_id":"cmd-5","command":"recount","sku":"GHOST"})",
                            R"({"event_id":"cmd-6","command":"reprint"})"}) {
        publish(broker.port(), "packd/v1/it/in/commands", bad);
    }
    ASSERT_TRUE(packd->wait_for_output("reprint needs the order", 20s)) << packd->output();
    const std::string out = packd->output();
    EXPECT_NE(out.find("command \"reboot\" is not one packd takes"), std::string::npos) << out;
    EXPECT_NE(out.find("reprint: unknown order NOPE"), std::string::npos) << out;
    EXPECT_NE(out.find("recount: unknown SKU \"GHOST\""), std::string::npos) << out;
    EXPECT_EQ(files_ending(dir.file("labels"), "-reprint.zpl"), 1u);
}

TEST(SuppliedLabels, TheShopsLabelPrintsAsItCameAndBadOnesAreRefused) {
    TempDir dir;
    Broker broker;
    write_file(dir.file("packd.toml"), daemon_config(dir, broker.port()));
    auto packd = start_packd(dir);
    seed_catalogue(dir);
    ASSERT_TRUE(packd->wait_for_output("subscribed to packd/v1/it/in/#", 20s)) << packd->output();
    ASSERT_EQ(publish_order(dir, broker.port(), "e1", "S1", "MUG-RED", 1), "accepted") << packd->output();

    const std::string zpl = "^XA^FO50,50^A0N,40,40^FDCARRIER LABEL S1^FS^XZ";
    auto label = [&](const std::string& id, const std::string& order, const std::string& format,
                     const std::string& bytes) {
        return nlohmann::json{{"event_id", id},   {"order_id", order},
                              {"format", format}, {"data_base64", base64_encode(bytes)},
                              {"carrier", "UPS"}, {"tracking_number", "1Z999AA10123456784"}}
            .dump();
    };
    publish(broker.port(), "packd/v1/it/in/labels", label("l1", "S1", "zpl", zpl));
    publish(broker.port(), "packd/v1/it/in/labels", label("l2", "NOPE", "zpl", zpl));
    publish(broker.port(), "packd/v1/it/in/labels", label("l3", "S1", "zpl", "^XA^FDx^FS~JA^XZ"));
    publish(broker.port(), "packd/v1/it/in/labels", label("l4", "S1", "png", "not a png at all"));
    publish(broker.port(), "packd/v1/it/in/labels",
            R"({"event_id":"l5","order_id":"S1","format":"zpl","data_base64":"Zm9v!"})");
    ASSERT_TRUE(packd->wait_for_output("data_base64: base64", 20s)) << packd->output();
    const std::string out = packd->output();
    EXPECT_NE(out.find("shop's label for order S1 queued (UPS 1Z999AA10123456784)"), std::string::npos)
        << out;
    EXPECT_NE(out.find("label for unknown order NOPE"), std::string::npos) << out;
    EXPECT_NE(out.find("~JA"), std::string::npos) << out;
    EXPECT_NE(out.find("rejected message"), std::string::npos) << out;

    // The printer received the shop's ZPL byte for byte.
    bool printed = false;
    for (int i = 0; i < 200 && !printed; ++i) {
        for (const auto& e : std::filesystem::directory_iterator(dir.file("labels"))) {
            if (e.path().extension() == ".zpl" && read_file(e.path().string()) == zpl) {
                printed = true;
            }
        }
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_TRUE(printed) << packd->output();
}

// `packctl label pick-list` and `packctl label sscc` print on the printers routed for their kinds.
TEST(OperatorCommands, PickListAndSsccLabelsPrintOnTheirRoutedPrinters) {
    TempDir dir;
    Broker broker;
    write_file(dir.file("packd.toml"),
               daemon_config(dir, broker.port(),
                             "[printers.office]\ntype = \"file\"\ndirectory = \"" + dir.file("office") +
                                 "\"\n[labels.routes]\npick_list = \"office\"\n"
                                 "[tracking.pallets]\ncarrier = \"pallets\"\nscheme = \"sscc\"\n"
                                 "prefix = \"34012345\"\nfirst = 1\nlast = 1000\n"));
    auto packd = start_packd(dir);
    seed_catalogue(dir);
    ASSERT_TRUE(packd->wait_for_output("subscribed to packd/v1/it/in/#", 20s)) << packd->output();
    publish(broker.port(), "packd/v1/it/in/orders", order_payload("e1", "P1", "MUG-RED", 2));
    ASSERT_TRUE(wait_for_file(dir.file("labels/P1-shipping-1.zpl"), 20s)) << packd->output();

    auto picks = packctl(dir, {"label", "pick-list", "P1"});
    ASSERT_EQ(picks.code, 0) << picks.output;
    EXPECT_NE(picks.output.find("1 label queued on printer office"), std::string::npos) << picks.output;
    ASSERT_TRUE(wait_for_file(dir.file("office/P1-pick_list-2.zpl"), 20s)) << packd->output();
    EXPECT_NE(read_file(dir.file("office/P1-pick_list-2.zpl")).find("^FDMUG-RED^FS"), std::string::npos);

    auto pallets = packctl(dir, {"label", "sscc", "P1", "--count", "2", "--station", "pack1"});
    ASSERT_EQ(pallets.code, 0) << pallets.output;
    EXPECT_NE(pallets.output.find("2 labels queued on printer desk"), std::string::npos) << pallets.output;
    EXPECT_NE(pallets.output.find("SSCC 340123450000000017"), std::string::npos) << pallets.output;
    ASSERT_TRUE(wait_for_file(dir.file("labels/P1-sscc-4.zpl"), 20s)) << packd->output();
    EXPECT_NE(read_file(dir.file("labels/P1-sscc-4.zpl")).find("340123450000000024"), std::string::npos);

    auto unknown = packctl(dir, {"label", "pick-list", "P1", "NOPE"});
    EXPECT_NE(unknown.code, 0);
    EXPECT_NE(unknown.output.find("unknown order \"NOPE\""), std::string::npos) << unknown.output;
}

}  // namespace
}  // namespace packd::test
