// The store benchmark: how fast the SQLite store makes movements and orders durable on this machine, next
// to the floor that a bare SQLite commit with the same settings sets on the same disk, how long a large
// store takes to open and how much memory a process holding a large catalogue needs. It prints figures and
// asserts nothing; docs/PERFORMANCE.md says how to read them.
//
//   packd_store_bench [--quick] [--dir FOLDER]
//
// Every run works in a fresh folder made under /tmp (or under FOLDER, to measure that disk) and removes it
// at the end.

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bench_report.hpp"
#include "packd/fulfillment/domain/topics.hpp"
#include "packd/fulfillment/inventory/inventory.hpp"
#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/orders/order_event.hpp"
#include "packd/fulfillment/store/sqlite.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace packd::fulfillment {
namespace {

using Clock = std::chrono::steady_clock;
using namespace packd::bench;

// ---------------------------------------------------------------------------------------------------------
// Sizes of one run.

struct Sizes {
    int commits = 2000;            ///< durable commits for the floor and for single movements, each
    int batches = 50;              ///< transactions of batch_size movements
    int batch_size = 1000;         ///< movements per transaction (group commit)
    int orders = 500;              ///< orders created and shipped, two commits each
    int open_movements = 1000000;  ///< movements in the store whose open time is measured
    int open_skus = 10000;         ///< SKUs those movements are spread over
    int rss_skus = 100000;         ///< products (one stock row each) in the memory run
    int rss_lookups = 1000;        ///< Inventory::level calls on random SKUs in the memory run
};

Sizes quick_sizes() {
    Sizes s;
    s.commits = 400;
    s.batches = 10;
    s.orders = 100;
    s.open_movements = 100000;
    s.open_skus = 2000;
    s.rss_skus = 20000;
    return s;
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers.

[[noreturn]] void die(const std::string& what) {
    throw std::runtime_error(what);
}

void need(const Status& status, std::string_view what) {
    if (!status) {
        die(std::string(what) + ": " + status.error().message);
    }
}

template <class T>
T need(Result<T> result, std::string_view what) {
    if (!result) {
        die(std::string(what) + ": " + result.error().message);
    }
    return std::move(result).value();
}

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

/// CPU time of this thread (user and system) in milliseconds: what the work costs, without the time spent
/// waiting for the disk or for a core.
double thread_cpu_ms() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

/// Wall and CPU time since construction.
class Stopwatch {
  public:
    double wall_ms() const { return ms_since(wall_); }
    double cpu_ms() const { return thread_cpu_ms() - cpu_; }

  private:
    Clock::time_point wall_ = Clock::now();
    double cpu_ = thread_cpu_ms();
};

/// Latency samples in milliseconds; percentiles by nearest rank over the sorted samples.
class Samples {
  public:
    void add(double ms, double cpu_ms = 0) {
        ms_.push_back(ms);
        cpu_ms_ += cpu_ms;
    }
    void add(const Stopwatch& watch) { add(watch.wall_ms(), watch.cpu_ms()); }
    size_t count() const { return ms_.size(); }
    /// Mean CPU time per sample in microseconds.
    double cpu_us_each() const {
        return ms_.empty() ? 0 : cpu_ms_ * 1000.0 / static_cast<double>(ms_.size());
    }
    double total_ms() const {
        double sum = 0;
        for (double v : ms_) {
            sum += v;
        }
        return sum;
    }
    double percentile(double p) const {
        if (ms_.empty()) {
            return 0;
        }
        std::vector<double> sorted = ms_;
        std::sort(sorted.begin(), sorted.end());
        auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
        rank = std::clamp<size_t>(rank, 1, sorted.size());
        return sorted[rank - 1];
    }
    /// Events per second over the time spent inside the measured calls.
    double per_second(double events) const {
        const double total = total_ms();
        return total > 0 ? events * 1000.0 / total : 0;
    }

  private:
    std::vector<double> ms_;
    double cpu_ms_ = 0;
};

std::string mb_text(double bytes) {
    return fixed(bytes / (1024.0 * 1024.0), 1) + " MB";
}

std::string thousands(int64_t n) {
    std::string digits = std::to_string(n);
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) {
            out += ',';
        }
        out += digits[i];
    }
    return out;
}

std::string numbered(std::string_view prefix, int n, int width) {
    std::string digits = std::to_string(n);
    if (digits.size() < static_cast<size_t>(width)) {
        digits.insert(0, static_cast<size_t>(width) - digits.size(), '0');
    }
    return std::string(prefix) + digits;
}

