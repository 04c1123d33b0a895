// The shop link benchmark's runs: the broker floor, and the real packd taking orders from the broker.

#include "shop_link_bench_runs.hpp"

namespace packd::test::shop_link_bench {

// ---------------------------------------------------------------------------------------------------------
// 1: the broker floor.

FloorFigures run_floor(const Broker& broker, const Sizes& sizes, const std::string& payload) {
    FloorFigures f;
    TimedClient client(broker, "bench-floor-" + std::to_string(::getpid()));
    const std::string topic = "bench/floor/echo";
    client.subscribe(topic);
    for (int i = 0; i < sizes.floor_round_trips; ++i) {
        const size_t seen = client.count();
        const auto start = Clock::now();
        auto token = client.publish(topic, payload);
        if (!client.wait_beyond(seen, Clock::now() + 10s)) {
            throw std::runtime_error("broker floor: message " + std::to_string(i) + " did not come back");
        }
        f.round_trip_ms.push_back(ms_between(start, client.at(seen).at));
        token->wait();
    }
    NoDelayClient fast(broker, "bench-floor-nodelay-" + std::to_string(::getpid()));
    fast.subscribe(topic);
    for (int i = 0; i < sizes.floor_round_trips; ++i) {
        const auto start = Clock::now();
        fast.publish(topic, payload);
        auto at = fast.wait_for([&](const std::string& t, const std::string&) { return t == topic; },
                                Clock::now() + 10s);
        if (!at) {
            throw std::runtime_error("broker floor, no-delay client: message " + std::to_string(i) +
                                     " did not come back");
        }
        f.nodelay_round_trip_ms.push_back(ms_between(start, *at));
    }
    f.burst = sizes.floor_burst;
    const size_t first = client.count();
    std::vector<mqtt::delivery_token_ptr> tokens;
    tokens.reserve(static_cast<size_t>(f.burst));
    const auto start = Clock::now();
    for (int i = 0; i < f.burst; ++i) {
        tokens.push_back(client.publish(topic, payload));
    }
    f.burst_publish_ms = ms_between(start, Clock::now());
    const size_t want = first + static_cast<size_t>(f.burst);
    while (client.count() < want && client.wait_beyond(client.count(), Clock::now() + 10s)) {
    }
    for (auto& t : tokens) {
        t->wait();
    }
    const size_t got = client.count();
    f.burst_received = static_cast<int>(got - first);
    if (got > first) {
        f.burst_total_ms = ms_between(start, client.at(got - 1).at);
    }
    return f;
}

// ---------------------------------------------------------------------------------------------------------
// 2-4: the real packd.

namespace {

const std::vector<std::string> kSkus = {"BENCH-MUG", "BENCH-TEE", "BENCH-CAP"};
constexpr int kStockPerSku = 100000;

}  // namespace

std::string order_json(const std::string& event_id, const std::string& order_id, int lines) {
    nlohmann::json items = nlohmann::json::array();
    for (int i = 0; i < lines; ++i) {
        items.push_back({{"sku", kSkus[static_cast<size_t>(i) % kSkus.size()]}, {"quantity", 1}});
    }
    return nlohmann::json{{"event_id", event_id},
                          {"type", "order.created"},
                          {"order",
                           {{"id", order_id},
                            {"carrier", "DHL"},
                            {"service", "Paket"},
                            {"tracking_number", "JJD0001234567" + order_id},
                            {"ship_to",
                             {{"name", "Jana Müller"},
                              {"street1", "Hauptstr. 1"},
                              {"city", "Köln"},
                              {"postal_code", "50667"},
                              {"country", "DE"}}},
                            {"lines", items}}}}
        .dump();
}

namespace {

/// The config of packd's integration tests (tests/integration/packd_fixture.hpp) with log level "warning"
/// and without the simulated scale, scanner and station, which play no part in the order intake. With
/// `printer`, a file printer "desk" gets every shipping label.
std::string packd_config(const TempDir& dir, int broker_port, bool printer) {
    std::string cfg =
        "[site]\nid = \"it\"\nname = \"Test Site\"\nstreet1 = \"1 Test Road\"\ncity = \"Testville\"\n"
        "postal_code = \"12345\"\ncountry = \"US\"\n"
        "[daemon]\nstate_dir = \"" +
        dir.file("state") + "\"\nadmin_socket = \"" + dir.file("packd.sock") +
        "\"\nlog_level = \"warning\"\n"
        "[broker]\nhost = \"127.0.0.1\"\nport = " +
        std::to_string(broker_port) + "\nclient_id = \"packd-bench-" + std::to_string(::getpid()) + "-" +
        dir.path().filename().string() + "\"\nreconnect_min_ms = 100\nreconnect_max_ms = 1000\n";
    if (printer) {
        cfg += "[labels]\nprinter = \"desk\"\n[printers.desk]\ntype = \"file\"\ndirectory = \"" +
               dir.file("labels") + "\"\n";
    }
    return cfg;
}

RunResult packctl(const TempDir& dir, const std::vector<std::string>& words) {
    std::vector<std::string> argv{packctl_binary(), "--socket", dir.file("packd.sock")};
    argv.insert(argv.end(), words.begin(), words.end());
    return run(argv, 20s);
}

void packctl_or_throw(const TempDir& dir, const std::vector<std::string>& words) {
    const RunResult r = packctl(dir, words);
    if (r.code != 0) {
        throw std::runtime_error("packctl " + words.at(0) + " failed: " + r.output);
    }
}

bool is_accepted(const Arrival& a) {
    try {
        return nlohmann::json::parse(a.payload).value("state", "") == "accepted";
    } catch (const nlohmann::json::exception&) {
        return false;
    }
}

/// The order id in packd/v1/it/out/orders/ID/status.
std::string order_of(const std::string& topic) {
    const std::string prefix = "packd/v1/it/out/orders/";
    const auto end = topic.rfind("/status");
    if (topic.rfind(prefix, 0) != 0 || end == std::string::npos || end < prefix.size()) {
        return "";
    }
    return topic.substr(prefix.size(), end - prefix.size());
}

/// Waits for the status message of `order_id`, reading arrivals from `next` on; the time it arrived.
std::optional<Arrival> wait_for_status(const TimedClient& shop, size_t& next, const std::string& order_id,
                                       Clock::time_point deadline) {
    while (true) {
        while (next < shop.count()) {
            Arrival a = shop.at(next++);
            if (order_of(a.topic) == order_id) {
                return a;
            }
        }
        if (!shop.wait_beyond(next, deadline)) {
            return std::nullopt;
        }
    }
}

}  // namespace

PackdFigures run_packd(const Broker& broker, const Sizes& sizes, bool printer, const std::string& tag) {
    PackdFigures f;
    f.printer = printer;
    TempDir dir;
    write_file(dir.file("packd.toml"), packd_config(dir, broker.port(), printer));
    write_file(
        dir.file("products.csv"),
        "sku,name,unit_weight_g,length_mm,width_mm,height_mm,reorder_point,reorder_qty,barcodes,case_barcode,"
        "case_qty\n"
        "BENCH-MUG,\"Mug, red, 330 ml\",350,120,90,100,0,0,,,\n"
        "BENCH-TEE,\"T-shirt black, size L\",180,,,,0,0,,,\n"
        "BENCH-CAP,\"Cap, blue\",90,,,,0,0,,,\n");
    std::string stock = "sku,qty,location,lot,expiry\n";
    for (const auto& sku : kSkus) {
        stock += sku + "," + std::to_string(kStockPerSku) + ",A-01-01,,\n";
    }
    write_file(dir.file("stock.csv"), stock);

    Process packd({packd_binary(), "--config", dir.file("packd.toml")}, {}, dir.path().string());
    const auto ready_by = Clock::now() + 20s;
    while (packctl(dir, {"status"}).code != 0) {
        if (Clock::now() > ready_by || !packd.running()) {
            throw std::runtime_error("packd did not start: " + packd.output());
        }
        std::this_thread::sleep_for(50ms);
    }
    packctl_or_throw(dir, {"location", "add", "A-01-01"});
    packctl_or_throw(dir, {"import", "products", dir.file("products.csv")});
    packctl_or_throw(dir, {"import", "stock", dir.file("stock.csv")});

    TimedClient shop(broker, "bench-shop-" + std::to_string(::getpid()) + "-" + tag);
    shop.subscribe("packd/v1/it/out/orders/+/status");
    const std::string in = "packd/v1/it/in/orders";

    // Warm up, and wait until packd is subscribed: the same event again until its status comes back (an
    // event applies once, however often it arrives).
    size_t next = 0;
    const auto warm_by = Clock::now() + 30s;
    bool warm = false;
    while (!warm && Clock::now() < warm_by) {
        shop.publish(in, order_json("evt-warm", "WARM-1", 1))->wait();
        warm = wait_for_status(shop, next, "WARM-1", Clock::now() + 1s).has_value();
    }
    if (!warm) {
        throw std::runtime_error("packd did not answer the warm-up order: " + packd.output());
    }

    // 3: one order at a time.
    double cpu_before = process_cpu_ms(packd.pid());
    for (int i = 0; i < sizes.latency_orders; ++i) {
        const std::string id = std::string("L").append(std::to_string(i));
        const std::string payload = order_json("evt-" + id, id, 1 + i % 3);
        next = shop.count();
        const auto start = Clock::now();
        auto token = shop.publish(in, payload);
        auto status = wait_for_status(shop, next, id, Clock::now() + 20s);
        if (status && is_accepted(*status)) {
            f.latency_ms.push_back(ms_between(start, status->at));
        } else {
            ++f.latency_missing;
        }
        token->wait();
    }
    f.latency_cpu_ms = process_cpu_ms(packd.pid()) - cpu_before;

    // 3': one order at a time from the no-delay client.
    {
        NoDelayClient fast(broker, "bench-shop-nodelay-" + std::to_string(::getpid()) + "-" + tag);
        fast.subscribe("packd/v1/it/out/orders/+/status");
        cpu_before = process_cpu_ms(packd.pid());
        for (int i = 0; i < sizes.latency_orders; ++i) {
            const std::string id = std::string("N").append(std::to_string(i));
            const auto start = Clock::now();
            fast.publish(in, order_json("evt-" + id, id, 1 + i % 3));
            const std::string topic = "packd/v1/it/out/orders/" + id + "/status";
            bool accepted = false;
            auto at = fast.wait_for(
                [&](const std::string& t, const std::string& payload) {
                    if (t != topic) {
                        return false;
                    }
                    accepted = is_accepted(Arrival{t, payload, Clock::now()});
                    return true;
                },
                Clock::now() + 20s);
            if (at && accepted) {
                f.nodelay_latency_ms.push_back(ms_between(start, *at));
            } else {
                ++f.nodelay_missing;
            }
        }
        f.nodelay_cpu_ms = process_cpu_ms(packd.pid()) - cpu_before;
    }

    // 4: a burst, published as fast as the client takes it.
    f.burst = printer ? sizes.burst_orders_printer : sizes.burst_orders;
    std::vector<std::string> payloads;
    for (int i = 0; i < f.burst; ++i) {
        const std::string id = std::string("B").append(std::to_string(i));
        payloads.push_back(order_json("evt-" + id, id, 1 + i % 3));
    }
    const size_t first = shop.count();
    std::vector<Clock::time_point> sent(static_cast<size_t>(f.burst));
    std::vector<mqtt::delivery_token_ptr> tokens;
    tokens.reserve(payloads.size());
    cpu_before = process_cpu_ms(packd.pid());
    const auto start = Clock::now();
    for (size_t i = 0; i < payloads.size(); ++i) {
        sent[i] = Clock::now();
        tokens.push_back(shop.publish(in, payloads[i]));
    }
    f.burst_publish_ms = ms_between(start, Clock::now());
    // Done when every order has a status, or when none came for 30 s.
    std::set<std::string> answered;
    size_t read = first;
    while (answered.size() < payloads.size()) {
        if (read >= shop.count() && !shop.wait_beyond(read, Clock::now() + 30s)) {
            break;
        }
        for (; read < shop.count(); ++read) {
            const Arrival a = shop.at(read);
            const std::string id = order_of(a.topic);
            if (id.size() < 2 || id[0] != 'B' || !answered.insert(id).second) {
                continue;
            }
            if (is_accepted(a)) {
                ++f.burst_accepted;
            } else {
                ++f.burst_other;
            }
            f.burst_total_ms = ms_between(start, a.at);
            f.burst_each_ms.push_back(ms_between(sent[std::stoul(id.substr(1))], a.at));
        }
    }
    f.burst_cpu_ms = process_cpu_ms(packd.pid()) - cpu_before;
    for (auto& t : tokens) {
        t->wait();
    }

    if (printer) {
        // The warm-up order, the latency orders of both clients and the burst: one shipping label each.
        f.labels_expected = 1 + 2 * static_cast<size_t>(sizes.latency_orders) + static_cast<size_t>(f.burst);
        const auto by = Clock::now() + 60s;
        while ((f.labels_written = count_files(dir.file("labels"), ".zpl")) < f.labels_expected &&
               Clock::now() < by) {
            std::this_thread::sleep_for(20ms);
        }
        f.labels_done_ms = ms_between(start, Clock::now());
    }

    packd.signal(SIGTERM);
    packd.wait(20s);
    f.log_bytes = packd.output().size();
    return f;
}

}  // namespace packd::test::shop_link_bench
