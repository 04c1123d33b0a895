// The shop link benchmark's runs: the broker floor, and the real packd taking orders from the broker.
#pragma once

#include "shop_link_bench_support.hpp"

namespace packd::test::shop_link_bench {

struct FloorFigures {
    std::vector<double> round_trip_ms;
    std::vector<double> nodelay_round_trip_ms;  ///< the same with the no-delay client
    int burst = 0;
    int burst_received = 0;
    double burst_publish_ms = 0;  ///< until the last publish() call returned
    double burst_total_ms = 0;    ///< until the last message arrived
};

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

/// An order body as the shop publishes it, with `lines` of the benchmark's SKUs.
std::string order_json(const std::string& event_id, const std::string& order_id, int lines);
/// 1: the broker floor: a message from one client to another through the same broker.
FloorFigures run_floor(const Broker& broker, const Sizes& sizes, const std::string& payload);
/// 2-4: the real packd in a fresh folder, with or without a printer.
PackdFigures run_packd(const Broker& broker, const Sizes& sizes, bool printer, const std::string& tag);

}  // namespace packd::test::shop_link_bench
