// The shop link benchmark: how fast the real packd turns an order published on the broker into a committed
// order and its "accepted" status message back to the shop, next to the floor that the broker alone sets in
// the same run (a client publishing to a topic it subscribes to). It prints figures and asserts nothing;
// docs/PERFORMANCE.md says how to read them.
//
//   packd_shop_link_bench [--quick]
//
// It starts a private mosquitto on a free loopback port and, twice, the real packd binary in a fresh folder
// under /tmp: once with a file label printer (every order renders a label, ZPL and PNG, and the printer
// writes both into a folder), once without a printer (the store and MQTT path alone).

#include <poll.h>
#include <sqlite3.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <mqtt/async_client.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "bench_report.hpp"
#include "packd/fulfillment/shop/mqtt/mqtt_packet.hpp"
#include "test_env.hpp"

namespace packd::test {
namespace {

using Clock = std::chrono::steady_clock;
using namespace packd::bench;
using namespace std::chrono_literals;

struct Sizes {
    int floor_round_trips = 2000;  ///< broker floor: one message at a time
    int floor_burst = 5000;        ///< broker floor: published without waiting
    int latency_orders = 300;      ///< orders published one at a time, each waiting for its status
    int burst_orders = 3000;       ///< orders published without waiting
    /// With a label printer packd renders a label per order (tens of ms of CPU): a smaller burst keeps the
    /// run near two minutes.
    int burst_orders_printer = 500;
};

Sizes quick_sizes() {
    return Sizes{400, 1000, 100, 500, 300};
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers (the same conventions as store_bench.cpp).

double ms_between(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

/// Nearest-rank percentile of latency samples in milliseconds.
double percentile(std::vector<double> samples, double p) {
    if (samples.empty()) {
        return 0;
    }
    std::sort(samples.begin(), samples.end());
    auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(samples.size())));
    rank = std::clamp<size_t>(rank, 1, samples.size());
    return samples[rank - 1];
}

double sum(const std::vector<double>& samples) {
    double total = 0;
    for (double v : samples) {
        total += v;
    }
    return total;
}

std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        const auto colon = line.find(':');
        if (line.rfind("model name", 0) == 0 && colon != std::string::npos && colon + 2 <= line.size()) {
            return line.substr(colon + 2);
        }
    }
    return "unknown";
}

std::string load_average() {
    std::ifstream in("/proc/loadavg");
    std::string one, five, fifteen;
    in >> one >> five >> fifteen;
    return one + " " + five + " " + fifteen;
}

std::string kernel() {
    struct utsname u {};
    if (::uname(&u) != 0) {
        return "unknown";
    }
    return std::string(u.sysname) + " " + u.release + " " + u.machine;
}

/// The file system type and device of the mount that holds `folder`.
std::string filesystem_of(const std::filesystem::path& folder) {
    std::error_code ec;
    const std::string real = std::filesystem::canonical(folder, ec).string();
    std::ifstream mounts("/proc/self/mounts");
    std::string device, point, type, rest;
    std::string best_point, best;
    while (mounts >> device >> point >> type && std::getline(mounts, rest)) {
        const bool prefix = real.compare(0, point.size(), point) == 0 &&
                            (point == "/" || real.size() == point.size() || real[point.size()] == '/');
        if (prefix && point.size() >= best_point.size()) {
            best_point = point;
            best = type + " (" + device + " on " + point + ")";
        }
    }
    return best.empty() ? "unknown" : best;
}

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

/// User plus system CPU time of a process in milliseconds, from /proc/PID/stat.
double process_cpu_ms(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto paren = text.rfind(')');
    if (paren == std::string::npos) {
        return 0;
    }
    std::istringstream fields(text.substr(paren + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
        if (i == 14 || i == 15) {  // utime, stime
            ticks += std::stod(field);
        }
    }
    return ticks * 1000.0 / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

size_t count_files(const std::string& folder, const std::string& suffix) {
    size_t n = 0;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() >= suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
            ++n;
        }
    }
    return n;
}

// ---------------------------------------------------------------------------------------------------------
// A broker client that notes when each message arrives. The callback runs on Paho's thread: it only copies
// the message and the time and wakes the waiter.