std::string sku_of(int i) {
    return numbered("SKU-", i, 6);
}
std::string bin_of(int i) {
    return numbered("BIN-", i, 3);
}

// ---------------------------------------------------------------------------------------------------------
// The machine.

std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    std::string fallback;
    while (std::getline(in, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) {
            continue;
        }
        std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
        std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : std::string();
        if (key == "model name") {
            return value;
        }
        if ((key == "Model" || key == "Hardware" || key == "cpu model") && fallback.empty()) {
            fallback = value;  // ARM boards name the board or SoC here
        }
    }
    return fallback.empty() ? "unknown" : fallback;
}

std::string filesystem_of(const std::string& folder) {
    // The mount that holds the folder is the longest mount point that prefixes its real path.
    std::error_code ec;
    const std::string real = std::filesystem::canonical(folder, ec).string();
    std::ifstream mounts("/proc/self/mounts");
    std::string device, point, type, rest;
    std::string best_point, best_device, best_type;
    while (mounts >> device >> point >> type && std::getline(mounts, rest)) {
        const bool prefix = real.compare(0, point.size(), point) == 0 &&
                            (point == "/" || real.size() == point.size() || real[point.size()] == '/');
        if (prefix && point.size() >= best_point.size()) {
            best_point = point;
            best_device = device;
            best_type = type;
        }
    }
    std::string out =
        best_type.empty() ? "unknown" : best_type + " (" + best_device + " on " + best_point + ")";
    struct statfs fs {};
    if (::statfs(folder.c_str(), &fs) == 0) {
        char magic[32];
        std::snprintf(magic, sizeof magic, "0x%lx", static_cast<unsigned long>(fs.f_type));
        out += ", statfs type " + std::string(magic);
    }
    return out;
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

struct ProcMemory {
    int64_t rss_kb = 0;
    int64_t hwm_kb = 0;
};

ProcMemory proc_memory() {
    std::ifstream in("/proc/self/status");
    std::string line;
    ProcMemory m;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            m.rss_kb = std::stoll(line.substr(6));
        } else if (line.rfind("VmHWM:", 0) == 0) {
            m.hwm_kb = std::stoll(line.substr(6));
        }
    }
    return m;
}

int64_t file_size(const std::string& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    return ec ? 0 : static_cast<int64_t>(size);
}

/// Asks the kernel to drop a file's pages from the page cache, so that the next read comes from the disk.
void evict_from_page_cache(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return;
    }
    ::fdatasync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
}

/// A fresh folder for one run, removed with everything in it at the end.
class RunFolder {
  public:
    explicit RunFolder(const std::string& parent) {
        std::string tmpl = parent + "/packd-bench-XXXXXX";
        if (::mkdtemp(tmpl.data()) == nullptr) {
            die("cannot make a folder under " + parent + ": " + std::strerror(errno));
        }
        path_ = tmpl;
    }
    ~RunFolder() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    RunFolder(const RunFolder&) = delete;
    RunFolder& operator=(const RunFolder&) = delete;
    const std::string& path() const { return path_; }
    std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

  private:
    std::string path_;
};

// ---------------------------------------------------------------------------------------------------------
// The store with a catalogue.

std::unique_ptr<Store> open_store(const std::string& path) {
    return need(Store::open(path), "opening " + path);
}

std::string pragma_text(Database& db, std::string_view pragma) {
    auto st = db.prepare(std::string("PRAGMA ") + std::string(pragma));
    return st.step() ? st.text(0) : std::string();
}

Movement receive(const std::string& sku, const std::string& location, int64_t quantity) {
    Movement m;
    m.sku = sku;
    m.location = location;
    m.delta = quantity;
    m.reason = MovementReason::receive;
    m.reference = "PO-4711";
    m.station = "RECV-1";
    m.operator_name = "bench";
    return m;
}

struct Catalogue {
    int skus = 100;
    int bins = 10;
    int64_t reorder_point = 10;    ///< > 0: every movement runs the full reorder check
    int64_t initial_stock = 1000;  ///< received per SKU, well above the reorder point
    int per_transaction = 5000;
};

