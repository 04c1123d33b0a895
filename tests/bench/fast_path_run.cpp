#include "fast_path_run.hpp"

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <stdexcept>
#include <tuple>

#include "bench_report.hpp"

namespace packd::bench {

using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr int kPacedRun = 1;
constexpr int kBurstRun = 2;
constexpr int kWarmUpRun = 3;
// The topic a Shopify bridge publishes orders/create webhooks to (docs/mqtt.md, "Order events in").
const std::string kOrdersTopic = "packd/v1/bench/in/orders/orders/create";

std::vector<BenchPrinter::Label> all_labels(const std::vector<std::unique_ptr<BenchPrinter>>& printers) {
    std::vector<BenchPrinter::Label> out;
    for (const auto& p : printers) {
        auto some = p->labels();
        out.insert(out.end(), some.begin(), some.end());
    }
    return out;
}

std::size_t label_count(const std::vector<std::unique_ptr<BenchPrinter>>& printers) {
    std::size_t n = 0;
    for (const auto& p : printers) {
        n += p->count();
    }
    return n;
}

/// Publishes the warm-up order once a second until its label arrives: packd is then subscribed, and a label
/// went the whole way. The same body every time is the same event, applied once.
bool warm_up(Publisher& publisher, const ShopifyOrders& orders,
             const std::vector<std::unique_ptr<BenchPrinter>>& printers, Clock::time_point deadline) {
    const std::string id = bench_order_id(kWarmUpRun, 0);
    const std::string body = orders.body(id);
    while (Clock::now() < deadline) {
        publisher.publish(kOrdersTopic, body, deadline);
        const auto until = std::min(deadline, Clock::now() + 1s);
        while (Clock::now() < until) {
            for (const auto& label : all_labels(printers)) {
                if (label.order_id == id) {
                    return true;
                }
            }
            std::this_thread::sleep_for(20ms);
        }
    }
    return false;
}

std::optional<long long> stored_of(const StatusSample& s, bool counters) {
    if (counters) {
        return s.stored;
    }
    if (s.orders && s.inbox) {
        return *s.orders + *s.inbox;
    }
    return std::nullopt;
}

std::optional<long long> applied_of(const StatusSample& s, bool counters) {
    return counters ? s.applied : s.orders;
}

/// The samples that carry the figure: the status polls with intake counters, else the status polls and the
/// store counts together.
std::vector<StatusSample> samples_of(const PackdPhase& p) {
    std::vector<StatusSample> all = p.samples;
    if (!has_intake_counters(p)) {
        all.insert(all.end(), p.store_samples.begin(), p.store_samples.end());
        if (p.last) {
            all.push_back(*p.last);
        }
        std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
    } else if (p.last) {
        all.push_back(*p.last);
    }
    return all;
}

template <class Of>
std::optional<long long> base_of(const PackdPhase& p, Of of) {
    const bool counters = has_intake_counters(p);
    if (p.baseline) {
        if (auto v = of(*p.baseline, counters)) {
            return v;
        }
    }
    return p.store_samples.empty() ? std::nullopt : of(p.store_samples.front(), counters);
}

template <class Of>
std::optional<Clock::time_point> reached_at(const PackdPhase& p, Of of) {
    const bool counters = has_intake_counters(p);
    const auto base = base_of(p, of);
    if (!base) {
        return std::nullopt;
    }
    for (const auto& s : samples_of(p)) {
        if (const auto v = of(s, counters); v && *v - *base >= static_cast<long long>(p.log.published)) {
            return s.at;
        }
    }
    return std::nullopt;
}

template <class Of>
long long by_last(const PackdPhase& p, Of of) {
    const bool counters = has_intake_counters(p);
    const auto base = base_of(p, of);
    long long most = 0;
    for (const auto& s : samples_of(p)) {
        if (const auto v = of(s, counters); v && base) {
            most = std::max(most, *v - *base);
        }
    }
    return most;
}

}  // namespace

