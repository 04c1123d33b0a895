#pragma once
// Runs the real packd binary against a config in a temporary folder.

#include <gtest/gtest.h>
#include <mqtt/async_client.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>

#include "store_file.hpp"
#include "test_env.hpp"

namespace packd::test {

/// A config for one packd in `dir`: file printer "desk", sim scale "bench", sim scanner "gun".
inline std::string daemon_config(const TempDir& dir, int broker_port, const std::string& extra = "") {
    return "[site]\nid = \"it\"\nname = \"Test Site\"\nstreet1 = \"1 Test Road\"\ncity = \"Testville\"\n"
           "postal_code = \"12345\"\ncountry = \"US\"\n"
           "[daemon]\nstate_dir = \"" +
           dir.file("state") + "\"\nadmin_socket = \"" + dir.file("packd.sock") +
           "\"\nlog_level = \"debug\"\n"
           "[broker]\nhost = \"127.0.0.1\"\nport = " +
           std::to_string(broker_port) + "\nclient_id = \"packd-it-" + std::to_string(::getpid()) + "-" +
           dir.path().filename().string() +
           "\"\nreconnect_min_ms = 100\nreconnect_max_ms = 1000\n"
           "[labels]\nprinter = \"desk\"\n"
           "[printers.desk]\ntype = \"file\"\ndirectory = \"" +
           dir.file("labels") +
           "\"\n"
           "[scales.bench]\ntype = \"sim\"\nfifo = \"" +
           dir.file("scale.fifo") +
           "\"\n"
           "[scanners.gun]\ntype = \"sim\"\nfifo = \"" +
           dir.file("scanner.fifo") +
           "\"\n"
           "[stations.pack1]\nprinter = \"desk\"\nscale = \"bench\"\nscanner = \"gun\"\n" +
           extra;
}

/// packd's own order JSON: one line of `qty` x `sku`, shipped to a short valid address.
inline std::string order_payload(const std::string& event, const std::string& id, const std::string& sku,
                                 int qty) {
    return nlohmann::json{
        {"event_id", event},
        {"type", "order.created"},
        {"order",
         {{"id", id},
          {"ship_to",
           {{"name", "A"}, {"street1", "B 1"}, {"city", "C"}, {"postal_code", "1"}, {"country", "DE"}}},
          {"lines", {{{"sku", sku}, {"quantity", qty}}}}}}}
        .dump();
}

/// Starts packd with the config written to dir/packd.toml and waits until it says it is ready.
inline std::unique_ptr<Process> start_packd(const TempDir& dir, std::map<std::string, std::string> env = {}) {
    auto p = std::make_unique<Process>(
        std::vector<std::string>{packd_binary(), "--config", dir.file("packd.toml")}, std::move(env),
        dir.path().string());
    EXPECT_TRUE(p->wait_for_output("ready:", std::chrono::seconds(20))) << p->output();
    return p;
}

inline RunResult packctl(const TempDir& dir, const std::vector<std::string>& words) {
    std::vector<std::string> argv{packctl_binary(), "--socket", dir.file("packd.sock")};
    argv.insert(argv.end(), words.begin(), words.end());
    return run(argv, std::chrono::seconds(20));
}

/// Loads config/samples/products.csv and stock.csv (bins A-01-01 and A-01-02 first).
inline void seed_catalogue(const TempDir& dir) {
    for (const char* bin : {"A-01-01", "A-01-02"}) {
        auto r = packctl(dir, {"location", "add", bin});
        ASSERT_EQ(r.code, 0) << r.output;
    }
    auto products = packctl(dir, {"import", "products", source_dir() + "/config/samples/products.csv"});
    ASSERT_EQ(products.code, 0) << products.output;
    auto stock = packctl(dir, {"import", "stock", source_dir() + "/config/samples/stock.csv"});
    ASSERT_EQ(stock.code, 0) << stock.output;
}

/// Publishes one message at QoS 1 and disconnects.
inline void publish(int port, const std::string& topic, const std::string& payload) {
    mqtt::async_client c("tcp://127.0.0.1:" + std::to_string(port), "inv-test-" + std::to_string(::getpid()),
                         nullptr);
    c.connect()->wait();
    c.publish(mqtt::make_message(topic, payload, 1, false))->wait();
    c.disconnect()->wait();
}

/// Inbound messages the packd in `dir` found applied before (packctl --json status), -1 without an answer.
inline int64_t intake_duplicates(const TempDir& dir) {
    const auto status = nlohmann::json::parse(packctl(dir, {"--json", "status"}).output, nullptr, false);
    const auto* n = status.is_object() ? &status : nullptr;
    for (const char* key : {"status", "intake", "duplicates"}) {
        n = n != nullptr && n->is_object() && n->contains(key) ? &(*n)[key] : nullptr;
    }
    return n != nullptr && n->is_number_integer() ? n->get<int64_t>() : -1;
}

/// The store file of the packd in `dir`.
inline std::string store_path(const TempDir& dir) {
    return dir.file("state/packd.db");
}

/// Publishes packd's own order JSON for `qty` x `sku` and waits until the store holds the order accepted; the
/// order's state otherwise (held, rejected, none).
inline std::string publish_order(const TempDir& dir, int broker_port, const std::string& event,
                                 const std::string& id, const std::string& sku, int qty) {
    publish(broker_port, "packd/v1/it/in/orders", order_payload(event, id, sku, qty));
    wait_until([&] { return order_state(store_path(dir), id) != "none"; }, std::chrono::seconds(20));
    return order_state(store_path(dir), id);
}

inline bool wait_for_file(const std::string& path, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (std::filesystem::exists(path)) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::filesystem::exists(path);
}

}  // namespace packd::test
