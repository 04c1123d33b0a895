// The store benchmark's runs: durable commits beside the bare SQLite floor, batches, orders, opening a large
// store and the memory of a large catalogue.

#include "store_bench_runs.hpp"

namespace packd::fulfillment::store_bench {

// ---------------------------------------------------------------------------------------------------------
// 1 and 2: the floor and single durable movements, taking turns so that both see the same disk.

namespace {

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

}  // namespace

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

namespace {

OrderEvent order_event(int i, int skus) {
    OrderEvent ev;
    ev.event_id = numbered("evt-", i, 8);
    ev.type = OrderEventType::created;
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

}  // namespace

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
            if (outcome.state != OrderState::accepted) {
                die("order " + ev.order_id + " is " + std::string(to_string(outcome.state)) + ": " +
                    outcome.reason);
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

}  // namespace packd::fulfillment::store_bench
