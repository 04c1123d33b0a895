// A label is never printed twice without someone asking (issue "proof under faults", defects 1 and 2): the
// real packd with the loopback ZPL printer, killed with -9 after the printer took a label and before it said
// whether it printed; and a printer that takes a label and then stays silent. Each label the printer took
// is held as "may have printed" (store state 'uncertain', an alert to the shop over MQTT) and goes to the
// printer again only when the operator says it did not print.

#include <gtest/gtest.h>
#include <mqtt/async_client.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "packd/fulfillment/store/store.hpp"
#include "packd_fixture.hpp"
#include "test_env.hpp"
#include "zpl_printer_emulator.hpp"

namespace packd::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

/// The shop's side: publishes orders and collects the alerts packd sends.
class Shop {
  public:
    explicit Shop(const Broker& broker)
        : client_(broker.uri(), "once-shop-" + std::to_string(::getpid()), nullptr) {
        client_.start_consuming();
        client_.connect(mqtt::connect_options_builder().clean_session(true).finalize())->wait();
        client_.subscribe("packd/v1/it/out/alerts", 1)->wait();
    }
    ~Shop() {
        try {
            client_.disconnect()->wait();
        } catch (const mqtt::exception&) {
        }
    }
    void order(const std::string& id) {
        client_
            .publish(mqtt::make_message("packd/v1/it/in/orders", order_payload("evt-" + id, id, "MUG-RED", 1),
                                        1, false))
            ->wait();
    }
    /// The next alert of `kind`, waiting up to `timeout`.
    std::optional<json> alert(const std::string& kind, std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            mqtt::const_message_ptr msg;
            if (client_.try_consume_message_for(&msg, 100ms) && msg) {
                auto doc = json::parse(msg->get_payload_str(), nullptr, false);
                if (doc.is_object() && doc.value("kind", "") == kind) {
                    return doc;
                }
            }
        }
        return std::nullopt;
    }

  private:
    mqtt::async_client client_;
};

/// packd with its shipping labels on the loopback ZPL printer, answering status within `status_ms`.
std::string config_with_zebra(const TempDir& dir, int broker_port, int printer_port, int status_ms) {
    std::string config = daemon_config(dir, broker_port) + "[printers.zebra]\ntype = \"tcp\"\nhost = " +
                         "\"127.0.0.1\"\nport = " + std::to_string(printer_port) +
                         "\nstatus_timeout_ms = " + std::to_string(status_ms) + "\n";
    const std::string desk = "[labels]\nprinter = \"desk\"";
    config.replace(config.find(desk), desk.size(), "[labels]\nprinter = \"zebra\"");
    return config;
}

/// The state of the shipping label job of `order`, read from the store file.
std::string job_state(const TempDir& dir, const std::string& order) {
    auto store = fulfillment::Store::open(dir.file("state/packd.db"));
    if (!store) {
        return "store: " + store.error().message;
    }
    auto st = (*store)->db().prepare(
        "SELECT state FROM print_jobs WHERE order_id = ? AND kind = 'shipping' ORDER BY id DESC LIMIT 1");
    st.bind(1, order);
    return st.step() ? st.text(0) : "none";
}

int64_t job_id(const TempDir& dir, const std::string& order) {
    auto store = fulfillment::Store::open(dir.file("state/packd.db"));
    if (!store) {
        return -1;
    }
    auto st = (*store)->db().prepare("SELECT id FROM print_jobs WHERE order_id = ? AND kind = 'shipping'");
    st.bind(1, order);
    return st.step() ? st.int64(0) : -1;
}

/// Waits until the printer has received `n` formats.
bool wait_for_formats(const ZplPrinterEmulator& printer, std::size_t n, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (printer.formats_received() >= n) {
            return true;
        }
        std::this_thread::sleep_for(1ms);
    }
    return false;
}

class LabelExactlyOnce : public ::testing::Test {
  protected:
    void SetUp() override {
        write_file(dir.file("packd.toml"), config_with_zebra(dir, broker.port(), printer.port(), 1000));
        packd = start_packd(dir);
        seed_catalogue(dir);
        ASSERT_TRUE(packd->wait_for_output("subscribed to packd/v1/it/in/#", 20s)) << packd->output();
    }

    Broker broker;
    TempDir dir;
    ZplPrinterEmulator printer;
    std::unique_ptr<Process> packd;
};

