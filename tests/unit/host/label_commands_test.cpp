// Label routing and the on-demand label commands: [labels.routes] and a station's printers choose the
// printer per label kind (every named printer must exist), `packctl label pick-list` / `label sscc` queue
// their labels in a real SQLite store, SSCCs taken from the configured range, and `packctl label preview`
// draws a job's preview from the label it keeps, once.

#include "packd/host/label_commands.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "label_reading.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/barcodes/gs1.hpp"
#include "packd/fulfillment/orders/order_event.hpp"
#include "packd/fulfillment/orders/tracking.hpp"
#include "source_label_templates.hpp"
#include "test_env.hpp"
#include "test_result.hpp"

namespace packd::host {
namespace {

namespace ful = packd::fulfillment;
using nlohmann::json;

const std::string kPrinters = R"(
[site]
id = "t1"
[printers.desk]
type = "file"
directory = "/tmp/desk"
[printers.office]
type = "file"
directory = "/tmp/office"
dpi = 300
[printers.dock]
type = "file"
directory = "/tmp/dock"
)";

Config parsed(const std::string& text) {
    auto r = parse_config(text, "packd.toml");
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : Config{};
}

TEST(LabelRoutes, KindStationAndDefaultPrinterInThatOrder) {
    const Config cfg = parsed(kPrinters + R"(
[labels]
printer = "desk"
[labels.routes]
pick_list = "office"
sscc = "dock"
[stations.pack1]
printers = { pick_list = "desk", sscc = "office" }
[stations.pack2]
printer = "dock"
)");
    const LabelsConfig& labels = cfg.devices.labels;
    EXPECT_EQ(labels.printer_for("shipping", nullptr), "desk");  // [labels] printer as before
    EXPECT_EQ(labels.printer_for("pick_list", nullptr), "office");
    EXPECT_EQ(labels.printer_for("sscc", nullptr), "dock");
    const StationConfig& pack1 = cfg.devices.stations.at("pack1");
    EXPECT_EQ(labels.printer_for("pick_list", &pack1), "desk");
    EXPECT_EQ(labels.printer_for("sscc", &pack1), "office");
    EXPECT_EQ(labels.printer_for("shipping", &pack1), "desk");
    // A station's own printer takes every kind it has no route for.
    EXPECT_EQ(labels.printer_for("pick_list", &cfg.devices.stations.at("pack2")), "dock");
}

TEST(LabelRoutes, EveryNamedPrinterMustExistAndKindsAreKnown) {
    auto r = parse_config(kPrinters + "[labels.routes]\nsscc = \"pallet\"\n", "packd.toml");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("labels.routes.sscc: expected the name of a configured [printers.NAME], "
                                     "found \"pallet\""),
              std::string::npos)
        << r.error().message;
    r = parse_config(kPrinters + "[stations.p]\nprinters = { shipping = \"nope\" }\n", "packd.toml");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("stations.p.printers.shipping: expected the name of a configured"),
              std::string::npos)
        << r.error().message;
    r = parse_config(kPrinters + "[labels.routes]\nparcel = \"desk\"\n", "packd.toml");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("labels.routes.parcel: unknown key"), std::string::npos)
        << r.error().message;
    r = parse_config(kPrinters + "[labels]\ntemplates = \"labels\"\n", "packd.toml");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("labels.templates: expected an absolute path"), std::string::npos)
        << r.error().message;
}

class LabelCommandsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = ful::Store::open(dir.file("packd.db"));
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        store = std::move(*opened);
        inventory = std::make_unique<ful::Inventory>(*store, topics);
        orders = std::make_unique<ful::OrderBook>(*store, *inventory, topics);
        {
            ful::Transaction tx(store->db());
            ASSERT_TRUE(inventory->put_product({"MUG", "Mug ^XZ red", 350, {}, {}, {}, 0, 0, true}).ok());
            ASSERT_TRUE(inventory->put_location("A-01", "bin").ok());
            ASSERT_TRUE(
                inventory->record({"MUG", "A-01", "", "", 50, ful::MovementReason::receive, "", "", "", ""})
                    .ok());
            for (const std::string id : {"1042", "1043"}) {
                const std::string payload =
                    R"({"event_id":"e)" + id + R"(","type":"order.created","order":{"id":")" + id +
                    R"(","carrier":"DHL","ship_to":{"name":"Zoë Łódź","street1":"Hauptstr. 1",)"
                    R"("city":"Köln","postal_code":"50667","country":"DE"},)"
                    R"("lines":[{"sku":"MUG","quantity":2}]}})";
                auto ev = ful::parse_order_event(payload, 1 << 20);
                ASSERT_TRUE(ev.ok()) << ev.error().message;
                ASSERT_TRUE(orders->create(*ev, payload, "canonical").ok());
            }
            tx.commit();
        }
        ASSERT_TRUE(ful::TrackingNumbers(*store, topics)
                        .sync({{"pallets", ful::TrackingScheme::Sscc, "34012345", 1, 5, 0}})
                        .ok());
        const Config cfg = parsed(kPrinters + R"(
[labels]
printer = "desk"
[labels.routes]
pick_list = "office"
[stations.pack1]
printers = { sscc = "dock" }
)");
        LabelSetup setup;
        setup.devices = cfg.devices;
        setup.templates = std::make_shared<const ful::LabelTemplates>(test::source_label_templates());
        setup.ship_from = {"Lager", "", "Weg 1", "", "Hamburg", "", "20095", "DE"};
        setup.sscc_carrier = "pallets";
        previews = std::make_unique<ful::LabelPreviews>(io, *store);
        commands = std::make_unique<LabelCommands>(*store, *orders, *inventory, topics, *previews);
        commands->set_setup(setup);
    }

    json run(const json& request) {
        auto answer = commands->handle(request["cmd"].get<std::string>(), request);
        EXPECT_TRUE(answer.has_value());
        return answer ? *answer : json();
    }

    test::TempDir dir;
    boost::asio::io_context io;
    ful::Topics topics{"packd/v1", "t"};
    std::unique_ptr<ful::Store> store;
    std::unique_ptr<ful::Inventory> inventory;
    std::unique_ptr<ful::OrderBook> orders;
    std::unique_ptr<ful::LabelPreviews> previews;
    std::unique_ptr<LabelCommands> commands;
};

TEST_F(LabelCommandsTest, PickListOfABatchIsQueuedOnItsRoutedPrinter) {
    const json answer = run({{"cmd", "label_pick_list"}, {"orders", {"1042", "1043"}}});
    ASSERT_TRUE(answer.value("ok", false)) << answer.dump();
    EXPECT_EQ(answer["printer"], "office");
    const auto jobs = test::value_of(store->print_jobs_pending("office"));
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].kind, "pick_list");
    EXPECT_NE(jobs[0].zpl.find("^FDBatch of 2 orders^FS"), std::string::npos);
    EXPECT_NE(jobs[0].zpl.find("^FDMug _5EXZ red^FS"), std::string::npos);  // the name, escaped
    EXPECT_NE(jobs[0].zpl.find("^FDA-01^FS"), std::string::npos);           // where to pick it
    EXPECT_NE(jobs[0].zpl.find("^PW1200"), std::string::npos);              // the office printer's 300 dpi
    EXPECT_EQ(jobs[0].preview_png, "");  // no preview is drawn for the queue, only the model is kept
    auto kept = store->print_job_preview(jobs[0].id);
    ASSERT_TRUE(kept.ok()) << kept.error().message;
    ASSERT_TRUE(kept->label.has_value());
    EXPECT_EQ(ful::to_zpl(*kept->label), jobs[0].zpl);  // the model is the label that prints

    const json unknown = run({{"cmd", "label_pick_list"}, {"orders", {"1042", "9999"}}});
    EXPECT_FALSE(unknown.value("ok", true));
    EXPECT_NE(unknown.value("error", "").find("unknown order \"9999\""), std::string::npos);
    EXPECT_EQ(test::value_of(store->print_jobs_pending("office")).size(), 1u);
}