struct Arrival {
    std::string topic;
    std::string payload;
    Clock::time_point at;
};

class TimedClient {
  public:
    /// Publishes the client has taken but not yet sent; Paho's default (100) refuses a burst.
    static constexpr int kMaxBuffered = 10000;

    TimedClient(const Broker& broker, const std::string& client_id)
        : client_(broker.uri(), client_id, kMaxBuffered, nullptr) {
        client_.set_message_callback([this](mqtt::const_message_ptr msg) {
            const auto now = Clock::now();
            {
                std::lock_guard<std::mutex> lock(mutex_);
                arrivals_.push_back({msg->get_topic(), msg->get_payload_str(), now});
            }
            changed_.notify_all();
        });
        client_.connect(mqtt::connect_options_builder().clean_session(true).finalize())->wait();
    }
    ~TimedClient() {
        try {
            client_.disconnect()->wait();
        } catch (const mqtt::exception&) {
        }
    }
    TimedClient(const TimedClient&) = delete;
    TimedClient& operator=(const TimedClient&) = delete;

    void subscribe(const std::string& filter) { client_.subscribe(filter, 1)->wait(); }
    mqtt::delivery_token_ptr publish(const std::string& topic, const std::string& payload) {
        return client_.publish(mqtt::make_message(topic, payload, 1, false));
    }
    size_t count() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return arrivals_.size();
    }
    /// Waits until more than `seen` messages have arrived; false on timeout.
    bool wait_beyond(size_t seen, Clock::time_point deadline) const {
        std::unique_lock<std::mutex> lock(mutex_);
        return changed_.wait_until(lock, deadline, [&] { return arrivals_.size() > seen; });
    }
    Arrival at(size_t i) const {
        std::lock_guard<std::mutex> lock(mutex_);
        return arrivals_.at(i);
    }

  private:
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::vector<Arrival> arrivals_;
    mqtt::async_client client_;
};

/// A shop client without Nagle's algorithm: one blocking TCP socket with TCP_NODELAY, speaking MQTT 3.1.1
/// through packd's own packet codec. Paho's C client leaves Nagle on, so a small PUBLISH written right after
/// its PUBACK of the previous status waits for the broker's delayed ACK (about 40 ms on Linux); this client
/// shows what packd and the broker take without that wait.
class NoDelayClient {
  public:
    NoDelayClient(const Broker& broker, const std::string& client_id) : socket_(io_), reader_(1 << 20) {
        namespace ip = boost::asio::ip;
        socket_.connect(
            ip::tcp::endpoint(ip::make_address("127.0.0.1"), static_cast<uint16_t>(broker.port())));
        socket_.set_option(ip::tcp::no_delay(true));
        fulfillment::mqtt311::ConnectRequest request;
        request.client_id = client_id;
        request.clean_session = true;
        request.keepalive_s = 60;
        write(fulfillment::mqtt311::encode_connect(request));
        auto ack = next_packet(Clock::now() + 10s);
        if (!ack || !std::holds_alternative<fulfillment::mqtt311::Connack>(*ack)) {
            throw std::runtime_error("no-delay client: no CONNACK");
        }
    }
    void subscribe(const std::string& filter) {
        write(fulfillment::mqtt311::encode_subscribe(1, filter, 1));
        while (true) {
            auto p = next_packet(Clock::now() + 10s);
            if (!p) {
                throw std::runtime_error("no-delay client: no SUBACK");
            }
            if (std::holds_alternative<fulfillment::mqtt311::Suback>(*p)) {
                return;
            }
        }
    }
    void publish(const std::string& topic, const std::string& payload) {
        next_id_ = static_cast<uint16_t>(next_id_ % 65535 + 1);
        write(fulfillment::mqtt311::encode_publish(topic, payload, 1, next_id_));
    }
    /// Reads until a message on a topic that `wanted` accepts arrives; acknowledges every message. The time
    /// it arrived, or nothing by the deadline.
    template <class Wanted>
    std::optional<Clock::time_point> wait_for(Wanted wanted, Clock::time_point deadline) {
        while (true) {
            auto p = next_packet(deadline);
            if (!p) {
                return std::nullopt;
            }
            if (const auto* m = std::get_if<fulfillment::mqtt311::Publish>(&*p)) {
                const auto at = Clock::now();
                if (m->qos > 0) {
                    write(fulfillment::mqtt311::encode_puback(m->packet_id));
                }
                if (wanted(m->topic, m->payload)) {
                    return at;
                }
            }
        }
    }

