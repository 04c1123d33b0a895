// The crash soak: the real packd under a steady stream of shop events, pack flows at its station and faults
// (kill -9, broker restarts, printer outages, a printer that goes silent mid-job) for a given time; then the
// faults stop, everything drains, and the store, the shop's view and the printer's paper are checked against
// each other (soak_checks.hpp). Prints one summary line and exits non-zero on any loss or doubling.
//
//   packd_soak [--duration 60s|30m|1h] [--rate EVENTS_PER_S] [--seed N] [--drain-timeout SECONDS] [--keep]

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>
#include <string>
#include <thread>

#include "chaos.hpp"
#include "packer.hpp"
#include "shop_listener.hpp"
#include "shop_publisher.hpp"
#include "soak_checks.hpp"
#include "soak_site.hpp"
#include "soak_store.hpp"

namespace packd::soak {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Options {
    std::string duration_text = "3m";
    std::chrono::seconds duration{180};
    double rate = 20;
    unsigned seed = 0;
    std::chrono::seconds drain_timeout{600};
    bool keep = false;
};

/// "90", "90s", "30m", "1h".
std::optional<std::chrono::seconds> parse_duration(const std::string& text) {
    std::size_t used = 0;
    long value = 0;
    try {
        value = std::stol(text, &used);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    const std::string unit = text.substr(used);
    const long factor = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : 0;
    if (factor == 0 || value <= 0) {
        return std::nullopt;
    }
    return std::chrono::seconds(value * factor);
}

std::optional<Options> parse(int argc, char** argv) {
    Options o;
    o.seed = static_cast<unsigned>(std::chrono::system_clock::now().time_since_epoch().count());
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "--keep") {
            o.keep = true;
        } else if (arg == "--duration" && has_value) {
            o.duration_text = argv[++i];
            auto d = parse_duration(o.duration_text);
            if (!d) {
                return std::nullopt;
            }
            o.duration = *d;
        } else if (arg == "--drain-timeout" && has_value) {
            auto d = parse_duration(argv[++i]);
            if (!d) {
                return std::nullopt;
            }
            o.drain_timeout = *d;
        } else if (arg == "--rate" && has_value) {
            o.rate = std::atof(argv[++i]);
            if (o.rate <= 0 || o.rate > 1000) {
                return std::nullopt;
            }
        } else if (arg == "--seed" && has_value) {
            o.seed = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
        } else {
            return std::nullopt;
        }
    }
    return o;
}

/// Waits until packd has applied everything the broker acknowledged and sent everything it had to send, the
/// printer queue is empty and the shop has heard nothing new for a while.
bool drain(Site& site, ShopPublisher& publisher, ShopListener& listener, std::chrono::seconds timeout) {
    StoreReader store(site.store_path());
    const auto deadline = Clock::now() + timeout;
    std::size_t heard = listener.messages();
    auto quiet_since = Clock::now();
    while (Clock::now() < deadline) {
        std::this_thread::sleep_for(500ms);
        if (listener.messages() != heard) {
            heard = listener.messages();
            quiet_since = Clock::now();
            continue;
        }
        const auto busy = store.scalar(
            "SELECT (SELECT count(*) FROM inbox) + (SELECT count(*) FROM outbox) + (SELECT count(*) FROM "
            "stock_out "
            "WHERE version > published) + (SELECT count(*) FROM print_jobs WHERE state IN ('pending', "
            "'sending'))");
        if (!busy || *busy > 0) {
            quiet_since = Clock::now();
            continue;
        }
        const auto applied = store.rows("SELECT event_id FROM applied_events");
        if (!applied) {
            quiet_since = Clock::now();
            continue;
        }
        std::set<std::string> ids;
        for (const auto& row : *applied) {
            ids.insert(row.front());
        }
        std::size_t unapplied = 0;
        for (const std::string& id : publisher.acked_ids()) {
            unapplied += ids.count(id) == 0 ? 1U : 0U;
        }
        if (unapplied > 0) {
            quiet_since = Clock::now();
            continue;
        }
        if (Clock::now() - quiet_since >= 5s) {
            return true;
        }
    }
    return false;
}

