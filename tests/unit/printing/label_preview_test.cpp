// Previews on demand: the label model a job keeps round-trips exactly and refuses damaged bytes; previews
// are drawn from it when asked, once (a bounded cache answers the next ask); and the print queue draws one
// only for printers that keep it beside the label (the file printer), which gets the bytes of that preview.

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "label_reading.hpp"
#include "packd/drivers/file_printer.hpp"
#include "packd/fulfillment/labels/label_data.hpp"
#include "packd/fulfillment/labels/label_model.hpp"
#include "packd/fulfillment/printing/label_previews.hpp"
#include "packd/fulfillment/printing/print_queue.hpp"
#include "print_jobs_wait.hpp"
#include "source_label_templates.hpp"
#include "test_env.hpp"

namespace packd::fulfillment {
namespace {

using namespace std::chrono_literals;

bool run_until(boost::asio::io_context& io, const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        io.restart();
        io.run_one_for(20ms);
    }
    return done();
}

Label shipping(const std::string& order_id, LabelSize size = LabelSize::inches(4, 6, 203)) {
    ShippingLabelData data;
    data.order_id = order_id;
    data.ship_to = {"Zoë Ünal", "", "Hauptstraße 1", "", "Köln", "", "50667", "DE"};
    data.carrier = "DHL";
    data.tracking_number = "JJD000" + order_id;
    data.tracking_url = "https://track.example/?id=" + order_id;
    return test::shipping_label(data, size);
}

// ---- The label model as bytes ---------------------------------------------------------------------------

TEST(LabelModel, EveryLabelKindComesBackExactly) {
    for (const LabelKind kind :
         {LabelKind::Shipping, LabelKind::Return, LabelKind::PickList, LabelKind::Sscc}) {
        LabelData data = label_data(SsccLabelData{"340123450000000000",
                                                  "09501101530003",
                                                  "24",
                                                  "1042",
                                                  "DHL",
                                                  {"A%B", "", "x\x01y", "", "", "", "", ""},
                                                  {"Zoë", "", "", "", "", "", "", ""},
                                                  "1 of 1"});
        for (auto& [name, value] : data.values) {
            value += " \xff%0A\t";
        }
        const Label label =
            render(test::source_label_templates().of(kind), data, LabelSize::inches(4, 6, 300));
        const std::string bytes = serialize_label(label);
        auto back = parse_label(bytes);
        ASSERT_TRUE(back.ok()) << back.error().message;
        EXPECT_EQ(serialize_label(*back), bytes);
        EXPECT_EQ(to_zpl(*back), to_zpl(label)) << to_string(kind);
        ASSERT_EQ(back->fields.size(), label.fields.size());
    }
}

TEST(LabelModel, DamagedBytesAreRefusedWithTheLine) {
    const std::string good =
        serialize_label(Label{LabelSize{812, 1218, 203}, {TextField{1, 2, 20, 0, "a b", false}}});
    ASSERT_TRUE(parse_label(good).ok());
    const auto refusal = [](const std::string& bytes) {
        auto parsed = parse_label(bytes);
        return parsed ? std::string("parsed") : parsed.error().message;
    };
    EXPECT_EQ(refusal(""), "label model line 1: expected \"packd-label 1\"");
    EXPECT_EQ(refusal("packd-label 2\nsize 1 1 203\n").rfind("label model line 1:", 0), 0u);
    EXPECT_NE(refusal("packd-label 1\nsize 812 1218\n").find("line 2"), std::string::npos);
    EXPECT_NE(refusal(good.substr(0, good.size() - 1)).find("does not end with a newline"),
              std::string::npos);
    EXPECT_NE(refusal("packd-label 1\nsize 812 1218 203\ntext 1 2 20 0 0 0 bad %G1\n").find("line 3: a '%'"),
              std::string::npos);
    EXPECT_NE(refusal("packd-label 1\nsize 812 1218 203\ntext 1 2 020 0 0 0 x\n").find("expected a number"),
              std::string::npos);
    EXPECT_NE(refusal("packd-label 1\nsize 812 1218 203\ntext 1 2 99999999999 0 0 0 x\n").find("a number"),
              std::string::npos);
    EXPECT_NE(refusal("packd-label 1\nsize 812 1218 203\ntext 1 2 20 0 2 0 x\n").find("expected 0 or 1"),
              std::string::npos);
    EXPECT_NE(refusal("packd-label 1\nsize 812 1218 203\nbox 1 2 3 4\n").find("line 3"), std::string::npos);
    EXPECT_NE(refusal("packd-label 1\nsize 812 1218 203\nbox 1 2 3 4 5 6\n").find("more on the line"),
              std::string::npos);
    EXPECT_NE(refusal("packd-label 1\nsize 812 1218 203\nbarcode pdf417 1 2 3 4 0 x\n").find("symbology"),
              std::string::npos);
    EXPECT_NE(refusal("packd-label 1\nsize 812 1218 203\ncircle 1 2 3\n").find("unknown field type"),
              std::string::npos);
}

// ---- Previews on demand ---------------------------------------------------------------------------------

class Previews : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = Store::open(dir.file("packd.db"));
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        store = std::move(*opened);
    }

    int64_t add(const Label& label, const std::string& order_id, const std::string& printer = "desk") {
        return store->print_job_add(printer, "shipping", order_id, to_zpl(label), label, false);
    }

    void forget_models() { store->db().prepare("UPDATE print_jobs SET label_model = NULL").run(); }

    std::string drawn(LabelPreviews& previews, int64_t id) {
        StoredPrintJob job;
        job.id = id;
        std::optional<std::string> png;
        previews.draw(job, [&](std::string bytes) { png = std::move(bytes); });
        EXPECT_TRUE(run_until(io, [&] { return png.has_value(); }));
        return png.value_or("");
    }

    test::TempDir dir;
    boost::asio::io_context io;
    std::unique_ptr<Store> store;
};

