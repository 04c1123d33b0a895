#include "chaos.hpp"

#include <thread>

#include "soak_store.hpp"

namespace packd::soak {

using namespace std::chrono_literals;

Chaos::Chaos(Site& site, unsigned seed, ChaosPace pace) : site_(site), random_(seed), pace_(pace) {}

Chaos::Clock::time_point Chaos::after(double min_s, double max_s) {
    const double s = std::uniform_real_distribution<double>(min_s, max_s)(random_);
    return Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(s * 1000));
}

void Chaos::add(int ChaosCounts::*counter) {
    std::lock_guard lock(mutex_);
    ++(counts_.*counter);
}

ChaosCounts Chaos::counts() const {
    std::lock_guard lock(mutex_);
    return counts_;
}

void Chaos::note(const std::string& failure) {
    std::lock_guard lock(mutex_);
    if (counts_.first_failure.empty()) {
        counts_.first_failure = failure;
    }
}

void Chaos::run(const std::atomic<bool>& stop) {
    auto next_kill = after(pace_.kill_min, pace_.kill_max);
    auto next_broker = after(pace_.broker_min, pace_.broker_max);
    auto next_outage = after(pace_.outage_min, pace_.outage_max);
    auto next_silence = after(pace_.silence_min, pace_.silence_max);
    auto printer_back = Clock::time_point::max();
    auto answers_back = Clock::time_point::max();
    while (!stop) {
        std::this_thread::sleep_for(20ms);
        const auto now = Clock::now();
        if (!site_.packd_alive()) {
            add(&ChaosCounts::packd_crashes);
            note("packd exited by itself");
            restart_packd();
        }
        if (now >= next_kill) {
            kill_packd();
            next_kill = after(pace_.kill_min, pace_.kill_max);
        }
        if (now >= next_broker) {
            restart_broker();
            next_broker = after(pace_.broker_min, pace_.broker_max);
        }
        if (now >= next_outage && printer_back == Clock::time_point::max()) {
            site_.printer().set_online(false);
            add(&ChaosCounts::printer_outages);
            printer_back = after(pace_.outage_length_min, pace_.outage_length_max);
        }
        if (now >= printer_back) {
            site_.printer().set_online(true);
            printer_back = Clock::time_point::max();
            next_outage = after(pace_.outage_min, pace_.outage_max);
        }
        if (now >= next_silence && answers_back == Clock::time_point::max()) {
            site_.printer().silent_after_next_format();
            add(&ChaosCounts::printer_silences);
            answers_back = after(pace_.silence_length_min, pace_.silence_length_max);
        }
        if (now >= answers_back) {
            site_.printer().set_answer(test::ZplPrinterEmulator::Answer::status);
            answers_back = Clock::time_point::max();
            next_silence = after(pace_.silence_min, pace_.silence_max);
        }
    }
    // Everything up again for the drain.
    site_.printer().set_online(true);
    site_.printer().set_answer(test::ZplPrinterEmulator::Answer::status);
    if (!site_.packd_alive()) {
        add(&ChaosCounts::packd_crashes);
        note("packd exited by itself");
        restart_packd();
    }
}

void Chaos::kill_packd() {
    site_.kill_packd();
    add(&ChaosCounts::kills);
    // Did the kill land on work in progress? What packd left in its store says so.
    StoreReader store(site_.store_path());
    const auto busy = store.scalar(
        "SELECT (SELECT count(*) FROM inbox) + (SELECT count(*) FROM outbox) + "
        "(SELECT count(*) FROM stock_out WHERE version > published) + "
        "(SELECT count(*) FROM print_jobs WHERE state IN ('pending', 'sending'))");
    if (busy && *busy > 0) {
        add(&ChaosCounts::kills_busy);
    }
    restart_packd();
}

void Chaos::restart_packd() {
    for (int attempt = 0; attempt < 3; ++attempt) {
        if (site_.start_packd()) {
            return;
        }
        add(&ChaosCounts::packd_start_failures);
        note(site_.last_error());
        site_.kill_packd();
    }
}

void Chaos::restart_broker() {
    site_.broker().stop();
    add(&ChaosCounts::broker_restarts);
    const double down =
        std::uniform_real_distribution<double>(pace_.broker_down_min, pace_.broker_down_max)(random_);
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(down * 1000)));
    for (int attempt = 0;; ++attempt) {
        try {
            site_.broker().start();
            return;
        } catch (const std::exception& e) {
            if (attempt == 5) {
                throw;  // no broker, no soak
            }
            note(std::string("broker restart: ") + e.what());
            std::this_thread::sleep_for(1s);
        }
    }
}

}  // namespace packd::soak
