// Returns over MQTT with a real mosquitto and the real packd: a requested return of a shipped order is
// recorded, its approval sends the return label to the shop as PNG and PDF, and returns that do not fit
// the order are refused with the reason.

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>

#include "label_reading.hpp"
#include "packd_fixture.hpp"
#include "source_label_templates.hpp"

namespace packd::test {
namespace {

using namespace std::chrono_literals;

std::string base64_decode(const std::string& text) {
    static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    int bits = 0;
    uint32_t value = 0;
    for (char c : text) {
        const auto at = kAlphabet.find(c);
        if (at == std::string::npos) {
            continue;  // padding
        }
        value = (value << 6) | static_cast<uint32_t>(at);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((value >> bits) & 0xFF);
        }
    }
    return out;
}

/// Everything the shop receives below packd/v1/it/out/returns/.
class ReturnsWatcher {
  public:
    explicit ReturnsWatcher(int port)
        : client_("tcp://127.0.0.1:" + std::to_string(port), "shop-returns", nullptr) {
        client_.set_message_callback([this](mqtt::const_message_ptr m) {
            std::lock_guard<std::mutex> lock(mutex_);
            seen_[m->get_topic()].push_back(m->get_payload_str());
            changed_.notify_all();
        });
        client_.connect()->wait();
        client_.subscribe("packd/v1/it/out/returns/#", 1)->wait();
    }
    ~ReturnsWatcher() {
        try {
            client_.disconnect()->wait();
        } catch (const mqtt::exception&) {
        }
    }
    std::vector<std::string> wait_for(const std::string& topic, size_t count) {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait_for(lock, 20s, [&] { return seen_[topic].size() >= count; });
        return seen_[topic];
    }