TEST_F(Previews, DrawnOnTheDrawingThreadFromTheModelAndKept) {
    const Label label = shipping("1001");
    const int64_t id = add(label, "1001");
    LabelPreviews previews(io, *store);
    const std::string png = drawn(previews, id);
    const auto bitmap = label_reading::decode_png(png);
    ASSERT_TRUE(bitmap.has_value());
    auto expected = render_bitmap(label);
    ASSERT_TRUE(expected.ok());
    EXPECT_TRUE(bitmap->pixels == expected->pixels);

    // Not drawn again: without its model the job still has the same preview, both ways of asking.
    forget_models();
    EXPECT_EQ(drawn(previews, id), png);
    auto asked = previews.of_order("1001", "shipping");
    ASSERT_TRUE(asked.ok()) << asked.error().message;
    EXPECT_EQ(asked->png, png);
    EXPECT_EQ(asked->job_id, id);
}

TEST_F(Previews, TheCacheIsBoundedLeastRecentlyAskedLeavesFirst) {
    LabelPreviews previews(io, *store, 2);
    const int64_t first = add(shipping("1001"), "1001");
    const int64_t second = add(shipping("1002"), "1002");
    const int64_t third = add(shipping("1003"), "1003");
    ASSERT_TRUE(previews.of_job(first).ok());
    ASSERT_TRUE(previews.of_job(second).ok());
    ASSERT_TRUE(previews.of_job(first).ok());  // asked again: now the most recent
    ASSERT_TRUE(previews.of_job(third).ok());  // the second leaves
    forget_models();
    EXPECT_TRUE(previews.of_job(first).ok());
    EXPECT_TRUE(previews.of_job(third).ok());
    const auto gone = previews.of_job(second);
    ASSERT_FALSE(gone.ok());
    EXPECT_NE(gone.error().message.find("has no preview"), std::string::npos) << gone.error().message;
    EXPECT_EQ(drawn(previews, second), "");  // for a printer: no preview, the label still goes out
}

// A printer that records what it is sent; `wants` says whether it keeps previews.
class RecordingPrinter final : public drivers::LabelPrinter {
  public:
    RecordingPrinter(boost::asio::io_context& io, bool wants) : io_(io), wants_(wants) {}
    const std::string& name() const override { return name_; }
    drivers::DeviceStatus status() const override { return {drivers::DeviceState::ready, "recording"}; }
    void on_state_change(drivers::StateHandler) override {}  // always ready
    void print(const drivers::PrintJob& job, std::function<void(Status)> done) override {
        jobs.push_back(job);
        boost::asio::post(io_, [done = std::move(done)] { done(Status{}); });
    }
    bool wants_preview() const override { return wants_; }

    std::vector<drivers::PrintJob> jobs;

  private:
    boost::asio::io_context& io_;
    bool wants_;
    std::string name_ = "desk";
};

TEST_F(Previews, OnlyAPrinterThatKeepsPreviewsGetsOneAndItIsTheLabels) {
    LabelPreviews previews(io, *store);
    int asked = 0;
    const auto source = [&](const StoredPrintJob& job, std::function<void(std::string)> done) {
        ++asked;
        previews.draw(job, std::move(done));
    };
    const Label label = shipping("1001");
    add(label, "1001", "zebra");
    add(label, "1001", "folder");

    PrintQueue zebra(io, *store, "zebra");
    zebra.set_preview_source(source);
    auto printer = std::make_shared<RecordingPrinter>(io, false);
    zebra.attach(printer);
    ASSERT_TRUE(run_until(io, [&] { return test::print_queue_settled(*store, "zebra"); }));
    ASSERT_EQ(printer->jobs.size(), 1u);
    EXPECT_EQ(printer->jobs[0].zpl, to_zpl(label));
    EXPECT_EQ(printer->jobs[0].preview_png, "");
    EXPECT_EQ(asked, 0) << "no preview is drawn for a printer that needs the ZPL only";

    test::TempDir out;
    PrintQueue folder(io, *store, "folder");
    folder.set_preview_source(source);
    auto files = std::make_shared<drivers::FilePrinter>(io, "folder", out.path().string());
    ASSERT_TRUE(files->open().ok());
    folder.attach(files);
    ASSERT_TRUE(run_until(io, [&] { return test::print_queue_settled(*store, "folder"); }));
    EXPECT_EQ(asked, 1);
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(out.path())) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    ASSERT_EQ(names, (std::vector<std::string>{"1001-shipping-2.png", "1001-shipping-2.zpl"}));
    EXPECT_EQ(test::read_file(out.file("1001-shipping-2.zpl")), to_zpl(label));
    const auto bitmap = label_reading::decode_png(test::read_file(out.file("1001-shipping-2.png")));
    ASSERT_TRUE(bitmap.has_value());
    auto expected = render_bitmap(label);
    ASSERT_TRUE(expected.ok());
    EXPECT_TRUE(bitmap->pixels == expected->pixels) << "the preview beside the label is that label's";
}

}  // namespace
}  // namespace packd::fulfillment
