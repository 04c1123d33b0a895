// What the store benchmark's runs share: the sizes of a run, timing and percentiles, facts about the
// machine and its disk, a fresh folder per run, and a store stocked with a catalogue.
#pragma once

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

#include "bench_machine.hpp"
#include "bench_report.hpp"
#include "packd/fulfillment/domain/topics.hpp"
#include "packd/fulfillment/inventory/inventory.hpp"
#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/orders/order_event.hpp"
#include "packd/fulfillment/store/sqlite.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace packd::fulfillment::store_bench {

using namespace packd::bench;

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

inline Sizes quick_sizes() {
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

[[noreturn]] inline void die(const std::string& what) {
    throw std::runtime_error(what);
}

inline void need(const Status& status, std::string_view what) {
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

inline double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

/// CPU time of this thread (user and system) in milliseconds: what the work costs, without the time spent
/// waiting for the disk or for a core.
inline double thread_cpu_ms() {
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

inline std::string mb_text(double bytes) {
    return fixed(bytes / (1024.0 * 1024.0), 1) + " MB";
}

inline std::string thousands(int64_t n) {
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

inline std::string numbered(std::string_view prefix, int n, int width) {
    std::string digits = std::to_string(n);
    if (digits.size() < static_cast<size_t>(width)) {
        digits.insert(0, static_cast<size_t>(width) - digits.size(), '0');
    }
    return std::string(prefix) + digits;
}

inline std::string sku_of(int i) {
    return numbered("SKU-", i, 6);
}
inline std::string bin_of(int i) {
    return numbered("BIN-", i, 3);
}

// ---------------------------------------------------------------------------------------------------------
// The machine.

struct ProcMemory {
    int64_t rss_kb = 0;
    int64_t hwm_kb = 0;
};

inline ProcMemory proc_memory() {
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

inline int64_t file_size(const std::string& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    return ec ? 0 : static_cast<int64_t>(size);
}

/// Asks the kernel to drop a file's pages from the page cache, so that the next read comes from the disk.
inline void evict_from_page_cache(const std::string& path) {
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

inline std::unique_ptr<Store> open_store(const std::string& path) {
    return need(Store::open(path), "opening " + path);
}

inline std::string pragma_text(Database& db, std::string_view pragma) {
    auto st = db.prepare(std::string("PRAGMA ") + std::string(pragma));
    return st.step() ? st.text(0) : std::string();
}

inline Movement receive(const std::string& sku, const std::string& location, int64_t quantity) {
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
inline void stock_catalogue(Store& store, Inventory& inventory, const Catalogue& c) {
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

}  // namespace packd::fulfillment::store_bench