int soak(const Options& o) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "packd-soak-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
        std::cerr << "packd_soak: cannot make a folder in " << std::filesystem::temp_directory_path() << "\n";
        return 2;
    }
    const std::filesystem::path dir = tmpl;
    std::cerr << "soak: " << o.duration_text << " at " << o.rate << " events/s, seed " << o.seed << ", in "
              << dir << "\n";
    bool failed = true;
    {
        Site site(dir);
        const std::string prefix = site.topic("");
        if (!site.start_packd() || !site.packd_says("subscribed to " + prefix + "in/#", 60s) ||
            !site.seed()) {
            std::cerr << "soak: packd did not start: " << site.last_error() << "\n";
            return 2;
        }
        ShopPublisher publisher(site.broker().uri(), prefix, o.seed, o.rate);
        ShopListener listener(site.broker().uri(), prefix,
                              [&](const std::string& id) { publisher.shipped(id); });
        Packer packer(site);
        Chaos chaos(site, o.seed + 1);
        std::atomic<bool> stop_chaos{false}, stop_shop{false}, stop_packer{false};
        std::thread shop_thread([&] { publisher.run(stop_shop); });
        std::thread packer_thread([&] { packer.run(stop_packer); });
        std::thread chaos_thread([&] { chaos.run(stop_chaos); });

        const auto start = Clock::now();
        for (auto next = start + 60s; Clock::now() < start + o.duration;) {
            std::this_thread::sleep_for(200ms);
            if (Clock::now() >= next) {
                next += 60s;
                const auto c = chaos.counts();
                std::cerr << "soak: "
                          << std::chrono::duration_cast<std::chrono::minutes>(Clock::now() - start).count()
                          << " min, " << publisher.published() << " events, " << c.kills << " kills, "
                          << packer.counts().shipped << " shipped at the station, "
                          << packer.counts().put_aside << " put aside, " << site.printer().formats_received()
                          << " labels at the printer\n";
            }
        }
        stop_chaos = true;
        chaos_thread.join();
        stop_shop = true;
        shop_thread.join();
        stop_packer = true;
        packer_thread.join();
        std::cerr << "soak: faults stopped; draining\n";
        publisher.finish(120s);
        const bool drained = drain(site, publisher, listener, o.drain_timeout);

        SoakEvidence evidence;
        evidence.events = publisher.events();
        evidence.heard = listener.heard();
        evidence.retained_stock = retained_stock(site.broker().uri(), prefix);
        evidence.printed = site.printer().printed();
        const auto verify = site.packctl({"verify"});
        evidence.verify_ok = verify.code == 0;
        evidence.verify_output = verify.output;
        const int exit_code = site.stop_packd();
        evidence.packd_logs = site.packd_logs();

        StoreReader store(site.store_path());
        Findings findings = check_soak(store, evidence);
        if (!drained) {
            findings.problems.insert(findings.problems.begin(),
                                     "the store did not drain within the time given");
        }
        if (exit_code != 0) {
            findings.problem(findings.crash_lines,
                             "packd exited with " + std::to_string(exit_code) + " on SIGTERM");
        }
        ChaosCounts counts = chaos.counts();
        if (counts.kills >= 5 && counts.kills_busy == 0) {
            findings.problems.push_back("no kill found work in progress: the soak proved nothing");
            counts.packd_start_failures += 1;  // fails the run
        }
        if (!counts.first_failure.empty()) {
            findings.problems.push_back("chaos: " + counts.first_failure);
        }
        for (const std::string& p : findings.problems) {
            std::cerr << "soak: " << p << "\n";
        }
        const std::string line = summary_line(o.duration_text, findings, counts, packer.counts());
        std::cout << line << std::endl;
        failed = line.find("result=PASS") == std::string::npos;
    }
    if (failed || o.keep) {
        std::cerr << "soak: logs and store kept in " << dir << "\n";
    } else {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    return failed ? 1 : 0;
}

}  // namespace
}  // namespace packd::soak

int main(int argc, char** argv) {
    const auto options = packd::soak::parse(argc, argv);
    if (!options) {
        std::cerr << "usage: packd_soak [--duration 60s|30m|1h] [--rate EVENTS_PER_S] [--seed N] "
                     "[--drain-timeout SECONDS] [--keep]\n";
        return 2;
    }
    try {
        return packd::soak::soak(*options);
    } catch (const std::exception& e) {
        std::cerr << "packd_soak: " << e.what() << "\n";
        return 2;
    }
}