Sizes quick_sizes() {
    Sizes s;
    s.floor_round_trips = 500;
    s.floor_flat_out = 5000;
    s.floor_commits = 500;
    s.forwarder_paced = 400;
    s.forwarder_flat_out = 5000;
    s.paced = 400;
    s.burst = 5000;
    s.floor_drain = 10s;
    s.paced_drain = 6s;
    s.burst_wait = 12s;
    s.stall = 6s;
    s.last_status = 2s;
    s.stop_grace = 5s;
    return s;
}

BenchBroker::BenchBroker(const BrokerSettings& settings) : port_(test::free_port()) {
    // As root mosquitto would switch to its own user, which cannot write to our private folder. Persistence
    // is off: with it on, mosquitto writes its database only every autosave_interval (30 min) and at exit, so
    // it would play no part in the figures, and at exit it would write out what a burst left queued.
    const passwd* me = ::getpwuid(::getuid());
    const std::string conf = dir_.file("mosquitto.conf");
    test::write_file(conf, "user " + std::string(me != nullptr ? me->pw_name : "root") + "\nlistener " +
                               std::to_string(port_) +
                               " 127.0.0.1\nallow_anonymous true\npersistence false\n" +
                               "max_queued_messages " + std::to_string(settings.max_queued_messages) + "\n" +
                               "max_queued_bytes 0\nmax_inflight_messages " +
                               std::to_string(settings.max_inflight_messages) + "\n" + "set_tcp_nodelay " +
                               (settings.tcp_nodelay ? "true" : "false") + "\n" +
                               "log_dest stderr\nlog_type error\nlog_type warning\n");
    process_ = std::make_unique<test::Process>(std::vector<std::string>{"mosquitto", "-c", conf},
                                               std::map<std::string, std::string>{}, dir_.path().string());
    if (!test::wait_for_port(port_, 10s)) {
        throw std::runtime_error("mosquitto did not start on port " + std::to_string(port_) + ": " +
                                 process_->output());
    }
}

BenchBroker::~BenchBroker() {
    process_->signal(SIGTERM);
    if (!process_->wait(10s)) {
        process_->signal(SIGKILL);
        process_->wait(5s);
    }
}

bool has_intake_counters(const PackdPhase& p) {
    return p.baseline && p.baseline->stored.has_value();
}

std::optional<Clock::time_point> stored_all_at(const PackdPhase& p) {
    return reached_at(p, stored_of);
}

std::optional<Clock::time_point> applied_all_at(const PackdPhase& p) {
    return reached_at(p, applied_of);
}

long long stored_by_last(const PackdPhase& p) {
    return by_last(p, stored_of);
}

long long applied_by_last(const PackdPhase& p) {
    return by_last(p, applied_of);
}

Clock::time_point last_sample_at(const PackdPhase& p) {
    const auto all = samples_of(p);
    return all.empty() ? p.log.first : all.back().at;
}

