// Group commit under kill -9: a shop publishes a burst of orders flat out while the real packd is killed
// with SIGKILL again and again in the middle of storing and applying its batches, and restarted. Afterwards
// every order is in the store exactly once (invariant 1: nothing acknowledged before it was stored, nothing
// applied twice), the shop has heard every order's status over MQTT (invariant 2: nothing written to the
// outbox is lost), and every accepted order's shipping label came out of the printer exactly once
// (invariant 3): the few a kill left uncertain are settled the way an operator settles them.

#include <gtest/gtest.h>
#include <mqtt/async_client.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
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

constexpr int kOrders = 5000;
constexpr int kKills = 6;

/// The shop: publishes the burst without waiting for each PUBACK, and hears every order status.
class Shop {
  public:
    explicit Shop(const Broker& broker)
        : client_(broker.uri(), "crash-shop-" + std::to_string(::getpid()), nullptr) {
        client_.set_message_callback([this](mqtt::const_message_ptr msg) {
            const std::string& topic = msg->get_topic();
            const auto at = topic.find("/out/orders/");
            if (at == std::string::npos) {
                return;
            }
            const std::string rest = topic.substr(at + 12);
            const std::string order = rest.substr(0, rest.find('/'));
            std::lock_guard lock(mutex_);
            ++statuses_[order];
        });
        // A shop that loses its own link would stop hearing statuses: say so rather than blame packd.
        client_.set_connection_lost_handler([this](const std::string&) { lost_link_ = true; });
        client_.connect(mqtt::connect_options_builder().clean_session(true).max_inflight(1000).finalize())
            ->wait();
        client_.subscribe("packd/v1/it/out/orders/#", 1)->wait();
    }
    ~Shop() {
        try {
            client_.disconnect()->wait();
        } catch (const mqtt::exception&) {
        }
    }

    void publish_burst() {
        // Up to kWindow messages on their way at once: as fast as the broker takes them. Every wait is
        // bounded, so a broker that stops acknowledging ends the burst with a reason instead of hanging.
        constexpr std::size_t kWindow = 64;
        constexpr auto kAckWait = 30s;
        std::vector<mqtt::delivery_token_ptr> tokens;
        for (int i = 0; i < kOrders; ++i) {
            const std::string id = std::to_string(100000 + i);
            if (tokens.size() >= kWindow && !tokens[tokens.size() - kWindow]->wait_for(kAckWait)) {
                return;
            }
            tokens.push_back(client_.publish(mqtt::make_message(
                "packd/v1/it/in/orders", order_payload("evt-" + id, id, "MUG-RED", 1), 1, false)));
            published_ = i + 1;
        }
        for (auto& t : tokens) {
            if (!t->wait_for(kAckWait)) {
                return;
            }
        }
        done_ = true;
    }

    bool done() const { return done_; }
    bool lost_link() const { return lost_link_; }
    int published() const { return published_; }
    std::size_t orders_heard() const {
        std::lock_guard lock(mutex_);
        return statuses_.size();
    }
    /// Up to `limit` of the orders published whose status the shop has not heard.
    std::vector<std::string> unheard(std::size_t limit) const {
        std::lock_guard lock(mutex_);
        std::vector<std::string> missing;
        for (int i = 0; i < kOrders && missing.size() < limit; ++i) {
            const std::string id = std::to_string(100000 + i);
            if (!statuses_.contains(id)) {
                missing.push_back(id);
            }
        }
        return missing;
    }

  private:
    mqtt::async_client client_;
    mutable std::mutex mutex_;
    std::map<std::string, int> statuses_;
    std::atomic<int> published_{0};
    std::atomic<bool> done_{false};
    std::atomic<bool> lost_link_{false};
};

int64_t scalar(fulfillment::Store& store, const std::string& sql) {
    auto st = store.db().prepare(sql);
    return st.step() ? st.int64(0) : -1;
}