  private:
    mqtt::async_client client_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::map<std::string, std::vector<std::string>> seen_;
};

TEST(Returns, ApprovedReturnSendsItsLabelAsPngAndPdf) {
    TempDir dir;
    Broker broker;
    write_file(dir.file("packd.toml"), daemon_config(dir, broker.port()));
    auto packd = start_packd(dir);
    seed_catalogue(dir);
    ASSERT_TRUE(packd->wait_for_output("subscribed to packd/v1/it/in/#", 20s)) << packd->output();
    ReturnsWatcher shop(broker.port());

    publish(broker.port(), "packd/v1/it/in/orders",
            nlohmann::json{{"event_id", "e1"},
                           {"type", "order.created"},
                           {"order",
                            {{"id", "R1"},
                             {"ship_to",
                              {{"name", "Jana Müller"},
                               {"street1", "Hauptstr. 1"},
                               {"city", "Köln"},
                               {"postal_code", "50667"},
                               {"country", "DE"}}},
                             {"lines", {{{"sku", "MUG-RED"}, {"quantity", 2}}}}}}}
                .dump());
    ASSERT_TRUE(wait_for_order_state(store_path(dir), "R1", "accepted")) << packd->output();
    const auto outcome = [&](const std::string& event) {
        wait_until([&] { return event_outcome(store_path(dir), event) != "none"; }, 20s);
        return event_outcome(store_path(dir), event);
    };

    // Not shipped yet: nothing to return.
    const std::string request = R"({"event_id":"r1","type":"return.requested","rma":"RMA-1","order_id":"R1",)"
                                R"("lines":[{"sku":"MUG-RED","quantity":1}]})";
    publish(broker.port(), "packd/v1/it/in/returns", request);
    EXPECT_NE(outcome("r1").find("rejected: return RMA-1: order R1 is accepted, not shipped"),
              std::string::npos)
        << outcome("r1");

    ASSERT_EQ(packctl(dir, {"ship", "R1", "--carrier", "DHL", "--tracking", "JJD1", "--weight", "800"}).code,
              0);
    publish(broker.port(), "packd/v1/it/in/returns",
            R"({"event_id":"r2","type":"return.requested","rma":"RMA-1","order_id":"R1",)"
            R"("lines":[{"sku":"MUG-RED","quantity":1}]})");
    // More than was shipped, a SKU the order did not have, an approval of an unknown RMA: refused.
    publish(broker.port(), "packd/v1/it/in/returns",
            R"({"event_id":"r3","type":"return.requested","rma":"RMA-2","order_id":"R1",)"
            R"("lines":[{"sku":"MUG-RED","quantity":3}]})");
    publish(broker.port(), "packd/v1/it/in/returns",
            R"({"event_id":"r4","type":"return.requested","rma":"RMA-3","order_id":"R1",)"
            R"("lines":[{"sku":"TEE-BLK-L","quantity":1}]})");
    publish(broker.port(), "packd/v1/it/in/returns",
            R"({"event_id":"r5","type":"return.approved","rma":"RMA-9"})");
    EXPECT_EQ(outcome("r2").rfind("rejected", 0), std::string::npos) << outcome("r2");
    EXPECT_NE(outcome("r3").find("3 x MUG-RED wanted back, order R1 shipped 2"), std::string::npos)
        << outcome("r3");
    EXPECT_NE(outcome("r4").find("order R1 has no TEE-BLK-L"), std::string::npos) << outcome("r4");
    EXPECT_NE(outcome("r5").find("return RMA-9 is unknown"), std::string::npos) << outcome("r5");

    const std::string approval =
        R"({"event_id":"r6","type":"return.approved","rma":"RMA-1","carrier":"DHL","tracking_number":"JJD9"})";
    publish(broker.port(), "packd/v1/it/in/returns", approval);
    publish(broker.port(), "packd/v1/it/in/returns", approval);  // a redelivery changes nothing
    ASSERT_TRUE(wait_until([&] { return intake_duplicates(dir) == 1; }, 20s)) << packd->output();
    EXPECT_NE(outcome("r6").rfind("rejected", 0), 0U) << outcome("r6");

    const auto states = shop.wait_for("packd/v1/it/out/returns/RMA-1/status", 2);
    ASSERT_EQ(states.size(), 2u);
    EXPECT_EQ(nlohmann::json::parse(states[0])["state"], "requested");
    EXPECT_EQ(nlohmann::json::parse(states[1])["state"], "approved");
    const auto labels = shop.wait_for("packd/v1/it/out/returns/RMA-1/label", 1);
    ASSERT_EQ(labels.size(), 1u);
    const auto label = nlohmann::json::parse(labels[0]);
    EXPECT_EQ(label["order_id"], "R1");
    EXPECT_EQ(label["tracking_number"], "JJD9");
    const std::string png = base64_decode(label["png_base64"].get<std::string>());
    const std::string pdf = base64_decode(label["pdf_base64"].get<std::string>());
    EXPECT_EQ(png.rfind("\x89PNG\r\n\x1a\n", 0), 0u);
    // Drawn from return.toml: its two Code 128 symbols (RMA, tracking number) sit where the template puts
    // them for this data, and read back.
    namespace ful = packd::fulfillment;
    const auto preview = ful::label_reading::decode_png(png);
    ASSERT_TRUE(preview.has_value());
    ful::ReturnLabelData expected;
    expected.rma = "RMA-1";
    expected.order_id = "R1";
    expected.carrier = "DHL";
    expected.tracking_number = "JJD9";
    const ful::Label layout = ful::render(source_label_templates().of(ful::LabelKind::Return),
                                          ful::label_data(expected), ful::LabelSize::inches(4, 6, 203));
    const auto barcodes = ful::label_reading::barcode_fields(layout);
    ASSERT_EQ(barcodes.size(), 2u);
    for (const auto& field : barcodes) {
        const auto read = ful::label_reading::find_barcode(ful::label_reading::read_symbol(*preview, field),
                                                           ZXing::BarcodeFormat::Code128);
        ASSERT_TRUE(read.has_value()) << field.data;
        EXPECT_EQ(read->text(), field.data);
    }
    EXPECT_EQ(pdf.rfind("%PDF-1.4", 0), 0u);
    EXPECT_EQ(pdf.substr(pdf.size() - 6), "%%EOF\n");
    EXPECT_EQ(packctl(dir, {"verify"}).code, 0);
}

}  // namespace
}  // namespace packd::test
