#pragma once
// The floor of the fast path, measured in the same run on the same machine: what the broker, the disk and a
// forwarder that does no work take, so packd's figures can be read against them.

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <thread>
#include <vector>

#include "fast_path_load.hpp"
#include "fast_path_printer.hpp"

namespace packd::bench {

/// (a) A publisher and a second, persistent QoS 1 subscriber on the same topic.
struct BrokerFloor {
    std::vector<double> round_trip_ms;  ///< one at a time: publish to receipt at the subscriber
    std::size_t round_trip_missing = 0;
    std::size_t flat_sent = 0, flat_received = 0;
    double flat_ms = 0;        ///< flat out: first publish to the last receipt
    double broker_cpu_ms = 0;  ///< mosquitto's user+system time over the flat-out part
};
BrokerFloor measure_broker(int port, const ShopifyOrders& orders, std::size_t one_at_a_time,
                           std::size_t flat_out, std::size_t window, pid_t broker,
                           Clock::time_point deadline);

/// (b) One small insert per durable commit (WAL, synchronous=FULL), as packd's store opens its file.
struct CommitFloor {
    std::vector<double> commit_ms;
    std::string error;
};
CommitFloor measure_commit(const std::string& folder, std::size_t commits);

/// (c) A persistent QoS 1 subscriber that writes each order's id as a small ZPL format to an emulated printer
/// over one TCP connection, then acknowledges: the broker-to-printer path with no work.
struct ForwarderFloor {
    PublishLog paced_log, flat_log;
    Delivery paced, flat;
    bool paced_complete = false, flat_complete = false;
};
ForwarderFloor measure_forwarder(int port, const ShopifyOrders& orders, std::size_t paced, double rate,
                                 std::size_t flat_out, std::size_t window, std::chrono::milliseconds drain);

/// Waits until `done()` or the deadline, or until `progress()` has not changed for `stall`; checks every 50
/// ms. True when done.
template <class Done, class Progress>
bool wait_until(Done done, Progress progress, Clock::time_point deadline, std::chrono::milliseconds stall) {
    auto last = progress();
    auto moved = Clock::now();
    while (!done()) {
        const auto now = Clock::now();
        if (now >= deadline || now - moved >= stall) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (const auto p = progress(); p != last) {
            last = p;
            moved = Clock::now();
        }
    }
    return true;
}

}  // namespace packd::bench