PackdPhase run_packd(const BenchBroker& broker, const ShopifyOrders& orders, const Sizes& sizes, bool burst) {
    PackdPhase p;
    p.burst = burst;
    p.name = burst ? "burst" : "paced";
    p.orders = burst ? sizes.burst : sizes.paced;
    const int run = burst ? kBurstRun : kPacedRun;
    test::TempDir dir;
    std::vector<std::unique_ptr<BenchPrinter>> printers;
    std::vector<StationPrinter> stations;
    for (std::size_t i = 1; i <= sizes.stations; ++i) {
        printers.push_back(std::make_unique<BenchPrinter>());
        stations.push_back(
            {"pack" + std::to_string(i), "zebra" + std::to_string(i), printers.back()->port()});
    }
    p.labels_printer = stations.front().printer;
    std::unique_ptr<PackdUnderTest> packd;
    try {
        packd = std::make_unique<PackdUnderTest>(dir, broker.port(), stations, p.labels_printer, orders,
                                                 static_cast<long>(p.orders) * 4 + 1000);
    } catch (const std::exception& e) {
        p.failure = e.what();
        return p;
    }
    p.at_start = process_memory(packd->pid());
    const auto finish = [&] {
        for (const auto& printer : printers) {
            p.label_bytes = std::max(p.label_bytes, printer->first_format().size());
            p.labels_per_printer.push_back(printer->count());
            p.status_checks_per_printer.push_back(printer->status_queries());
        }
        const auto stopping = Clock::now();
        p.exit_code = packd->stop(sizes.stop_grace);
        p.stop_ms = ms_between(stopping, Clock::now());
        p.stopped_ms = ms_between(p.log.first, Clock::now());
        p.log_bytes = packd->log_size();
        p.packd_log = packd->log_tail(1 << 20);
        p.store = read_store(packd->db_path());
        const auto labels = all_labels(printers);
        p.delivery = match_labels(p.log, run, labels);
        std::map<std::string, int> copies;
        for (const auto& label : labels) {
            if (!label.order_id.empty() && ++copies[label.order_id] == 2) {
                ++p.all_doubled;
            }
        }
    };
    Publisher publisher(broker.port(), "bench-shop-" + p.name + "-" + std::to_string(::getpid()),
                        sizes.window);
    if (!warm_up(publisher, orders, printers, Clock::now() + 30s)) {
        p.failure = "the warm-up order's label did not arrive within 30 s";
        finish();
        return p;
    }
    // A repeat of the warm-up order may still be on its way: let it land before the baseline.
    std::this_thread::sleep_for(500ms);
    p.loop_reset = packd->admin({{"cmd", "loop"}, {"reset", true}}, 5s).has_value();
    if (auto answer = packd->admin({{"cmd", "status"}}, 5s)) {
        p.baseline = sample_status(*answer, Clock::now(), 0);
    }
    const double cpu_before = process_cpu_ms(packd->pid());
    {
        // Without intake counters the store itself says what is committed, even while the loop cannot answer.
        const bool counters = p.baseline && p.baseline->stored;
        PackdWatch watch(*packd, burst ? 50ms : 100ms, !counters);
        // Matching is only worth it once enough formats arrived (the warm-up order's is one of them).
        const auto all_in = [&] {
            return label_count(printers) >= p.log.published + 1 &&
                   match_labels(p.log, run, all_labels(printers)).labelled >= p.log.published;
        };
        const auto progress = [&] {
            // Stored and applied move on either the status counters or the store's own counts.
            const auto s = watch.latest();
            const auto db = watch.latest_store();
            return std::make_tuple(label_count(printers), s ? s->stored : std::nullopt,
                                   s ? s->applied : std::nullopt, db ? db->orders : std::nullopt,
                                   db ? db->inbox : std::nullopt);
        };
        bool done = false;
        if (burst) {
            p.log = publish_flat_out(publisher, orders, kOrdersTopic, run, p.orders,
                                     Clock::now() + sizes.burst_wait);
            done = wait_until(all_in, progress, p.log.first + sizes.burst_wait, sizes.stall);
        } else {
            const auto publishing = std::chrono::duration_cast<Clock::duration>(
                std::chrono::duration<double>(static_cast<double>(p.orders) / sizes.rate));
            p.log = publish_paced(publisher, orders, kOrdersTopic, run, p.orders, sizes.rate,
                                  Clock::now() + publishing + sizes.paced_drain);
            done = wait_until(all_in, progress, p.log.last + sizes.paced_drain, sizes.stall);
        }
        p.complete = done;
        p.waited_ms = ms_between(p.log.first, Clock::now());
        p.cpu_ms = process_cpu_ms(packd->pid()) - cpu_before;
        watch.stop();
        p.samples = watch.samples();
        p.store_samples = watch.store_samples();
        p.unanswered = watch.unanswered();
        p.peak = watch.peak_memory();
    }
    const auto asked = Clock::now();
    if (auto answer = packd->admin({{"cmd", "status"}}, sizes.last_status)) {
        p.last = sample_status(*answer, Clock::now(), ms_between(asked, Clock::now()));
        if (answer->contains("status") && (*answer)["status"].contains("loop")) {
            p.loop = (*answer)["status"]["loop"];
        }
    }
    if (!p.loop && p.loop_reset) {
        if (auto answer = packd->admin({{"cmd", "loop"}}, sizes.last_status);
            answer && answer->contains("loop")) {
            p.loop = (*answer)["loop"];
        }
    }
    if (!p.complete) {
        p.failure = "not every label arrived: gave up after " + fixed(p.waited_ms / 1000.0, 1) + " s";
    }
    finish();
    return p;
}

}  // namespace packd::bench
