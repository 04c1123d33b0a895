#pragma once
// The real packd binary as the fast path benchmark runs it: a generated config in a fresh folder (stations,
// one TCP printer each, labels to one of them), the catalogue and stock loaded through packctl, its admin
// socket polled for the intake counters while a run goes on, its /proc entry sampled for memory, and its
// store read after it stopped.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench_machine.hpp"
#include "fast_path_load.hpp"
#include "test_env.hpp"

namespace packd::bench {

/// One station of the generated config and the port of its printer.
struct StationPrinter {
    std::string station;
    std::string printer;
    int port = 0;
};

class PackdUnderTest {
  public:
    /// Writes the config and the catalogue into `dir`, starts packd and loads the catalogue and `stock` units
    /// of every SKU the orders use. Shipping labels go to `labels_printer`. Throws, with packd's log, when
    /// packd does not come up.
    PackdUnderTest(const test::TempDir& dir, int broker_port, const std::vector<StationPrinter>& stations,
                   const std::string& labels_printer, const ShopifyOrders& orders, long stock);
    ~PackdUnderTest();
    PackdUnderTest(const PackdUnderTest&) = delete;
    PackdUnderTest& operator=(const PackdUnderTest&) = delete;

    pid_t pid() const { return process_->pid(); }
    bool running() { return process_->running(); }
    /// One admin request; nothing when packd did not answer in time or refused.
    std::optional<nlohmann::json> admin(const nlohmann::json& request,
                                        std::chrono::milliseconds timeout) const;
    /// The last `bytes` of packd's output.
    std::string log_tail(std::size_t bytes) const;
    std::size_t log_size() const { return process_->output().size(); }
    /// SIGTERM, then SIGKILL if it is still there after `grace`. The exit status (128+signal when killed).
    std::optional<int> stop(std::chrono::milliseconds grace);
    std::string db_path() const { return db_path_; }
    const std::string& config_text() const { return config_; }

  private:
    const test::TempDir& dir_;
    std::string socket_;
    std::string db_path_;
    std::string config_;
    std::unique_ptr<test::Process> process_;
};

/// One answer to `status`, with what it says about the intake. Counters packd does not report are empty.
struct StatusSample {
    Clock::time_point at;  ///< when the answer arrived
    double answer_ms = 0;  ///< request to answer
    std::optional<long long> stored, applied, duplicates, rejected, batches, largest_batch;
    std::optional<long long> orders, inbox;  ///< status.store
};

StatusSample sample_status(const nlohmann::json& status, Clock::time_point at, double answer_ms);

/// Polls `status` on its own thread every `interval` until stopped, and /proc/PID for memory every 50 ms.
/// With `read_store`, also counts the store's orders and inbox rows every `interval` on a read-only
/// connection of its own: what is committed, whether or not packd's loop is free to answer (WAL lets a reader
/// in beside the writer).
class PackdWatch {
  public:
    PackdWatch(const PackdUnderTest& packd, std::chrono::milliseconds interval, bool read_store);
    ~PackdWatch();
    PackdWatch(const PackdWatch&) = delete;
    PackdWatch& operator=(const PackdWatch&) = delete;

    void stop();
    std::vector<StatusSample> samples() const;
    std::vector<StatusSample> store_samples() const;  ///< orders and inbox only
    std::optional<StatusSample> latest() const;
    std::optional<StatusSample> latest_store() const;
    int unanswered() const { return unanswered_; }  ///< requests that timed out (2 s)
    Memory peak_memory() const;

  private:
    void count_store();

    const PackdUnderTest& packd_;
    std::chrono::milliseconds interval_;
    std::atomic<bool> stop_{false};
    std::atomic<int> unanswered_{0};
    mutable std::mutex mutex_;
    std::vector<StatusSample> samples_;
    std::vector<StatusSample> store_samples_;
    Memory peak_;
    std::thread status_thread_;
    std::thread memory_thread_;
    std::thread store_thread_;
};

/// What the store holds after the run, read from packd.db with a read-only connection.
struct StoreFacts {
    bool ok = false;
    std::string error;
    long long orders = 0;        ///< rows in orders
    long long inbox = 0;         ///< messages stored and not yet applied
    long long jobs_pending = 0;  ///< shipping print jobs not yet printed
    long long jobs_done = 0;     ///< shipping print jobs done
    long long jobs_orders = 0;   ///< distinct orders with a shipping print job
    long long jobs_reprint = 0;  ///< shipping jobs marked as a reprint
};

StoreFacts read_store(const std::string& db_path);

}  // namespace packd::bench