/// Bins, products and one receive movement per product, in batches.
void stock_catalogue(Store& store, Inventory& inventory, const Catalogue& c) {
    {
        Transaction tx(store.db());
        for (int b = 0; b < c.bins; ++b) {
            need(inventory.put_location(bin_of(b), "bin"), "put_location");
        }
        tx.commit();
    }
    for (int first = 0; first < c.skus; first += c.per_transaction) {
        Transaction tx(store.db());
        for (int i = first; i < std::min(c.skus, first + c.per_transaction); ++i) {
            Product p;
            p.sku = sku_of(i);
            p.name = "Article " + std::to_string(i) + ", 250 ml";
            p.unit_weight_g = 250 + i % 500;
            p.reorder_point = c.reorder_point;
            p.reorder_qty = c.reorder_point * 5;
            need(inventory.put_product(p), "put_product");
            need(inventory.record(receive(p.sku, bin_of(i % c.bins), c.initial_stock)), "receive");
        }
        tx.commit();
    }
}

// ---------------------------------------------------------------------------------------------------------
// 1 and 2: the floor and single durable movements, taking turns so that both see the same disk.

/// A bare SQLite connection with the settings Database::open uses, two tables and two prepared statements.
class FloorDatabase {
  public:
    explicit FloorDatabase(const std::string& path) {
        check(sqlite3_open_v2(path.c_str(), &db_,
                              SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr),
              "open");
        sqlite3_extended_result_codes(db_, 1);
        sqlite3_busy_timeout(db_, 5000);
        exec("PRAGMA journal_mode=WAL");
        exec("PRAGMA synchronous=FULL");
        exec("PRAGMA foreign_keys=ON");
        exec(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, at TEXT NOT NULL, sku TEXT NOT NULL, delta INTEGER NOT "
            "NULL,"
            " note TEXT NOT NULL)");
        exec("CREATE TABLE u (sku TEXT PRIMARY KEY, on_hand INTEGER NOT NULL) WITHOUT ROWID");
        exec(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99) "
            "INSERT INTO u (sku, on_hand) SELECT printf('SKU-%06d', i), 1000 FROM n");
        check(sqlite3_prepare_v3(db_,
                                 "INSERT INTO t (at, sku, delta, note) VALUES "
                                 "(strftime('%Y-%m-%dT%H:%M:%fZ','now'), ?, ?, 'PO-4711')",
                                 -1, SQLITE_PREPARE_PERSISTENT, &insert_, nullptr),
              "prepare insert");
        check(sqlite3_prepare_v3(db_, "UPDATE u SET on_hand = on_hand + ? WHERE sku = ?", -1,
                                 SQLITE_PREPARE_PERSISTENT, &update_, nullptr),
              "prepare update");
    }
    ~FloorDatabase() {
        sqlite3_finalize(insert_);
        sqlite3_finalize(update_);
        sqlite3_close_v2(db_);
    }
    FloorDatabase(const FloorDatabase&) = delete;
    FloorDatabase& operator=(const FloorDatabase&) = delete;

    /// One durable commit: BEGIN IMMEDIATE; INSERT INTO t; UPDATE u; COMMIT.
    void commit_one(const std::string& sku) {
        exec("BEGIN IMMEDIATE");
        sqlite3_bind_text(insert_, 1, sku.data(), static_cast<int>(sku.size()), SQLITE_TRANSIENT);
        sqlite3_bind_int64(insert_, 2, 1);
        step_done(insert_, "insert");
        sqlite3_bind_int64(update_, 1, 1);
        sqlite3_bind_text(update_, 2, sku.data(), static_cast<int>(sku.size()), SQLITE_TRANSIENT);
        step_done(update_, "update");
        exec("COMMIT");
    }

    std::string pragma(std::string_view name) {
        sqlite3_stmt* st = nullptr;
        const std::string sql = "PRAGMA " + std::string(name);
        check(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), "prepare pragma");
        std::string out;
        if (sqlite3_step(st) == SQLITE_ROW) {
            out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        }
        sqlite3_finalize(st);
        return out;
    }

  private:
    void check(int rc, std::string_view what) {
        if (rc != SQLITE_OK) {
            die("floor " + std::string(what) + ": " +
                (db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc)));
        }
    }
    void exec(const char* sql) {
        char* err = nullptr;
        if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
            std::string why = err != nullptr ? err : "unknown error";
            sqlite3_free(err);
            die("floor: " + std::string(sql) + ": " + why);
        }
    }
    void step_done(sqlite3_stmt* st, std::string_view what) {
        if (sqlite3_step(st) != SQLITE_DONE) {
            die("floor " + std::string(what) + ": " + sqlite3_errmsg(db_));
        }
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }

    sqlite3* db_ = nullptr;
    sqlite3_stmt* insert_ = nullptr;
    sqlite3_stmt* update_ = nullptr;
};

struct CommitFigures {
    Samples floor;
    Samples single;
    std::string floor_pragmas;
    std::string store_pragmas;
};