  private:
    void write(const std::string& bytes) { boost::asio::write(socket_, boost::asio::buffer(bytes)); }

    std::optional<fulfillment::mqtt311::BrokerPacket> next_packet(Clock::time_point deadline) {
        while (true) {
            auto p = reader_.next();
            if (!p) {
                throw std::runtime_error("no-delay client: " + p.error().message);
            }
            if (*p) {
                return std::move(**p);
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            pollfd fd{socket_.native_handle(), POLLIN, 0};
            if (left.count() <= 0 || ::poll(&fd, 1, static_cast<int>(left.count())) <= 0) {
                return std::nullopt;
            }
            std::array<char, 65536> buffer{};
            const std::size_t n = socket_.read_some(boost::asio::buffer(buffer));
            reader_.feed(std::string_view(buffer.data(), n));
        }
    }

    boost::asio::io_context io_;
    boost::asio::ip::tcp::socket socket_;
    fulfillment::mqtt311::PacketReader reader_;
    uint16_t next_id_ = 0;
};

// ---------------------------------------------------------------------------------------------------------
// 1: the broker floor.

struct FloorFigures {
    std::vector<double> round_trip_ms;
    std::vector<double> nodelay_round_trip_ms;  ///< the same with the no-delay client
    int burst = 0;
    int burst_received = 0;
    double burst_publish_ms = 0;  ///< until the last publish() call returned
    double burst_total_ms = 0;    ///< until the last message arrived
};

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

const std::vector<std::string> kSkus = {"BENCH-MUG", "BENCH-TEE", "BENCH-CAP"};
constexpr int kStockPerSku = 100000;

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

struct PackdFigures {
    bool printer = false;
    std::vector<double> latency_ms;
    int latency_missing = 0;
    std::vector<double> nodelay_latency_ms;  ///< the same orders' path with the no-delay client
    int nodelay_missing = 0;
    double nodelay_cpu_ms = 0;
    double latency_cpu_ms = 0;  ///< packd's CPU time over the latency phase
    int burst = 0;
    int burst_accepted = 0;
    int burst_other = 0;  ///< status messages of burst orders with a state other than "accepted"
    double burst_publish_ms = 0;
    double burst_total_ms = 0;          ///< first publish to the last status message
    std::vector<double> burst_each_ms;  ///< per order: its publish to its status, inside the burst
    double burst_cpu_ms = 0;
    size_t labels_expected = 0;
    size_t labels_written = 0;
    double labels_done_ms = 0;  ///< first burst publish until the printer folder held every label
    size_t log_bytes = 0;
};

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

// ---------------------------------------------------------------------------------------------------------
// The report.

void add_packd_rows(std::vector<Row>& rows, const PackdFigures& f, const FloorFigures& floor) {
    const std::string which = f.printer ? "L" : "N";
    const std::string variant = f.printer ? "with file printer" : "no printer";
    const double floor_p50 = percentile(floor.round_trip_ms, 50);
    const double p50 = percentile(f.latency_ms, 50);
    const double n = static_cast<double>(f.latency_ms.size());
    std::string notes = fixed(p50 / std::max(1e-9, floor_p50), 1) + "x floor p50; packd CPU " +
                        fixed(f.latency_cpu_ms / std::max(1.0, n), 2) + " ms/order";
    if (f.latency_missing > 0) {
        notes += "; " + std::to_string(f.latency_missing) + " without an accepted status in 20 s";
    }
    rows.push_back({"3" + which, "order to status, one at a time, " + variant,
                    std::to_string(f.latency_ms.size()),
                    rate_text(n * 1000.0 / std::max(1e-9, sum(f.latency_ms)), "orders"), ms_text(p50),
                    ms_text(percentile(f.latency_ms, 99)), notes});
    const double fast_floor_p50 = percentile(floor.nodelay_round_trip_ms, 50);
    const double fast_p50 = percentile(f.nodelay_latency_ms, 50);
    const double fast_n = static_cast<double>(f.nodelay_latency_ms.size());
    notes = fixed(fast_p50 / std::max(1e-9, fast_floor_p50), 1) + "x floor 1c p50; packd CPU " +
            fixed(f.nodelay_cpu_ms / std::max(1.0, fast_n), 2) + " ms/order";
    if (f.nodelay_missing > 0) {
        notes += "; " + std::to_string(f.nodelay_missing) + " without an accepted status in 20 s";
    }
    rows.push_back({"3" + which + "'", "the same, shop client without Nagle",
                    std::to_string(f.nodelay_latency_ms.size()),
                    rate_text(fast_n * 1000.0 / std::max(1e-9, sum(f.nodelay_latency_ms)), "orders"),
                    ms_text(fast_p50), ms_text(percentile(f.nodelay_latency_ms, 99)), notes});
    const int answered = f.burst_accepted + f.burst_other;
    notes = std::to_string(f.burst_accepted) + "/" + std::to_string(f.burst) + " accepted";
    if (f.burst_other > 0) {
        notes += ", " + std::to_string(f.burst_other) + " other states";
    }
    if (answered < f.burst) {
        notes += ", " + std::to_string(f.burst - answered) + " MISSING";
    }
    notes += "; publishing took " + ms_text(f.burst_publish_ms) + ", last status after " +
             fixed(f.burst_total_ms / 1000.0, 2) + " s; packd CPU " +
             fixed(f.burst_cpu_ms / std::max(1, answered), 2) + " ms/order";
    if (f.printer) {
        notes += "; " + std::to_string(f.labels_written) + "/" + std::to_string(f.labels_expected) +
                 " labels in the folder after " + fixed(f.labels_done_ms / 1000.0, 2) + " s";
    }
    rows.push_back(
        {"4" + which, "burst, publish to last status, " + variant, std::to_string(f.burst),
         rate_text(static_cast<double>(answered) * 1000.0 / std::max(1e-9, f.burst_total_ms), "orders"),
         ms_text(percentile(f.burst_each_ms, 50)), ms_text(percentile(f.burst_each_ms, 99)), notes});
}

void usage(std::ostream& out) {
    out << "usage: packd_shop_link_bench [--quick]\n"
           "  --quick   a smaller run (400 + 1,000 floor messages, 100 orders one at a time, bursts of 300 "
           "and 500)\n";
}

int bench_main(int argc, char** argv) {
    bool quick = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--quick") {
            quick = true;
        } else if (arg == "--dir" && i + 1 < argc) {
            ++i;  // scripts/bench passes its arguments to every program; this one always works under /tmp
        } else if (arg == "--help" || arg == "-h") {
            usage(std::cout);
            return 0;
        } else {
            std::cerr << "packd_shop_link_bench: unknown argument \"" << arg << "\"\n";
            usage(std::cerr);
            return 2;
        }
    }
    const Sizes sizes = quick ? quick_sizes() : Sizes{};
    const auto run_start = Clock::now();
    const std::string mosquitto = first_line(run({"mosquitto", "-h"}, 10s).output);

    std::cout << "packd shop link benchmark" << (quick ? " (--quick)" : "") << "\n"
              << "  cpu:        " << cpu_model() << ", " << ::sysconf(_SC_NPROCESSORS_ONLN) << " online\n"
              << "  kernel:     " << kernel() << "\n"
              << "  load:       " << load_average() << " (1, 5, 15 min) at the start\n"
              << "  filesystem: " << filesystem_of(std::filesystem::temp_directory_path())
              << " (packd's store)\n"
              << "  sqlite:     " << sqlite3_libversion()
              << " (this program's; packd links the same library)\n"
              << "  broker:     " << mosquitto << ", QoS 1, loopback\n"
              << "  client:     " << mqtt::VERSION_STR << "\n"
              << "  packd:      " << packd_binary() << "\n"
              << "  compiler:   " << __VERSION__