/// The print jobs by state, as "done=4990 uncertain=10", for a failure's message.
std::string print_job_states(fulfillment::Store& store) {
    auto st = store.db().prepare("SELECT state, count(*) FROM print_jobs GROUP BY state ORDER BY state");
    std::string out;
    while (st.step()) {
        out += st.text(0) + "=" + std::to_string(st.int64(1)) + " ";
    }
    return out;
}

TEST(IntakeCrash, KillNineInTheMiddleOfBatchesLosesAndDoublesNoOrder) {
    Broker broker;
    TempDir dir;
    // Labels go to a network printer (the loopback ZPL emulator), as on a busy site; the file printer draws
    // a preview for every label, which is for the demo.
    ZplPrinterEmulator printer;
    std::string config =
        daemon_config(dir, broker.port()) +
        "[printers.zebra]\ntype = \"tcp\"\nhost = \"127.0.0.1\"\nport = " + std::to_string(printer.port()) +
        "\n";
    const std::string desk = "[labels]\nprinter = \"desk\"";
    config.replace(config.find(desk), desk.size(), "[labels]\nprinter = \"zebra\"");
    write_file(dir.file("packd.toml"), config);
    auto packd = start_packd(dir);
    seed_catalogue(dir);
    ASSERT_TRUE(packd->wait_for_output("subscribed to packd/v1/it/in/#", 20s)) << packd->output();
    // Enough stock that every order is accepted and gets its label.
    ASSERT_EQ(
        packctl(dir, {"adjust", "MUG-RED", "A-01-01", std::to_string(kOrders), "--reason", "receive"}).code,
        0);

    Shop shop(broker);
    std::thread publisher([&] { shop.publish_burst(); });
    std::mt19937 random(20261201);
    std::uniform_int_distribution<int> pause_ms(20, 120);
    int kills_mid_intake = 0;
    std::string logs;
    for (int kill = 0; kill < kKills; ++kill) {
        std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(random)));
        packd->signal(SIGKILL);
        ASSERT_TRUE(packd->wait(5s).has_value());
        logs += packd->output();
        {
            // What the killed packd left: a store that opens, and (for most kills) a burst half taken in.
            auto store = fulfillment::Store::open(dir.file("state/packd.db"));
            ASSERT_TRUE(store.ok()) << store.error().message;
            const int64_t taken = scalar(**store, "SELECT count(*) FROM orders") +
                                  scalar(**store, "SELECT count(*) FROM inbox");
            if (taken > 0 && taken < kOrders) {
                ++kills_mid_intake;
            }
            EXPECT_EQ(scalar(**store, "SELECT count(*) FROM orders"),
                      scalar(**store, "SELECT count(*) FROM applied_events WHERE event_id LIKE 'evt-%'"))
                << "an order without its applied event, or the reverse";
        }
        packd = start_packd(dir);
    }
    publisher.join();
    ASSERT_TRUE(shop.done()) << "the broker stopped acknowledging the shop's orders after "
                             << shop.published() << (shop.lost_link() ? "; the shop lost its link" : "");
    ASSERT_GE(kills_mid_intake, 2)
        << "the kills did not land while the burst was being taken in: proved nothing";

    // Everything arrives in the end: every order applied, every status heard by the shop. The deadline
    // stays well inside the test's own timeout, so a shortfall is reported with what is missing instead
    // of ending as a bare timeout.
    const auto deadline = std::chrono::steady_clock::now() + 150s;
    while (shop.orders_heard() < static_cast<std::size_t>(kOrders) &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(100ms);
    }
    EXPECT_EQ(shop.orders_heard(), static_cast<std::size_t>(kOrders))
        << "the shop did not hear every order" << (shop.lost_link() ? " (the shop lost its link)" : "")
        << "; first unheard: " << testing::PrintToString(shop.unheard(10));
    // A kill after a label was marked 'sending' and before the printer's answer was stored leaves the job
    // uncertain: a network printer cannot say afterwards whether it printed, so packd never sends it again
    // by itself. Once nothing is queued, do what the operator does: confirm the uncertain labels that came
    // out of the printer and resend the others.
    json store_counts;
    while (std::chrono::steady_clock::now() < deadline) {
        auto status = packctl(dir, {"--json", "status"});
        if (status.code == 0) {
            store_counts = json::parse(status.output)["status"]["store"];
            if (store_counts.value("labels_queued", -1) == 0 &&
                printer.printed().size() + store_counts.value("labels_uncertain", std::size_t{0}) >=
                    static_cast<std::size_t>(kOrders)) {
                break;
            }
        }
        std::this_thread::sleep_for(200ms);
    }
    const std::size_t printed_before_operator = printer.printed().size();
    auto uncertain = packctl(dir, {"--json", "labels", "uncertain"});
    ASSERT_EQ(uncertain.code, 0) << uncertain.output;
    int confirmed = 0;
    int resent = 0;
    const auto printed_formats = printer.printed();
    const json listed = json::parse(uncertain.output);
    for (const auto& job : listed["jobs"]) {
        const std::string field = "^FD" + job["order"].get<std::string>() + "^FS";
        const bool came_out =
            std::any_of(printed_formats.begin(), printed_formats.end(),
                        [&](const std::string& f) { return f.find(field) != std::string::npos; });
        const auto answer = packctl(dir, {"label", came_out ? "confirm" : "resend", job["job"].dump()});
        EXPECT_EQ(answer.code, 0) << answer.output;
        ++(came_out ? confirmed : resent);
    }
    while (printer.printed().size() < static_cast<std::size_t>(kOrders) &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(100ms);
    }
    // Every label reached the printer, and none twice: no label is sent again unless the operator says it
    // did not print.
    EXPECT_EQ(printer.printed().size(), static_cast<std::size_t>(kOrders))
        << "labels lost or printed twice; before the operator looked the printer had "
        << printed_before_operator << " and the store counted " << store_counts.dump()
        << "; the operator confirmed " << confirmed << " and resent " << resent;
    packd->signal(SIGTERM);
    ASSERT_TRUE(packd->wait(20s).has_value());
    logs += packd->output();

    auto store = fulfillment::Store::open(dir.file("state/packd.db"));
    ASSERT_TRUE(store.ok()) << store.error().message;
    EXPECT_EQ(scalar(**store, "SELECT count(*) FROM orders"), kOrders) << "an order was lost";
    EXPECT_EQ(scalar(**store, "SELECT count(*) FROM orders WHERE state = 'accepted'"), kOrders);
    EXPECT_EQ(scalar(**store, "SELECT count(*) FROM applied_events WHERE event_id LIKE 'evt-%'"), kOrders);
    EXPECT_EQ(scalar(**store, "SELECT count(*) FROM inbox"), 0);
    EXPECT_EQ(scalar(**store, "SELECT count(*) FROM outbox"), 0) << "a status was never sent";
    EXPECT_EQ(scalar(**store, "SELECT count(*) FROM print_jobs WHERE state <> 'done'"), 0)
        << "a label was never printed: " << print_job_states(**store) << "; the operator confirmed "
        << confirmed << " and resent " << resent << "; the store counted " << store_counts.dump()
        << "; listed " << uncertain.output.substr(0, 600);
    EXPECT_EQ(scalar(**store, "SELECT count(*) FROM reservations"), kOrders)
        << "a reservation lost or doubled";
    EXPECT_EQ(scalar(**store, "SELECT count(*) FROM print_jobs WHERE kind = 'shipping'"), kOrders)
        << "a label lost or queued twice";
    EXPECT_EQ(scalar(**store, "SELECT count(DISTINCT order_id) FROM print_jobs WHERE kind = 'shipping'"),
              kOrders);
    EXPECT_EQ(scalar(**store, "SELECT count(*) FROM queue_lengths WHERE queue = 'inbox' AND length = 0"), 1)
        << "the inbox's length counter disagrees with its rows";
    if (HasFailure()) {
        std::cerr << logs.substr(logs.size() > 20000 ? logs.size() - 20000 : 0);
    }
}

}  // namespace
}  // namespace packd::test
