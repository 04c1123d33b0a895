#include "fast_path_packd.hpp"

#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <stdexcept>

#include "packd/host/admin_client.hpp"

namespace packd::bench {

using namespace std::chrono_literals;
using nlohmann::json;

namespace {

std::string packd_config(const test::TempDir& dir, int broker_port,
                         const std::vector<StationPrinter>& stations, const std::string& labels_printer) {
    std::string cfg =
        "[site]\nid = \"bench\"\nname = \"Bench Warehouse\"\nstreet1 = \"1 Test Road\"\ncity = "
        "\"Testville\"\n"
        "postal_code = \"12345\"\ncountry = \"US\"\n"
        "[daemon]\nstate_dir = \"" +
        dir.file("state") + "\"\nadmin_socket = \"" + dir.file("packd.sock") +
        "\"\nlog_level = \"warning\"\n"
        "[broker]\nhost = \"127.0.0.1\"\nport = " +
        std::to_string(broker_port) + "\nclient_id = \"packd-fast-path-" + std::to_string(::getpid()) + "-" +
        dir.path().filename().string() + "\"\nreconnect_min_ms = 100\nreconnect_max_ms = 1000\n";
    // Today only one printer gets the shipping labels of incoming orders.
    cfg += "[labels]\nprinter = \"" + labels_printer + "\"\n";
    for (const auto& s : stations) {
        cfg += "[printers." + s.printer +
               "]\ntype = \"tcp\"\nhost = \"127.0.0.1\"\nport = " + std::to_string(s.port) +
               "\ndpi = 203\nstatus = \"hs\"\n";
    }
    for (const auto& s : stations) {
        cfg += "[stations." + s.station + "]\nprinter = \"" + s.printer + "\"\n";
    }
    return cfg;
}

std::optional<long long> number_at(const json& object, const char* section, const char* key) {
    const auto s = object.find(section);
    if (s == object.end() || !s->is_object()) {
        return std::nullopt;
    }
    const auto v = s->find(key);
    if (v == s->end() || !v->is_number()) {
        return std::nullopt;
    }
    return v->get<long long>();
}

}  // namespace

PackdUnderTest::PackdUnderTest(const test::TempDir& dir, int broker_port,
                               const std::vector<StationPrinter>& stations, const std::string& labels_printer,
                               const ShopifyOrders& orders, long stock)
    : dir_(dir), socket_(dir.file("packd.sock")), db_path_(dir.file("state") + "/packd.db") {
    config_ = packd_config(dir, broker_port, stations, labels_printer);
    test::write_file(dir.file("packd.toml"), config_);
    std::string products =
        "sku,name,unit_weight_g,length_mm,width_mm,height_mm,reorder_point,reorder_qty,barcodes,case_barcode,"
        "case_qty\n";
    std::string stock_csv = "sku,qty,location,lot,expiry\n";
    for (const auto& [sku, qty] : orders.lines()) {
        products += sku + ",Bench " + sku + ",300,,,,0,0,,,\n";
        stock_csv += sku + "," + std::to_string(stock) + ",A-01-01,,\n";
    }
    test::write_file(dir.file("products.csv"), products);
    test::write_file(dir.file("stock.csv"), stock_csv);

    process_ = std::make_unique<test::Process>(
        std::vector<std::string>{test::packd_binary(), "--config", dir.file("packd.toml")},
        std::map<std::string, std::string>{}, dir.path().string());
    const auto ready_by = Clock::now() + 30s;
    while (!admin({{"cmd", "status"}}, 2s)) {
        if (Clock::now() > ready_by || !process_->running()) {
            throw std::runtime_error("packd did not start: " + log_tail(4000));
        }
        std::this_thread::sleep_for(50ms);
    }
    const auto packctl = [&](const std::vector<std::string>& words) {
        std::vector<std::string> argv{test::packctl_binary(), "--socket", socket_};
        argv.insert(argv.end(), words.begin(), words.end());
        const test::RunResult r = test::run(argv, 60s);
        if (r.code != 0) {
            throw std::runtime_error("packctl " + words.at(0) + " failed: " + r.output);
        }
    };
    packctl({"location", "add", "A-01-01"});
    packctl({"import", "products", dir.file("products.csv")});
    packctl({"import", "stock", dir.file("stock.csv")});
}

PackdUnderTest::~PackdUnderTest() {
    if (process_ && process_->running()) {
        stop(5s);
    }
}

std::optional<json> PackdUnderTest::admin(const json& request, std::chrono::milliseconds timeout) const {
    auto answer = host::admin_request(socket_, request, timeout);
    if (!answer || !answer->value("ok", false)) {
        return std::nullopt;
    }
    return std::move(*answer);
}

std::string PackdUnderTest::log_tail(std::size_t bytes) const {
    const std::string all = process_->output();
    return all.size() <= bytes ? all : "..." + all.substr(all.size() - bytes);
}

std::optional<int> PackdUnderTest::stop(std::chrono::milliseconds grace) {
    process_->signal(SIGTERM);
    if (auto code = process_->wait(grace)) {
        return code;
    }
    process_->signal(SIGKILL);
    return process_->wait(10s);
}

// ---------------------------------------------------------------------------------------------------------

StatusSample sample_status(const json& answer, Clock::time_point at, double answer_ms) {
    StatusSample s;
    s.at = at;
    s.answer_ms = answer_ms;
    const json& status = answer.contains("status") ? answer["status"] : answer;
    s.stored = number_at(status, "intake", "stored");
    s.applied = number_at(status, "intake", "applied");
    s.duplicates = number_at(status, "intake", "duplicates");
    s.rejected = number_at(status, "intake", "rejected");
    s.batches = number_at(status, "intake", "batches");
    s.largest_batch = number_at(status, "intake", "largest_batch");
    s.orders = number_at(status, "store", "orders");
    s.inbox = number_at(status, "store", "inbox");
    return s;
}

PackdWatch::PackdWatch(const PackdUnderTest& packd, std::chrono::milliseconds interval, bool read_store)
    : packd_(packd), interval_(interval) {
    const pid_t pid = packd.pid();
    status_thread_ = std::thread([this] {
        while (!stop_) {
            const auto start = Clock::now();
            auto answer = packd_.admin({{"cmd", "status"}}, 2s);
            const auto end = Clock::now();
            if (answer) {
                const StatusSample s = sample_status(*answer, end, ms_between(start, end));
                std::lock_guard lock(mutex_);
                samples_.push_back(s);
            } else {
                ++unanswered_;
            }
            std::this_thread::sleep_until(start + interval_);
        }
    });
    memory_thread_ = std::thread([this, pid] {
        while (!stop_) {
            if (const auto m = process_memory(pid)) {
                std::lock_guard lock(mutex_);
                peak_.rss_kb = std::max(peak_.rss_kb, m->rss_kb);
                peak_.hwm_kb = std::max(peak_.hwm_kb, m->hwm_kb);
            }
            std::this_thread::sleep_for(50ms);
        }
    });
    if (read_store) {
        store_thread_ = std::thread([this] { count_store(); });
    }
}

void PackdWatch::count_store() {
    sqlite3* db = nullptr;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_open_v2(packd_.db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM inbox)", -1, &st,
                           nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return;
    }
    sqlite3_busy_timeout(db, 100);
    while (!stop_) {
        const auto start = Clock::now();
        if (sqlite3_step(st) == SQLITE_ROW) {
            StatusSample s;
            s.at = Clock::now();
            s.answer_ms = ms_between(start, s.at);
            s.orders = sqlite3_column_int64(st, 0);
            s.inbox = sqlite3_column_int64(st, 1);
            std::lock_guard lock(mutex_);
            store_samples_.push_back(s);
        }
        sqlite3_reset(st);
        std::this_thread::sleep_until(start + interval_);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

PackdWatch::~PackdWatch() {
    stop();
}

void PackdWatch::stop() {
    stop_ = true;
    if (status_thread_.joinable()) {
        status_thread_.join();
    }
    if (memory_thread_.joinable()) {
        memory_thread_.join();
    }
    if (store_thread_.joinable()) {
        store_thread_.join();
    }
}

std::vector<StatusSample> PackdWatch::samples() const {
    std::lock_guard lock(mutex_);
    return samples_;
}

std::vector<StatusSample> PackdWatch::store_samples() const {
    std::lock_guard lock(mutex_);
    return store_samples_;
}

std::optional<StatusSample> PackdWatch::latest() const {
    std::lock_guard lock(mutex_);
    if (samples_.empty()) {
        return std::nullopt;
    }
    return samples_.back();
}

std::optional<StatusSample> PackdWatch::latest_store() const {
    std::lock_guard lock(mutex_);
    if (store_samples_.empty()) {
        return std::nullopt;
    }
    return store_samples_.back();
}

Memory PackdWatch::peak_memory() const {
    std::lock_guard lock(mutex_);
    return peak_;
}

// ---------------------------------------------------------------------------------------------------------

StoreFacts read_store(const std::string& db_path) {
    StoreFacts f;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        f.error = "cannot open " + db_path + ": " + (db != nullptr ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return f;
    }
    sqlite3_busy_timeout(db, 5000);
    const auto one = [&](const char* sql, long long& out) {
        sqlite3_stmt* st = nullptr;
        bool ok =
            sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
        if (ok) {
            out = sqlite3_column_int64(st, 0);
        } else if (f.error.empty()) {
            f.error = std::string(sql) + ": " + sqlite3_errmsg(db);
        }
        sqlite3_finalize(st);
        return ok;
    };
    f.ok = one("SELECT count(*) FROM orders", f.orders) && one("SELECT count(*) FROM inbox", f.inbox) &&
           one("SELECT count(*) FROM print_jobs WHERE kind = 'shipping' AND state = 'pending'",
               f.jobs_pending) &&
           one("SELECT count(*) FROM print_jobs WHERE kind = 'shipping' AND state = 'done'", f.jobs_done) &&
           one("SELECT count(DISTINCT order_id) FROM print_jobs WHERE kind = 'shipping'", f.jobs_orders) &&
           one("SELECT count(*) FROM print_jobs WHERE kind = 'shipping' AND reprint != 0", f.jobs_reprint);
    sqlite3_close(db);
    return f;
}

}  // namespace packd::bench