TEST_F(LabelCommandsTest, SsccLabelsTakeNumbersFromTheRangeAndGoToTheStationsPrinter) {
    const json answer = run({{"cmd", "label_sscc"}, {"order", "1042"}, {"count", 2}, {"station", "pack1"}});
    ASSERT_TRUE(answer.value("ok", false)) << answer.dump();
    EXPECT_EQ(answer["printer"], "dock");
    ASSERT_EQ(answer["ssccs"].size(), 2u);
    const auto jobs = test::value_of(store->print_jobs_pending("dock"));
    ASSERT_EQ(jobs.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        const std::string sscc = answer["ssccs"][i].get<std::string>();
        EXPECT_TRUE(ful::parse_gs1("(00)" + sscc).ok()) << sscc;
        EXPECT_NE(jobs[i].zpl.find(sscc), std::string::npos);
        EXPECT_NE(jobs[i].zpl.find(std::to_string(i + 1) + " of 2"), std::string::npos);
        EXPECT_NE(jobs[i].zpl.find("(400) 1042"), std::string::npos);
    }
    EXPECT_NE(answer["ssccs"][0], answer["ssccs"][1]);

    // 3 numbers are left in the range: asking for 4 takes none and queues nothing.
    const json more = run({{"cmd", "label_sscc"}, {"order", "1043"}, {"count", 4}});
    EXPECT_FALSE(more.value("ok", true));
    EXPECT_NE(more.value("error", "").find("no tracking numbers left"), std::string::npos) << more.dump();
    EXPECT_EQ(ful::TrackingNumbers(*store, topics).remaining("pallets"), 3);
    EXPECT_TRUE(test::value_of(store->print_jobs_pending("desk")).empty());

    const json station = run({{"cmd", "label_sscc"}, {"order", "1042"}, {"station", "nowhere"}});
    EXPECT_NE(station.value("error", "").find("no station \"nowhere\""), std::string::npos);
    EXPECT_EQ(commands->handle("status", json::object()), std::nullopt);
}

TEST_F(LabelCommandsTest, PreviewIsDrawnFromTheKeptLabelOnceAndKept) {
    const json queued = run({{"cmd", "label_pick_list"}, {"orders", {"1042"}}});
    ASSERT_TRUE(queued.value("ok", false)) << queued.dump();
    const int64_t job = queued["jobs"][0].get<int64_t>();

    const json first = run({{"cmd", "label_preview"}, {"order", "1042"}, {"kind", "pick_list"}});
    ASSERT_TRUE(first.value("ok", false)) << first.dump();
    EXPECT_EQ(first["job"], job);
    EXPECT_EQ(first["printer"], "office");
    auto png = base64_decode(first.value("png_base64", ""));
    ASSERT_TRUE(png.ok());
    const auto bitmap = ful::label_reading::decode_png(*png);
    ASSERT_TRUE(bitmap.has_value());
    EXPECT_EQ(bitmap->width, 1200);  // the office printer's 4x6 in at 300 dpi
    EXPECT_EQ(bitmap->height, 1800);
    auto model = store->print_job_preview(job);
    ASSERT_TRUE(model.ok() && model->label.has_value());
    auto drawn = ful::render_bitmap(*model->label);
    ASSERT_TRUE(drawn.ok());
    EXPECT_TRUE(drawn->pixels == bitmap->pixels) << "the preview is the kept label, drawn";

    // Asked again it is not drawn again: with the job's model gone from the store, the answer is the same.
    store->db().prepare("UPDATE print_jobs SET label_model = NULL").run();
    const json again = run({{"cmd", "label_preview"}, {"job", job}});
    ASSERT_TRUE(again.value("ok", false)) << again.dump();
    EXPECT_EQ(again["png_base64"], first["png_base64"]);

    // A job that was never drawn has nothing to show now, and says why.
    const json other = run({{"cmd", "label_pick_list"}, {"orders", {"1043"}}});
    ASSERT_TRUE(other.value("ok", false));
    store->db().prepare("UPDATE print_jobs SET label_model = NULL").run();
    const json none = run({{"cmd", "label_preview"}, {"job", other["jobs"][0]}});
    EXPECT_FALSE(none.value("ok", true));
    EXPECT_NE(none.value("error", "").find("has no preview"), std::string::npos) << none.dump();
    EXPECT_NE(run({{"cmd", "label_preview"}, {"order", "9999"}}).value("error", "").find("no shipping label"),
              std::string::npos);
    EXPECT_NE(run({{"cmd", "label_preview"}, {"order", "1042"}, {"kind", "parcel"}})
                  .value("error", "")
                  .find("unknown kind"),
              std::string::npos);
}

}  // namespace
}  // namespace packd::host