TEST_F(LabelExactlyOnce, KilledAfterThePrinterTookTheLabelItIsHeldNotSentAgain) {
    Shop shop(broker);
    // The printer answers the status check before the label, takes it, and says nothing more: packd is
    // killed while it waits for the answer that would mark the label printed.
    printer.silent_after_formats(1);
    shop.order("K1");
    ASSERT_TRUE(wait_for_formats(printer, 1, 20s)) << packd->output();
    packd->signal(SIGKILL);
    ASSERT_TRUE(packd->wait(10s).has_value());
    EXPECT_EQ(job_state(dir, "K1"), "sending") << "marked before its first byte went out";

    printer.silent_after_formats(0);  // healthy again
    packd = start_packd(dir);
    // The restarted packd cannot ask a ZPL printer whether that label printed: it holds it and says so.
    auto alert = shop.alert("label_uncertain", 20s);
    ASSERT_TRUE(alert.has_value()) << packd->output();
    EXPECT_EQ((*alert)["order_id"], "K1");
    EXPECT_EQ((*alert)["printer"], "zebra");
    EXPECT_EQ((*alert)["job"], job_id(dir, "K1"));
    EXPECT_EQ(job_state(dir, "K1"), "uncertain");

    // The next order prints, and the held label was not sent again before it.
    shop.order("K2");
    ASSERT_TRUE(wait_for_formats(printer, 2, 20s)) << packd->output();
    for (int i = 0; i < 200 && job_state(dir, "K2") != "done"; ++i) {
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(job_state(dir, "K2"), "done");
    ASSERT_EQ(printer.formats_received(), 2u);
    EXPECT_NE(printer.printed().back().find("K2"), std::string::npos);

    auto listed = packctl(dir, {"--json", "labels", "uncertain"});
    ASSERT_EQ(listed.code, 0) << listed.output;
    const auto jobs = json::parse(listed.output)["jobs"];
    ASSERT_EQ(jobs.size(), 1u) << listed.output;
    EXPECT_EQ(jobs[0]["order"], "K1");
    EXPECT_EQ(job_state(dir, "K1"), "uncertain");

    // The operator looked: it had not printed. Only now does it go out again, once.
    const std::string id = std::to_string(job_id(dir, "K1"));
    auto resend = packctl(dir, {"label", "resend", id});
    ASSERT_EQ(resend.code, 0) << resend.output;
    ASSERT_TRUE(wait_for_formats(printer, 3, 20s)) << packd->output();
    for (int i = 0; i < 200 && job_state(dir, "K1") != "done"; ++i) {
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(job_state(dir, "K1"), "done");
    EXPECT_NE(printer.printed().back().find("K1"), std::string::npos);
    EXPECT_EQ(packctl(dir, {"label", "resend", id}).code, 1) << "a settled job cannot be resent";
}

TEST_F(LabelExactlyOnce, APrinterSilentAfterTakingTheLabelGetsItOnceAndTheOperatorConfirmsIt) {
    Shop shop(broker);
    printer.silent_after_formats(1);
    shop.order("S1");
    auto alert = shop.alert("label_uncertain", 20s);
    ASSERT_TRUE(alert.has_value()) << packd->output();
    EXPECT_EQ((*alert)["order_id"], "S1");
    EXPECT_NE((*alert)["reason"].get<std::string>().find("no answer"), std::string::npos) << *alert;
    EXPECT_EQ(job_state(dir, "S1"), "uncertain");

    // Several retry periods later the printer still had the label only once, and no ~JA hid anything.
    std::this_thread::sleep_for(4s);
    EXPECT_EQ(printer.formats_received(), 1u);
    EXPECT_EQ(job_state(dir, "S1"), "uncertain");
    auto status = packctl(dir, {"--json", "status"});
    ASSERT_EQ(status.code, 0) << status.output;
    EXPECT_EQ(json::parse(status.output)["status"]["store"]["labels_uncertain"], 1);
    // A reprint of a label that may have printed is refused: it would be the second copy.
    EXPECT_EQ(packctl(dir, {"reprint", "S1"}).code, 1);

    printer.silent_after_formats(0);
    const std::string id = std::to_string(job_id(dir, "S1"));
    auto confirm = packctl(dir, {"label", "confirm", id});
    ASSERT_EQ(confirm.code, 0) << confirm.output;
    EXPECT_EQ(job_state(dir, "S1"), "done");
    EXPECT_EQ(printer.formats_received(), 1u) << "a confirmed label is not sent again";
    // Now a reprint is allowed: it is marked as one. The queue sends oldest first, so once the reprint has
    // printed and settled, a resend of the confirmed label would have gone before it: two formats, not three.
    EXPECT_EQ(packctl(dir, {"reprint", "S1"}).code, 0);
    ASSERT_TRUE(wait_for_formats(printer, 2, 20s)) << packd->output();
    ASSERT_TRUE(wait_until([&] { return job_state(dir, "S1") == "done"; }, 20s)) << job_state(dir, "S1");
    EXPECT_EQ(printer.formats_received(), 2u) << "the confirmed label was sent again";
    EXPECT_EQ(packctl(dir, {"label", "confirm", "999999"}).code, 1) << "an unknown job is refused";
    EXPECT_EQ(packctl(dir, {"label", "confirm", "12x"}).code, 2) << "not a job number";
}

}  // namespace
}  // namespace packd::test