#ifdef NDEBUG
              << ", NDEBUG"
#else
              << ", assertions on (not a Release build: figures are pessimistic)"
#endif
              << "\n"
              << std::flush;

    // The test broker config: max_queued_messages 100000 and set_tcp_nodelay true, as docs/mqtt.md
    // recommends for packd's broker.
    Broker broker;
    const std::string sample = order_json("evt-floor", "F1", 2);
    std::cout << "running 1: broker floor (" << sizes.floor_round_trips << " round trips, burst of "
              << sizes.floor_burst << ", " << sample.size() << "-byte payload) ..." << std::endl;
    const FloorFigures floor = run_floor(broker, sizes, sample);
    std::cout << "running 2-4 with a file printer (" << sizes.latency_orders
              << " orders one at a time, burst of " << sizes.burst_orders_printer << ") ..." << std::endl;
    const PackdFigures labels = run_packd(broker, sizes, true, "labels");
    std::cout << "running 2-4 without a printer (burst of " << sizes.burst_orders << ") ..." << std::endl;
    const PackdFigures bare = run_packd(broker, sizes, false, "bare");

    std::vector<Row> rows;
    const double floor_n = static_cast<double>(floor.round_trip_ms.size());
    rows.push_back({"1a", "broker floor: publish to own subscription, one at a time",
                    std::to_string(floor.round_trip_ms.size()),
                    rate_text(floor_n * 1000.0 / std::max(1e-9, sum(floor.round_trip_ms)), "msgs"),
                    ms_text(percentile(floor.round_trip_ms, 50)),
                    ms_text(percentile(floor.round_trip_ms, 99)), "QoS 1 both ways"});
    const double fast_floor_n = static_cast<double>(floor.nodelay_round_trip_ms.size());
    rows.push_back(
        {"1c", "broker floor: the same, client without Nagle",
         std::to_string(floor.nodelay_round_trip_ms.size()),
         rate_text(fast_floor_n * 1000.0 / std::max(1e-9, sum(floor.nodelay_round_trip_ms)), "msgs"),
         ms_text(percentile(floor.nodelay_round_trip_ms, 50)),
         ms_text(percentile(floor.nodelay_round_trip_ms, 99)), "QoS 1 both ways, TCP_NODELAY"});
    std::string burst_notes = "publishing took " + ms_text(floor.burst_publish_ms);
    if (floor.burst_received < floor.burst) {
        burst_notes += "; " + std::to_string(floor.burst - floor.burst_received) + " MISSING";
    }
    rows.push_back(
        {"1b", "broker floor: burst, publish to last receipt", std::to_string(floor.burst),
         rate_text(static_cast<double>(floor.burst_received) * 1000.0 / std::max(1e-9, floor.burst_total_ms),
                   "msgs"),
         "-", "-", burst_notes});
    add_packd_rows(rows, labels, floor);
    add_packd_rows(rows, bare, floor);

    std::cout << "\n";
    print_table(rows);
    std::cout
        << "\n  L: [labels] printer = a file printer: every order also renders its shipping label (ZPL and "
           "PNG)\n"
        << "     in the order's transaction, and the printer writes both files into a folder afterwards\n"
        << "  N: no [labels] printer and no [printers]: the store and MQTT path alone\n"
        << "  3: publish start to the arrival of the order's \"accepted\" status message at the shop client\n"
        << "  ': a client with TCP_NODELAY on packd's own MQTT codec instead of Paho (which leaves Nagle "
           "on)\n"
        << "  4: orders/s = status messages / (first publish to last status); p50/p99 per order inside the "
           "burst\n"
        << "  packd log: " << labels.log_bytes << " + " << bare.log_bytes << " bytes (log level warning)\n"
        << "  load at the end: " << load_average() << "\n"
        << "  total run: " << fixed(ms_between(run_start, Clock::now()) / 1000.0, 1) << " s\n";
    return 0;
}

}  // namespace
}  // namespace packd::test

int main(int argc, char** argv) {
    try {
        return packd::test::bench_main(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "packd_shop_link_bench: " << e.what() << "\n";
        return 1;
    }
}
