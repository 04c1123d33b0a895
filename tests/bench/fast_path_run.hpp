#pragma once
// The runs of the fast path benchmark: the private broker, and packd fed at a fixed rate or with a burst.

#include <chrono>
#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fast_path_floor.hpp"
#include "fast_path_packd.hpp"
#include "test_env.hpp"

namespace packd::bench {

struct Sizes {
    std::size_t floor_round_trips = 2000;
    std::size_t floor_flat_out = 20000;
    std::size_t floor_commits = 2000;
    std::size_t forwarder_paced = 1000;
    std::size_t forwarder_flat_out = 20000;
    std::size_t paced = 1000;  ///< packd at `rate`
    double rate = 200;         ///< orders/s of the paced runs
    std::size_t burst = 50000;
    std::size_t stations = 3;
    std::size_t window = 20000;  ///< the load generator's QoS 1 in-flight window
    std::chrono::milliseconds floor_drain{20000};
    std::chrono::milliseconds paced_drain{40000};  ///< after the last paced order, for its labels
    std::chrono::milliseconds burst_wait{120000};  ///< after the first burst order, for every label
    std::chrono::milliseconds stall{30000};        ///< no label and no intake progress this long: give up
    std::chrono::milliseconds last_status{5000};   ///< for the status after the run
    std::chrono::milliseconds stop_grace{10000};   ///< SIGTERM to SIGKILL
};
Sizes quick_sizes();

/// What the private broker is configured with; printed in the report.
struct BrokerSettings {
    long max_queued_messages = 1000000;
    long max_inflight_messages = 1000;
    bool tcp_nodelay = true;
};

/// mosquitto on a free loopback port with BrokerSettings, in its own folder; stopped at scope exit.
class BenchBroker {
  public:
    explicit BenchBroker(const BrokerSettings& settings);
    ~BenchBroker();
    BenchBroker(const BenchBroker&) = delete;
    BenchBroker& operator=(const BenchBroker&) = delete;
    int port() const { return port_; }
    pid_t pid() const { return process_->pid(); }

  private:
    test::TempDir dir_;
    int port_ = 0;
    std::unique_ptr<test::Process> process_;
};

/// One run of packd: a fresh folder, store and printers, a warm-up order, then the load.
struct PackdPhase {
    std::string name;
    bool burst = false;
    std::size_t orders = 0;
    std::string failure;  ///< why the run did not happen or stopped early; empty when it ran
    PublishLog log;
    Delivery delivery;
    bool complete = false;  ///< every order's label arrived before the deadline
    double waited_ms = 0;   ///< first publish until the wait ended
    std::string labels_printer;
    std::vector<std::size_t> labels_per_printer;
    std::vector<int> status_checks_per_printer;
    std::vector<StatusSample> samples;        ///< status polls
    std::vector<StatusSample> store_samples;  ///< store counts, when packd reports no intake counters
    std::optional<StatusSample> baseline, last;
    int unanswered = 0;
    Memory peak;
    std::optional<Memory> at_start;  ///< once the catalogue and stock were loaded, before any order
    std::size_t label_bytes = 0;     ///< size of the first label format the printers got
    double cpu_ms = 0;  ///< packd's user+system time from the first publish to the end of the wait
    std::optional<nlohmann::json> loop;  ///< status.loop (or the loop command's answer) at the end
    bool loop_reset = false;             ///< the loop command took the reset
    StoreFacts store;
    std::optional<int> exit_code;
    double stop_ms = 0;     ///< SIGTERM until it exited (or was killed after Sizes::stop_grace)
    double stopped_ms = 0;  ///< first publish until it had exited: labels are counted until then
    std::size_t log_bytes = 0;
    std::string packd_log;        ///< packd's output (log level warning), at most its last 1 MB
    std::size_t all_doubled = 0;  ///< order ids on more than one format, the warm-up order included
};

PackdPhase run_packd(const BenchBroker& broker, const ShopifyOrders& orders, const Sizes& sizes, bool burst);

/// When the intake counters (or, without them, the store's orders plus inbox rows, from the status polls and
/// the store counts) reached the baseline plus the phase's orders; nothing when they did not.
std::optional<Clock::time_point> stored_all_at(const PackdPhase& p);
std::optional<Clock::time_point> applied_all_at(const PackdPhase& p);
/// Whether packd reports status.intake (else the store counts stand in).
bool has_intake_counters(const PackdPhase& p);
/// Orders stored and applied by the last sample, over the baseline.
long long stored_by_last(const PackdPhase& p);
long long applied_by_last(const PackdPhase& p);
/// When the last sample the figures come from was taken.
Clock::time_point last_sample_at(const PackdPhase& p);

}  // namespace packd::bench
