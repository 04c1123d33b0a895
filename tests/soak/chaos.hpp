#pragma once
// Faults at random moments: packd killed with SIGKILL every few seconds and started again, the broker
// restarted (gracefully: mosquitto writes its persistence file, so the QoS 1 messages it acknowledged and
// queued for packd's session survive), the printer switched off and on, and a printer that goes silent in the
// middle of a job (it takes and prints the labels, then answers no status query for a while).

#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <string>

#include "soak_site.hpp"

namespace packd::soak {

struct ChaosCounts {
    int kills = 0;
    int kills_busy = 0;  ///< kills that left work in the store: inbox, outbox, stock levels or labels to send
    int broker_restarts = 0;
    int printer_outages = 0;
    int printer_silences = 0;
    int packd_crashes = 0;  ///< packd found gone although nobody stopped it
    int packd_start_failures = 0;
    std::string first_failure;
};

/// Seconds between two faults of a kind, drawn uniformly from [min, max].
struct ChaosPace {
    double kill_min = 2, kill_max = 6;
    double broker_min = 20, broker_max = 40;
    double broker_down_min = 0.5, broker_down_max = 3;
    double outage_min = 10, outage_max = 25;
    double outage_length_min = 1, outage_length_max = 8;
    double silence_min = 15, silence_max = 30;
    double silence_length_min = 3, silence_length_max = 8;
};

class Chaos {
  public:
    Chaos(Site& site, unsigned seed, ChaosPace pace = {});

    /// Brings faults until `stop`, then leaves every part running: broker up, printer on and answering, packd
    /// started.
    void run(const std::atomic<bool>& stop);
    /// Safe to call from any thread.
    ChaosCounts counts() const;

  private:
    using Clock = std::chrono::steady_clock;
    Clock::time_point after(double min_s, double max_s);
    void kill_packd();
    void restart_broker();
    void restart_packd();
    void note(const std::string& failure);

    Site& site_;
    std::mt19937 random_;
    ChaosPace pace_;
    void add(int ChaosCounts::*counter);

    mutable std::mutex mutex_;  // guards counts_, read by the soak's main thread
    ChaosCounts counts_;
};

}  // namespace packd::soak
