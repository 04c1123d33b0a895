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
#include "store_bench_runs.hpp"

namespace packd::fulfillment {
namespace {

using namespace store_bench;

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
