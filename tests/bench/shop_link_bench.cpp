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

#include "bench_machine.hpp"
#include "bench_report.hpp"
#include "packd/fulfillment/shop/mqtt/mqtt_packet.hpp"
#include "shop_link_bench_runs.hpp"
#include "test_env.hpp"

namespace packd::test {
namespace {

using namespace shop_link_bench;

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