CommitFigures run_commits(const RunFolder& folder, const Sizes& sizes) {
    CommitFigures out;
    FloorDatabase floor(folder.file("floor.db"));
    out.floor_pragmas =
        "journal_mode=" + floor.pragma("journal_mode") + " synchronous=" + floor.pragma("synchronous");

    auto store = open_store(folder.file("single.db"));
    Inventory inventory(*store, Topics("packd", "bench"));
    Catalogue catalogue;
    stock_catalogue(*store, inventory, catalogue);
    out.store_pragmas = "journal_mode=" + pragma_text(store->db(), "journal_mode") +
                        " synchronous=" + pragma_text(store->db(), "synchronous");

    std::vector<std::string> skus;
    std::vector<std::string> bins;
    for (int i = 0; i < catalogue.skus; ++i) {
        skus.push_back(sku_of(i));
    }
    for (int b = 0; b < catalogue.bins; ++b) {
        bins.push_back(bin_of(b));
    }
    auto floor_commit = [&](int i) { floor.commit_one(skus[static_cast<size_t>(i % catalogue.skus)]); };
    auto store_commit = [&](int i) {
        const auto s = static_cast<size_t>(i % catalogue.skus);
        Transaction tx(store->db());
        need(inventory.record(receive(skus[s], bins[s % bins.size()], 1)), "record");
        tx.commit();
    };
    // Warm-up: the first commits create the WAL and fill the caches.
    for (int i = 0; i < 20; ++i) {
        floor_commit(i);
        store_commit(i);
    }
    // One floor commit and one store commit in turn (which goes first alternates), so that both see the
    // same disk: a virtual disk's flush time can change several-fold from one minute to the next.
    for (int i = 0; i < sizes.commits; ++i) {
        for (int turn = 0; turn < 2; ++turn) {
            const Stopwatch watch;
            if ((turn + i) % 2 == 0) {
                floor_commit(i);
                out.floor.add(watch);
            } else {
                store_commit(i);
                out.single.add(watch);
            }
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------
// 3: batched movements (group commit).

struct BatchFigures {
    Samples batches;
    int64_t movements = 0;
};

BatchFigures run_batches(const RunFolder& folder, const Sizes& sizes) {
    BatchFigures out;
    auto store = open_store(folder.file("batched.db"));
    Inventory inventory(*store, Topics("packd", "bench"));
    Catalogue catalogue;
    stock_catalogue(*store, inventory, catalogue);
    std::vector<Movement> movements;
    for (int i = 0; i < catalogue.skus; ++i) {
        movements.push_back(receive(sku_of(i), bin_of(i % catalogue.bins), 1));
    }
    for (int b = 0; b < sizes.batches + 1; ++b) {
        const Stopwatch watch;
        Transaction tx(store->db());
        for (int i = 0; i < sizes.batch_size; ++i) {
            need(inventory.record(movements[static_cast<size_t>(i % catalogue.skus)]), "record");
        }
        tx.commit();
        if (b > 0) {  // the first batch warms up
            out.batches.add(watch);
            out.movements += sizes.batch_size;
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------
// 4: reserve and ship three-line orders.

struct OrderFigures {
    Samples order;   ///< create + ship
    Samples create;  ///< create, its own commit
    Samples ship;    ///< ship, its own commit
};

OrderEvent order_event(int i, int skus) {
    OrderEvent ev;
    ev.event_id = numbered("evt-", i, 8);
    ev.type = "order.created";
    ev.order_id = numbered("SO-", i, 8);
    ev.lines = {{sku_of(i % skus), 1 + i % 3}, {sku_of((i + 7) % skus), 1}, {sku_of((i + 13) % skus), 2}};
    ev.ship_to = {"Erika Mustermann", "", "Heidestrasse 17", "", "Koeln", "", "51147", "DE"};
    ev.carrier = "DHL";
    ev.service = "Paket";
    return ev;
}

/// The payload as the shop would have sent it; stored verbatim with the order.
std::string original_payload(const OrderEvent& ev) {
    std::string out = R"({"event_id":")" + ev.event_id + R"(","type":"order.created","order_id":")" +
                      ev.order_id + R"(","lines":[)";
    for (size_t i = 0; i < ev.lines.size(); ++i) {
        out += (i > 0 ? "," : "") + std::string(R"({"sku":")") + ev.lines[i].sku + R"(","quantity":)" +
               std::to_string(ev.lines[i].quantity) + "}";
    }
    out += R"(],"ship_to":{"name":"Erika Mustermann","street1":"Heidestrasse 17","city":"Koeln",)"
           R"("postal_code":"51147","country":"DE"},"carrier":"DHL","service":"Paket"})";
    return out;
}

OrderFigures run_orders(const RunFolder& folder, const Sizes& sizes) {
    OrderFigures out;
    auto store = open_store(folder.file("orders.db"));
    const Topics topics("packd", "bench");
    Inventory inventory(*store, topics);
    OrderBook book(*store, inventory, topics);
    Catalogue catalogue;
    catalogue.skus = 30;
    catalogue.initial_stock = 1000000;
    stock_catalogue(*store, inventory, catalogue);
    const int warm_up = 10;
    for (int i = 0; i < sizes.orders + warm_up; ++i) {
        const OrderEvent ev = order_event(i, catalogue.skus);
        const std::string original = original_payload(ev);
        const Stopwatch order_watch;
        {
            Transaction tx(store->db());
            const OrderOutcome outcome = need(book.create(ev, original, "canonical"), "create");
            if (outcome.state != "accepted") {
                die("order " + ev.order_id + " is " + outcome.state + ": " + outcome.reason);
            }
            tx.commit();
        }
        const Stopwatch ship_watch;
        const double create_ms = order_watch.wall_ms();
        const double create_cpu_ms = order_watch.cpu_ms();
        {
            Transaction tx(store->db());
            ShipmentInfo shipment;
            shipment.carrier = "DHL";
            shipment.tracking_number = numbered("00340434", i, 10);
            shipment.weight_g = 1200;
            shipment.station = "PACK-1";
            shipment.operator_name = "bench";
            need(book.ship(ev.order_id, shipment), "ship");
            tx.commit();
        }
        if (i >= warm_up) {
            out.create.add(create_ms, create_cpu_ms);
            out.ship.add(ship_watch);
            out.order.add(order_watch);
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------
// 5: opening a store that holds many movements.

struct OpenFigures {
    int64_t movements = 0;
    double build_ms = 0;
    int64_t bytes = 0;
    Samples warm;        ///< Store::open with the file in the page cache
    Samples cold;        ///< Store::open after the file was dropped from the page cache
    Samples first_read;  ///< the first Inventory::level after a cold open
};

OpenFigures run_open(const RunFolder& folder, const Sizes& sizes) {
    OpenFigures out;
    const std::string path = folder.file("big.db");
    {
        const auto start = Clock::now();
        auto store = open_store(path);
        Inventory inventory(*store, Topics("packd", "bench"));
        Catalogue catalogue;
        catalogue.skus = sizes.open_skus;
        catalogue.bins = 50;
        catalogue.per_transaction = 10000;
        stock_catalogue(*store, inventory, catalogue);  // one receive movement per SKU through record()
        out.movements = catalogue.skus;
        // A larger page cache for this connection only: the build is not what is measured, and the
        // index on movements is written in random SKU order.
        store->db().exec("PRAGMA cache_size=-65536");
        // The rest of the ledger goes in with plain SQL on the store's own connection, 100,000 rows per
        // transaction: the same tables and indexes as record() fills, in seconds instead of minutes. Each SKU
        // keeps its one bin, and stock is set to the sum of its movements afterwards (on hand = ledger).
        auto insert = store->db().prepare(
            "WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2) "
            "INSERT INTO movements (at, sku, location, lot, expiry, delta, reason, reference, station, "
            "operator, "
            "note) SELECT strftime('%Y-%m-%dT%H:%M:%fZ','now'), printf('SKU-%06d', s), printf('BIN-%03d', s "
            "% ?3), "
            "'', '', 1 + s % 5, 'receive', printf('PO-%07d', i / 500), 'RECV-1', 'bench', '' "
            "FROM (SELECT i, (i * 2654435761) % ?4 AS s FROM n)");
        const int64_t per_transaction = 100000;
        while (out.movements < sizes.open_movements) {
            const int64_t last = std::min<int64_t>(sizes.open_movements, out.movements + per_transaction) - 1;
            Transaction tx(store->db());
            insert.bind(1, out.movements).bind(2, last).bind(3, catalogue.bins).bind(4, catalogue.skus).run();
            tx.commit();
            out.movements = last + 1;
        }
        Transaction tx(store->db());
        store->db().exec(
            "UPDATE stock SET on_hand = (SELECT sum(m.delta) FROM movements m WHERE m.sku = stock.sku "
            "AND m.location = stock.location AND m.lot = stock.lot AND m.expiry = stock.expiry)");
        tx.commit();
        auto check = store->db().prepare(
            "SELECT (SELECT count(*) FROM movements), (SELECT sum(on_hand) FROM stock), "
            "(SELECT sum(delta) FROM movements)");
        check.step();
        if (check.int64(0) != out.movements || check.int64(1) != check.int64(2)) {
            die("the built store does not add up: " + std::to_string(check.int64(0)) +
                " movements, on hand " + std::to_string(check.int64(1)) + ", ledger " +
                std::to_string(check.int64(2)));
        }
        out.build_ms = ms_since(start);
    }  // closing the last connection checkpoints the WAL into the file and removes it
    out.bytes = file_size(path) + file_size(path + "-wal");
    for (int i = 0; i < 5; ++i) {
        const auto start = Clock::now();
        auto store = open_store(path);
        out.warm.add(ms_since(start));
    }
    for (int i = 0; i < 3; ++i) {
        evict_from_page_cache(path);
        const auto start = Clock::now();
        auto store = open_store(path);
        out.cold.add(ms_since(start));
        Inventory inventory(*store, Topics("packd", "bench"));
        const auto read = Clock::now();
        const StockLevel level = inventory.level(sku_of(i * 17 % sizes.open_skus));
        out.first_read.add(ms_since(read));
        if (level.rows.empty()) {
            die("no stock for " + level.sku + " in the opened store");
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------
// 6: memory of a process with a large catalogue, measured in a child process of its own.

/// Runs in a child started from this same program: prints "key value" lines on stdout.
int rss_child(const std::string& folder, int skus, int lookups, bool build) {
    const ProcMemory baseline = proc_memory();
    std::cout << "baseline_rss_kb " << baseline.rss_kb << "\n";
    const std::string path = folder + "/rss.db";
    const Topics topics("packd", "bench");
    if (build) {
        const auto start = Clock::now();
        auto store = open_store(path);
        Inventory inventory(*store, topics);
        Catalogue catalogue;
        catalogue.skus = skus;
        catalogue.per_transaction = 5000;
        stock_catalogue(*store, inventory, catalogue);
        std::cout << "build_ms " << ms_since(start) << "\n";
        std::cout << "built_rss_kb " << proc_memory().rss_kb << "\n";
    }
    auto store = open_store(path);
    Inventory inventory(*store, topics);
    std::cout << "open_rss_kb " << proc_memory().rss_kb << "\n";
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> pick(0, skus - 1);
    int64_t on_hand = 0;
    const auto start = Clock::now();
    for (int i = 0; i < lookups; ++i) {
        on_hand += inventory.level(sku_of(pick(rng))).on_hand;
    }
    std::cout << "lookups_ms " << ms_since(start) << "\n";
    if (on_hand <= 0) {
        die("the looked up SKUs hold no stock");
    }
    const ProcMemory after = proc_memory();
    std::cout << "rss_kb " << after.rss_kb << "\nhwm_kb " << after.hwm_kb << "\n";
    std::cout << "bytes " << file_size(path) + file_size(path + "-wal") << "\n";
    return 0;
}

/// Starts this program again (fork and exec, so that nothing of this process's heap is inherited) in its
/// memory-measuring role and collects what it prints.
std::map<std::string, double> run_rss_child(const std::string& folder, const Sizes& sizes, bool build) {
    std::vector<std::string> args = {"packd_store_bench",
                                     "--rss-child",
                                     folder,
                                     std::to_string(sizes.rss_skus),
                                     std::to_string(sizes.rss_lookups),
                                     build ? "build" : "reopen"};
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    int fds[2];
    if (::pipe(fds) != 0) {
        die("pipe: " + std::string(std::strerror(errno)));
    }
    std::cout.flush();
    const pid_t pid = ::fork();
    if (pid < 0) {
        die("fork: " + std::string(std::strerror(errno)));
    }
    if (pid == 0) {
        ::dup2(fds[1], STDOUT_FILENO);
        ::close(fds[0]);
        ::close(fds[1]);
        ::execv("/proc/self/exe", argv.data());
        _exit(127);
    }
    ::close(fds[1]);
    std::string text;
    char buf[4096];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) != 0;) {
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        text.append(buf, static_cast<size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        die("the memory measuring child failed (status " + std::to_string(status) + ")");
    }
    std::map<std::string, double> out;
    std::istringstream in(text);
    std::string key;
    double value = 0;
    while (in >> key >> value) {
        out[key] = value;
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------
// The report.

void usage(std::ostream& out) {
    out << "usage: packd_store_bench [--quick] [--dir FOLDER]\n"
           "  --quick        a smaller run (fewer commits, 100,000 instead of 1,000,000 movements, 20,000 "
           "SKUs)\n"
           "  --dir FOLDER   work in a fresh folder under FOLDER instead of /tmp, to measure that disk\n";
}

int bench_main(int argc, char** argv) {
    bool quick = false;
    std::string parent = "/tmp";
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--quick") {
            quick = true;
        } else if (arg == "--dir" && i + 1 < argc) {
            parent = argv[++i];
        } else if (arg == "--help" || arg == "-h") {
            usage(std::cout);
            return 0;
        } else {
            std::cerr << "packd_store_bench: unknown argument \"" << arg << "\"\n";
            usage(std::cerr);
            return 2;
        }
    }
    const Sizes sizes = quick ? quick_sizes() : Sizes{};
    const RunFolder folder(parent);
    const auto run_start = Clock::now();

    std::cout << "packd store benchmark" << (quick ? " (--quick)" : "") << "\n"
              << "  cpu:        " << cpu_model() << ", " << ::sysconf(_SC_NPROCESSORS_ONLN) << " online\n"
              << "  kernel:     " << kernel() << "\n"
              << "  load:       " << load_average() << " (1, 5, 15 min) at the start\n"
              << "  folder:     " << folder.path() << "\n"
              << "  filesystem: " << filesystem_of(folder.path()) << "\n"
              << "  sqlite:     " << sqlite3_libversion() << " (headers " << SQLITE_VERSION << ")\n"
              << "  compiler:   " << __VERSION__
#ifdef NDEBUG
              << ", NDEBUG"
#else
              << ", assertions on (not a Release build: figures are pessimistic)"
#endif
              << "\n"
              << std::flush;

    std::cout << "running 1+2: floor and single movements, taking turns ..." << std::endl;
    const CommitFigures commits = run_commits(folder, sizes);
    std::cout << "running 3: batched movements ..." << std::endl;
    const BatchFigures batches = run_batches(folder, sizes);
    std::cout << "running 4: orders ..." << std::endl;
    const OrderFigures orders = run_orders(folder, sizes);
    std::cout << "running 5: open time (building " << thousands(sizes.open_movements) << " movements) ..."
              << std::endl;
    const OpenFigures open = run_open(folder, sizes);
    std::cout << "running 6: memory (" << thousands(sizes.rss_skus) << " SKUs, in a child process) ..."
              << std::endl;
    auto rss = run_rss_child(folder.path(), sizes, true);
    auto rss_reopen = run_rss_child(folder.path(), sizes, false);

    const double floor_rate = commits.floor.per_second(static_cast<double>(commits.floor.count()));
    const double single_rate = commits.single.per_second(static_cast<double>(commits.single.count()));
    const double ratio = single_rate > 0 ? floor_rate / single_rate : 0;
    const double ratio_p50 = commits.single.percentile(50) / std::max(1e-9, commits.floor.percentile(50));
    const double batch_rate = batches.batches.per_second(static_cast<double>(batches.movements));
    const double order_rate = orders.order.per_second(static_cast<double>(orders.order.count()));
    const double rss_mb = rss["rss_kb"] / 1024.0;
    const bool full_catalogue = sizes.rss_skus >= 100000;
    const char* rss_verdict = rss_mb >= 32 ? "MISSED" : (full_catalogue ? "met" : "n/a with --quick");

    std::vector<Row> rows;
    rows.push_back({"1", "SQLite floor: BEGIN IMMEDIATE; INSERT; UPDATE; COMMIT",
                    std::to_string(commits.floor.count()), rate_text(floor_rate, "commits"),
                    ms_text(commits.floor.percentile(50)), ms_text(commits.floor.percentile(99)),
                    "raw sqlite3, " + commits.floor_pragmas});
    rows.push_back({"2", "Inventory::record, one commit per movement", std::to_string(commits.single.count()),
                    rate_text(single_rate, "commits"), ms_text(commits.single.percentile(50)),
                    ms_text(commits.single.percentile(99)),
                    fixed(ratio, 2) + "x floor (p50 " + fixed(ratio_p50, 2) +
                        "x); aim <= 1.5x: " + (ratio <= 1.5 ? "met" : "MISSED")});
    rows.push_back({"3", "Inventory::record, " + std::to_string(sizes.batch_size) + " per commit",
                    thousands(batches.movements), rate_text(batch_rate, "movements"),
                    ms_text(batches.batches.percentile(50)), ms_text(batches.batches.percentile(99)),
                    "p50/p99 per transaction of " + std::to_string(sizes.batch_size)});
    rows.push_back({"4", "OrderBook::create + ship, 3 lines, 2 commits", std::to_string(orders.order.count()),
                    rate_text(order_rate, "orders"), ms_text(orders.order.percentile(50)),
                    ms_text(orders.order.percentile(99)),
                    "p50 create " + ms_text(orders.create.percentile(50)) + ", ship " +
                        ms_text(orders.ship.percentile(50))});
    rows.push_back({"5", "Store::open, " + thousands(open.movements) + " movements",
                    std::to_string(open.warm.count()) + "+" + std::to_string(open.cold.count()),
                    ms_text(open.warm.percentile(50)) + " warm", "-", "-",
                    "file evicted from cache: " + ms_text(open.cold.percentile(50)) +
                        ", then first level() " + ms_text(open.first_read.percentile(50)) + "; file " +
                        mb_text(static_cast<double>(open.bytes))});
    rows.push_back({"6",
                    "RSS, " + thousands(sizes.rss_skus) + " SKUs: build, reopen, " +
                        std::to_string(sizes.rss_lookups) + " level()",
                    "1", fixed(rss_mb, 1) + " MB", "-", "-",
                    "VmHWM " + fixed(rss["hwm_kb"] / 1024.0, 1) + " MB; before open " +
                        fixed(rss["baseline_rss_kb"] / 1024.0, 1) + " MB; aim < 32 MB: " + rss_verdict});
    rows.push_back({"6b",
                    "RSS, same store, new process: open, " + std::to_string(sizes.rss_lookups) + " level()",
                    "1", fixed(rss_reopen["rss_kb"] / 1024.0, 1) + " MB", "-", "-",
                    "VmHWM " + fixed(rss_reopen["hwm_kb"] / 1024.0, 1) + " MB; before open " +
                        fixed(rss_reopen["baseline_rss_kb"] / 1024.0, 1) + " MB"});

    std::cout << "\n";
    print_table(rows);
    std::cout
        << "\nCPU time of the benchmark thread (user + system; excludes waiting for the disk or a core)\n"
        << "  1 floor commit       " << fixed(commits.floor.cpu_us_each(), 0) << " us\n"
        << "  2 single movement    " << fixed(commits.single.cpu_us_each(), 0) << " us (store adds "
        << fixed(commits.single.cpu_us_each() - commits.floor.cpu_us_each(), 0) << " us per commit)\n"
        << "  3 batched movement   "
        << fixed(batches.batches.cpu_us_each() / static_cast<double>(sizes.batch_size), 1)
        << " us per movement\n"
        << "  4 order              " << fixed(orders.order.cpu_us_each(), 0) << " us (create "
        << fixed(orders.create.cpu_us_each(), 0) << ", ship " << fixed(orders.ship.cpu_us_each(), 0) << ")\n"
        << "\ndetails\n"
        << "  store pragmas (lines 2-6): " << commits.store_pragmas << "\n"
        << "  5: " << thousands(open.movements) << " movements over " << thousands(sizes.open_skus)
        << " SKUs built in " << fixed(open.build_ms / 1000.0, 1)
        << " s (bulk SQL, 100,000 per commit); warm open max " << ms_text(open.warm.percentile(100))
        << ", evicted open max " << ms_text(open.cold.percentile(100)) << "\n"
        << "  6: built in " << fixed(rss["build_ms"] / 1000.0, 1) << " s; RSS after build "
        << fixed(rss["built_rss_kb"] / 1024.0, 1) << " MB, after reopen "
        << fixed(rss["open_rss_kb"] / 1024.0, 1) << " MB; " << sizes.rss_lookups << " level() in "
        << ms_text(rss["lookups_ms"]) << "; file " << mb_text(rss["bytes"]) << "\n"
        << "  6b: RSS after open " << fixed(rss_reopen["open_rss_kb"] / 1024.0, 1) << " MB; "
        << sizes.rss_lookups << " level() in " << ms_text(rss_reopen["lookups_ms"]) << "\n"
        << "  load at the end: " << load_average() << "\n"
        << "  total run: " << fixed(ms_since(run_start) / 1000.0, 1) << " s\n";
    return 0;
}

}  // namespace
}  // namespace packd::fulfillment

int main(int argc, char** argv) {
    using namespace packd::fulfillment;
    try {
        if (argc == 6 && std::string_view(argv[1]) == "--rss-child") {
            return rss_child(argv[2], std::stoi(argv[3]), std::stoi(argv[4]),
                             std::string_view(argv[5]) == "build");
        }
        return bench_main(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "packd_store_bench: " << e.what() << "\n";
        return 1;
    }
}
