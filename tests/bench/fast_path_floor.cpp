#include "fast_path_floor.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <stdexcept>

namespace packd::bench {

using namespace std::chrono_literals;

namespace {

// Topics of the floor runs: below a site packd does not serve, so a packd of a later run never sees them.
const std::string kEchoTopic = "packd/v1/floor/echo";
const std::string kForwardTopic = "packd/v1/floor/in/orders/orders/create";

/// Receipt times at a subscriber, in arrival order.
class Receipts {
  public:
    void add(Clock::time_point at) {
        {
            std::lock_guard lock(mutex_);
            at_.push_back(at);
        }
        changed_.notify_all();
    }
    bool wait_for(std::size_t count, Clock::time_point deadline) {
        std::unique_lock lock(mutex_);
        return changed_.wait_until(lock, deadline, [&] { return at_.size() >= count; });
    }
    std::size_t size() const {
        std::lock_guard lock(mutex_);
        return at_.size();
    }
    Clock::time_point at(std::size_t i) const {
        std::lock_guard lock(mutex_);
        return at_.at(i);
    }

  private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<Clock::time_point> at_;
};

/// The order id of a Shopify body: the value of its first "id" key (the dump sorts keys, so the top-level id
/// comes before line_items). Digits only; no JSON parse, on purpose: the forwarder does no work.
std::string first_id(const std::string& payload) {
    const std::size_t key = payload.find("\"id\":");
    if (key == std::string::npos) {
        return {};
    }
    std::size_t end = key + 5;
    while (end < payload.size() && payload[end] >= '0' && payload[end] <= '9') {
        ++end;
    }
    return payload.substr(key + 5, end - key - 5);
}

/// A blocking loopback TCP connection with TCP_NODELAY.
int connect_loopback(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        if (fd >= 0) {
            ::close(fd);
        }
        throw std::runtime_error("cannot connect to the printer on port " + std::to_string(port));
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

}  // namespace

BrokerFloor measure_broker(int port, const ShopifyOrders& orders, std::size_t one_at_a_time,
                           std::size_t flat_out, std::size_t window, pid_t broker,
                           Clock::time_point deadline) {
    BrokerFloor f;
    Receipts receipts;
    Subscriber subscriber(
        port, "bench-floor-sub-" + std::to_string(::getpid()), kEchoTopic,
        [&](const fulfillment::mqtt311::Publish&, Clock::time_point at) { receipts.add(at); });
    Publisher publisher(port, "bench-floor-pub-" + std::to_string(::getpid()), window);
    const std::string body = orders.body(bench_order_id(9, 0));
    for (std::size_t i = 0; i < one_at_a_time && Clock::now() < deadline; ++i) {
        const std::size_t before = receipts.size();
        const auto sent = publisher.publish(kEchoTopic, body, deadline);
        if (!sent || !receipts.wait_for(before + 1, std::min(deadline, Clock::now() + 5s))) {
            ++f.round_trip_missing;
            continue;
        }
        f.round_trip_ms.push_back(ms_between(*sent, receipts.at(before)));
    }
    publisher.wait_acked(deadline);
    const std::size_t first = receipts.size();
    std::vector<Clock::time_point> sent;
    const double cpu_before = process_cpu_ms(broker);
    f.flat_sent = publisher.publish_flat_out(
        flat_out, [](std::size_t) { return kEchoTopic; }, [&](std::size_t) { return body; }, sent, deadline);
    receipts.wait_for(first + f.flat_sent, std::max(deadline, Clock::now() + 10s));
    f.flat_received = receipts.size() - first;
    f.broker_cpu_ms = process_cpu_ms(broker) - cpu_before;
    if (f.flat_sent > 0 && f.flat_received > 0) {
        f.flat_ms = ms_between(sent.front(), receipts.at(first + f.flat_received - 1));
    }
    return f;
}

CommitFloor measure_commit(const std::string& folder, std::size_t commits) {
    CommitFloor f;
    const std::string path = folder + "/commit-floor.db";
    sqlite3* db = nullptr;
    const auto exec = [&](const char* sql) {
        char* err = nullptr;
        if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
            f.error = std::string(sql) + ": " + (err != nullptr ? err : "?");
            sqlite3_free(err);
            return false;
        }
        return true;
    };
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
        f.error = "cannot open " + path;
        sqlite3_close(db);
        return f;
    }
    sqlite3_stmt* insert = nullptr;
    if (exec("PRAGMA journal_mode=WAL") && exec("PRAGMA synchronous=FULL") &&
        exec("CREATE TABLE t (id INTEGER PRIMARY KEY, topic TEXT NOT NULL, payload BLOB NOT NULL)") &&
        sqlite3_prepare_v2(db, "INSERT INTO t (topic, payload) VALUES ('packd/v1/floor/in/orders', ?)", -1,
                           &insert, nullptr) == SQLITE_OK) {
        const std::string payload(64, 'x');
        for (std::size_t i = 0; i < commits; ++i) {
            const auto start = Clock::now();
            if (!exec("BEGIN IMMEDIATE")) {
                break;
            }
            sqlite3_bind_blob(insert, 1, payload.data(), static_cast<int>(payload.size()), SQLITE_STATIC);
            sqlite3_step(insert);
            sqlite3_reset(insert);
            if (!exec("COMMIT")) {
                break;
            }
            f.commit_ms.push_back(ms_between(start, Clock::now()));
        }
    }
    sqlite3_finalize(insert);
    sqlite3_close(db);
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::filesystem::remove(path + suffix, ec);
    }
    return f;
}

ForwarderFloor measure_forwarder(int port, const ShopifyOrders& orders, std::size_t paced, double rate,
                                 std::size_t flat_out, std::size_t window, std::chrono::milliseconds drain) {
    ForwarderFloor f;
    BenchPrinter printer;
    const int out = connect_loopback(printer.port());
    std::atomic<bool> broken{false};
    {
        // The handler runs on the subscriber's thread; the PUBACKs of a read go after its formats were
        // written.
        Subscriber forwarder(port, "bench-forwarder-" + std::to_string(::getpid()), kForwardTopic,
                             [&](const fulfillment::mqtt311::Publish& m, Clock::time_point) {
                                 const std::string format =
                                     "^XA^FO50,50^A0N,40,40^FD" + first_id(m.payload) + "^FS^XZ";
                                 if (::send(out, format.data(), format.size(), MSG_NOSIGNAL) !=
                                     static_cast<ssize_t>(format.size())) {
                                     broken = true;
                                 }
                             });
        Publisher publisher(port, "bench-forwarder-pub-" + std::to_string(::getpid()), window);
        const auto total = [&] { return printer.count(); };
        f.paced_log =
            publish_paced(publisher, orders, kForwardTopic, 8, paced, rate,
                          Clock::now() +
                              std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(static_cast<double>(paced) / rate)) +
                              drain);
        f.paced_complete =
            wait_until([&] { return total() >= f.paced_log.published; }, total, Clock::now() + drain, drain);
        f.paced = match_labels(f.paced_log, 8, printer.labels());
        const std::size_t before = printer.count();
        f.flat_log = publish_flat_out(publisher, orders, kForwardTopic, 9, flat_out, Clock::now() + drain);
        f.flat_complete = wait_until([&] { return total() >= before + f.flat_log.published; }, total,
                                     Clock::now() + drain, drain);
        f.flat = match_labels(f.flat_log, 9, printer.labels(before));
    }
    ::close(out);
    if (broken) {
        throw std::runtime_error("the forwarder lost its printer connection");
    }
    return f;
}

}  // namespace packd::bench
