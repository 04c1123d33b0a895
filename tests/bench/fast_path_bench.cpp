// The fast path benchmark: an order event published on the broker until the last byte of its shipping label
// at an emulated network printer, with the real packd and a real mosquitto, next to the floor the broker, the
// disk and a forwarder that does no work set in the same run. It prints figures and asserts nothing;
// docs/PERFORMANCE.md, "Fast path (end to end)", says how to read them.
//
//   packd_fast_path_bench [--quick] [--dir FOLDER]
//
// Parts: fast_path_load (Shopify bodies, paced and flat-out publishing), fast_path_mqtt (the MQTT clients),
// fast_path_printer (the emulated printers), fast_path_floor (the floor), fast_path_packd (packd, its admin
// socket, /proc and its store), fast_path_run (the runs), fast_path_report (the tables).

#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>

#include "bench_report.hpp"
#include "fast_path_report.hpp"
#include "test_env.hpp"

namespace packd::bench {
namespace {

using namespace std::chrono_literals;

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

void usage(std::ostream& out) {
    out << "usage: packd_fast_path_bench [--quick] [--dir FOLDER]\n"
           "  --quick       a short run (under a minute): 400 orders at 200/s, a burst of 5,000, smaller "
           "floors\n"
           "  --dir FOLDER  put packd's store and the commit floor's file under FOLDER instead of /tmp\n";
}

int bench_main(int argc, char** argv) {
    bool quick = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--quick") {
            quick = true;
        } else if (arg == "--dir" && i + 1 < argc) {
            // TempDir and every child process take their folder from TMPDIR.
            ::setenv("TMPDIR", argv[++i], 1);
        } else if (arg == "--help" || arg == "-h") {
            usage(std::cout);
            return 0;
        } else {
            std::cerr << "packd_fast_path_bench: unknown argument \"" << arg << "\"\n";
            usage(std::cerr);
            return 2;
        }
    }
    const Sizes sizes = quick ? quick_sizes() : Sizes{};
    const BrokerSettings broker_settings;
    const auto run_start = Clock::now();
    const std::filesystem::path tmp = std::filesystem::temp_directory_path();
    std::cout << "packd fast path benchmark" << (quick ? " (--quick)" : "") << "\n"
              << "  cpu:        " << cpu_model() << ", " << ::sysconf(_SC_NPROCESSORS_ONLN) << " online\n"
              << "  kernel:     " << kernel() << "\n"
              << "  load:       " << load_average() << " (1, 5, 15 min) at the start\n"
              << "  filesystem: " << filesystem_of(tmp) << " (" << tmp.string()
              << ": packd's store, commit floor)\n"
              << "  sqlite:     " << sqlite3_libversion()
              << " (this program's; packd links the same library)\n"
              << "  broker:     " << first_line(test::run({"mosquitto", "-h"}, 10s).output) << ", loopback\n"
              << "  packd:      " << test::packd_binary() << "\n"
              << "  compiler:   " << __VERSION__
#ifdef NDEBUG
              << ", NDEBUG"
#else
              << ", assertions on (not a Release build: figures are pessimistic)"
#endif
              << "\n"
              << std::flush;

    const ShopifyOrders orders(test::source_dir() + "/tests/data/shop/shopify-orders-create.json");
    std::cout << "  orders:     Shopify orders/create bodies of " << orders.size() << " bytes ("
              << orders.lines().size()
              << " lines to ship), QoS 1 to packd/v1/bench/in/orders/orders/create\n";
    BenchBroker broker(broker_settings);

    const auto elapsed = [&] {
        return " [" + fixed(ms_between(run_start, Clock::now()) / 1000.0, 1) + " s]";
    };
    Floors floors;
    std::cout << "running F1-F2: broker floor (" << sizes.floor_round_trips << " one at a time, "
              << sizes.floor_flat_out << " flat out) ..." << elapsed() << std::endl;
    floors.broker = measure_broker(broker.port(), orders, sizes.floor_round_trips, sizes.floor_flat_out,
                                   sizes.window, broker.pid(), Clock::now() + sizes.floor_drain * 3);
    std::cout << "running F3: durable commit floor (" << sizes.floor_commits << " commits) ..." << elapsed()
              << std::endl;
    {
        test::TempDir dir;
        floors.commit = measure_commit(dir.path().string(), sizes.floor_commits);
    }
    std::cout << "running F4-F5: forwarder floor (" << sizes.forwarder_paced << " at " << sizes.rate << "/s, "
              << sizes.forwarder_flat_out << " flat out) ..." << elapsed() << std::endl;
    floors.forwarder = measure_forwarder(broker.port(), orders, sizes.forwarder_paced, sizes.rate,
                                         sizes.forwarder_flat_out, sizes.window, sizes.floor_drain);
    std::cout << "running P1: packd, " << sizes.paced << " orders at " << sizes.rate << "/s (waits up to "
              << sizes.paced_drain.count() / 1000 << " s after the last for the labels) ..." << elapsed()
              << std::endl;
    const PackdPhase paced = run_packd(broker, orders, sizes, false);
    std::cout << "running P2-P4: packd, a burst of " << sizes.burst << " orders (waits up to "
              << sizes.burst_wait.count() / 1000 << " s for the labels) ..." << elapsed() << std::endl;
    const PackdPhase burst = run_packd(broker, orders, sizes, true);

    print_report(sizes, broker_settings, floors, paced, burst, quick);
    std::cout << "  load at the end: " << load_average() << "\n"
              << "  total run: " << fixed(ms_between(run_start, Clock::now()) / 1000.0, 1) << " s\n";
    return 0;
}

}  // namespace
}  // namespace packd::bench

int main(int argc, char** argv) {
    try {
        return packd::bench::bench_main(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "packd_fast_path_bench: " << e.what() << "\n";
        return 1;
    }
}
