// The merchant rules benchmark: what the rule engine adds to the handling of one order event. Orders are
// applied through OrderBook::create on a real SQLite store, each as a savepoint of a batch transaction, as
// the intake applies messages; the rules of the order's order.accepted run when the savepoint is released.
// The floor is the same order on the same kind of store with no rules loaded, measured in the same run,
// batch by batch in turn with the other set-ups so that all of them see the same machine. It prints figures
// and asserts nothing; docs/PERFORMANCE.md says how to read them.
//
//   packd_rules_bench [--quick] [--dir FOLDER]

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <sqlite3.h>

#include "bench_machine.hpp"
#include "bench_report.hpp"
#include "packd/common/log.hpp"
#include "packd/fulfillment/intake/order_intake.hpp"
#include "packd/fulfillment/inventory/inventory.hpp"
#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/rules/rule_actions.hpp"
#include "packd/fulfillment/rules/rule_engine.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace {

using namespace packd::bench;
namespace ful = packd::fulfillment;

constexpr int kRules = 50;
constexpr int kSkus = 100;
constexpr int kBatch = 20;  ///< orders per durable commit, each a savepoint of its own

[[noreturn]] void die(const std::string& what) {
    throw std::runtime_error(what);
}

template <class Outcome>
void need(const Outcome& outcome, std::string_view what) {
    if (!outcome) {
        die(std::string(what) + ": " + outcome.error().message);
    }
}

double thread_cpu_us() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

std::string sku_of(int i) {
    return "SKU-" + std::to_string(1000 + i);
}

// ---------------------------------------------------------------------------------------------------------
// The rules.

/// One rule on `trigger` whose condition is one of five shapes over the order's total, its country and its
/// lines; false for every order of the run unless `fires`, and then it tags the order.
std::string rule_text(int i, const std::string& trigger, bool fires) {
    std::string condition;
    if (fires) {
        condition = "order.total >= 0 and #order.lines > 0";
    } else {
        switch (i % 5) {
            case 0:
                condition = "order.total > " + std::to_string(10000 + i);
                break;
            case 1:
                condition = "order.ship_to.country == 'X" + std::to_string(i) + "'";
                break;
            case 2:
                condition = "#order.lines > " + std::to_string(20 + i);
                break;
            case 3:
                condition = "has_sku(order, 'NONE-" + std::to_string(i) + "')";
                break;
            default:
                condition = "order.total > 5000 and order.ship_to.country == 'DE'";
                break;
        }
    }
    return "[[rule]]\nname = \"r" + std::to_string(i) + "\"\non = \"" + trigger + "\"\nif = \"" + condition +
           "\"\n\n[[rule.do]]\naction = \"tag\"\ntag = \"t{{ " + std::to_string(i) + " }}\"\n\n";
}

/// `count` rules on `trigger`, of which the ones in `firing` tag; with the setup their conditions use.
std::string rules_file(int count, const std::string& trigger, const std::vector<int>& firing) {
    std::string text =
        "setup = \"\"\"\nfunction has_sku(o, sku)\n  for _, l in ipairs(o.lines) do\n    if l.sku == sku "
        "then "
        "return true end\n  end\n  return false\nend\n\"\"\"\n\n";
    for (int i = 0; i < count; ++i) {
        text += rule_text(i, trigger, std::count(firing.begin(), firing.end(), i) > 0);
    }
    return text;
}

// ---------------------------------------------------------------------------------------------------------
// One set-up: a store of its own with the areas and the engine wired as the daemon wires them.

struct Setup {
    std::string name;
    std::string rules;  ///< the rules file; empty: none loaded
    int listening = 0;  ///< rules on order.accepted
    int firing = 0;     ///< of those, the ones that match every order

    std::unique_ptr<ful::Store> store;
    std::unique_ptr<ful::Inventory> inventory;
    std::unique_ptr<ful::OrderBook> orders;
    std::unique_ptr<ful::OrderIntake> intake;
    std::unique_ptr<ful::RuleEngine> engine;
    std::unique_ptr<ful::RuleEffects> effects;

    std::vector<double> wall_us;  ///< per order: create and its rules, the savepoint released
    double cpu_us = 0;            ///< summed over the measured orders
    std::vector<double> commit_us;
    int measured = 0;

    void open(const std::string& path, ful::Topics topics) {
        auto opened = ful::Store::open(path);
        if (!opened) {
            die("opening " + path + ": " + opened.error().message);
        }
        store = std::move(*opened);
        inventory = std::make_unique<ful::Inventory>(*store, topics);
        orders = std::make_unique<ful::OrderBook>(*store, *inventory, topics);
        intake = std::make_unique<ful::OrderIntake>(*store, *orders, *inventory, topics, size_t{1} << 20);
        engine = std::make_unique<ful::RuleEngine>(*store, *orders, *inventory, topics);
        effects = std::make_unique<ful::RuleEffects>(*store, *orders, *intake, topics);
        engine->set_actions(effects.get());
        if (!rules.empty()) {
            need(engine->load({{"rules/bench.toml", rules}}, ful::RuleSettings{}),
                 name + ": loading the rules");
        }
        store->set_event_sink(engine.get(), engine.get());
        ful::Transaction tx(store->db());
        need(inventory->put_location("A-01", "bin"), "location");
        for (int i = 0; i < kSkus; ++i) {
            need(inventory->put_product(
                     {sku_of(i), "Article " + std::to_string(i), 200 + i, {}, {}, {}, 0, 0, true}),
                 "product");
            need(inventory->record(
                     {sku_of(i), "A-01", "", "", 1000000, ful::MovementReason::receive, "", "", "", ""}),
                 "stock");
        }
        tx.commit();
    }

    ~Setup() {
        if (store) {
            store->set_event_sink(nullptr, nullptr);
        }
    }
};

ful::OrderEvent order_event(int n) {
    static const char* const kCountries[] = {"DE", "AT", "NL", "FR", "DK"};
    ful::OrderEvent ev;
    ev.event_id = "evt-" + std::to_string(n);
    ev.type = ful::OrderEventType::created;
    ev.order_id = "SO-" + std::to_string(100000 + n);
    ev.lines = {{sku_of(n % kSkus), 1 + n % 3}, {sku_of((n + 7) % kSkus), 1}, {sku_of((n + 13) % kSkus), 2}};
    // One order in ten goes to the same address, so that the same-address counts find something.
    if (n % 10 == 0) {
        ev.ship_to = {"Erika Mustermann", "", "Heidestrasse 17", "", "Koeln", "", "51147", "DE"};
    } else {
        ev.ship_to = {"Customer " + std::to_string(n),
                      "",
                      "Hauptstr. " + std::to_string(1 + n % 90),
                      "",
                      "Koeln",
                      "",
                      std::to_string(50000 + n % 999),
                      kCountries[n % 5]};
    }
    ev.carrier = "DHL";
    return ev;
}

std::string original_of(int n) {
    return nlohmann::json{
        {"order", {{"total", 20 + (n * 37) % 400}, {"currency", "EUR"}, {"email", "c@example.com"}}}}
        .dump();
}

/// One batch of orders on `s`: each order a savepoint (its rules run when it is released), then one
/// durable commit.
void run_batch(Setup& s, int first, bool measure) {
    ful::Transaction tx(s.store->db());
    for (int n = first; n < first + kBatch; ++n) {
        const ful::OrderEvent ev = order_event(n);
        const std::string original = original_of(n);
        const double cpu0 = thread_cpu_us();
        const auto t0 = Clock::now();
        {
            ful::Transaction part(s.store->db());
            auto created = s.orders->create(ev, original, "bench");
            if (!created) {
                die(s.name + ": order " + ev.order_id + ": " + created.error().message);
            }
            part.commit();
        }
        const double us = ms_between(t0, Clock::now()) * 1000.0;
        if (measure) {
            s.wall_us.push_back(us);
            s.cpu_us += thread_cpu_us() - cpu0;
            ++s.measured;
        }
    }
    const auto c0 = Clock::now();
    tx.commit();
    if (measure) {
        s.commit_us.push_back(ms_between(c0, Clock::now()) * 1000.0);
    }
}

std::string us_text(double us) {
    return fixed(us, us < 10 ? 2 : 1) + " us";
}

int64_t scalar(ful::Store& store, const std::string& sql) {
    auto st = store.db().prepare(sql);
    return st.step() ? st.int64(0) : -1;
}

/// A fresh folder for the run, removed with everything in it at the end.
class RunFolder {
  public:
    explicit RunFolder(const std::string& parent) {
        std::string tmpl = parent + "/packd-rules-bench-XXXXXX";
        if (::mkdtemp(tmpl.data()) == nullptr) {
            die("cannot make a folder under " + parent + ": " + std::strerror(errno));
        }
        path_ = tmpl;
    }
    ~RunFolder() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    RunFolder(const RunFolder&) = delete;
    RunFolder& operator=(const RunFolder&) = delete;
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

int bench_main(int argc, char** argv) {
    bool quick = false;
    std::string parent = "/tmp";
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--quick") {
            quick = true;
        } else if (arg == "--dir" && i + 1 < argc) {
            parent = argv[++i];
        } else {
            std::cerr << "usage: packd_rules_bench [--quick] [--dir FOLDER]\n";
            return arg == "--help" || arg == "-h" ? 0 : 2;
        }
    }
    packd::log::set_threshold(packd::log::Level::warning);  // a line per rule fired would be measured too
    const int batches = quick ? 15 : 100;                   // measured, after one batch of warm-up
    const RunFolder folder(parent);
    const ful::Topics topics("packd/v1", "bench");
    const std::vector<int> firing = {7, 23, 41};

    std::vector<std::unique_ptr<Setup>> setups;
    auto add = [&](std::string name, std::string rules, int listening, int fires) {
        auto s = std::make_unique<Setup>();
        s->name = std::move(name);
        s->rules = std::move(rules);
        s->listening = listening;
        s->firing = fires;
        s->open(folder.path() + "/" + std::to_string(setups.size()) + ".db", topics);
        setups.push_back(std::move(s));
    };
    add("floor: no rules loaded", "", 0, 0);
    add("1 rule on order.accepted, false", rules_file(1, "order.accepted", {}), 1, 0);
    add("50 rules on order.accepted, 3 tag", rules_file(kRules, "order.accepted", firing), kRules, 3);
    add("50 rules on order.accepted, none true", rules_file(kRules, "order.accepted", {}), kRules, 0);
    add("50 rules on order.shipped (none listens)", rules_file(kRules, "order.shipped", firing), 0, 0);

    std::cout << "packd merchant rules benchmark" << (quick ? " (--quick)" : "") << "\n"
              << "  cpu:        " << cpu_model() << ", " << ::sysconf(_SC_NPROCESSORS_ONLN) << " online\n"
              << "  kernel:     " << kernel() << "\n"
              << "  load:       " << load_average() << " (1, 5, 15 min) at the start\n"
              << "  folder:     " << folder.path() << " (" << filesystem_of(folder.path()) << ")\n"
              << "  sqlite:     " << sqlite3_libversion() << "\n"
              << "  compiler:   " << __VERSION__
#ifdef NDEBUG
              << ", NDEBUG"
#else
              << ", assertions on (not a Release build: figures are pessimistic)"
#endif
              << "\n  orders:     " << batches * kBatch << " per set-up, " << kBatch
              << " per durable commit, each a savepoint; 3 lines each\n"
              << std::flush;

    // Warm-up, then the set-ups take turns batch by batch: a busy minute on the box hits all of them.
    int next = 0;
    for (auto& s : setups) {
        run_batch(*s, next, false);
    }
    next += kBatch;
    for (int b = 0; b < batches; ++b) {
        for (size_t k = 0; k < setups.size(); ++k) {
            // Which set-up goes first turns too.
            run_batch(*setups[(k + static_cast<size_t>(b)) % setups.size()], next, true);
        }
        next += kBatch;
    }

    const Setup& floor = *setups[0];
    const double floor_cpu = floor.cpu_us / floor.measured;
    const double floor_p50 = percentile(floor.wall_us, 50);
    std::vector<Row> rows;
    for (size_t k = 0; k < setups.size(); ++k) {
        const Setup& s = *setups[k];
        const double cpu = s.cpu_us / s.measured;
        const double p50 = percentile(s.wall_us, 50);
        std::string notes;
        if (k > 0) {
            notes =
                "+" + us_text(cpu - floor_cpu) + " CPU, +" + us_text(p50 - floor_p50) + " p50 over the floor";
            if (s.listening > 1) {
                notes += "; " + us_text((cpu - floor_cpu) / s.listening) + " CPU per rule and event";
                // Beyond the first rule: what one more rule costs, the event's own share (its names, the
                // order read from the store) paid once.
                const Setup& one = *setups[1];
                notes += " (" + us_text((cpu - one.cpu_us / one.measured) / (s.listening - 1)) +
                         " beyond the first)";
            }
        }
        rows.push_back({k == 0 ? "F" : std::to_string(k), s.name, std::to_string(s.measured),
                        us_text(cpu) + " CPU", us_text(p50), us_text(percentile(s.wall_us, 99)), notes});
    }
    std::cout << "\nper order event: OrderBook::create in a savepoint, its rules run at the release\n";
    print_table(rows);

    // The engine's own count of each rule's time (condition and actions, without the trace row).
    std::cout << "\ndetails\n";
    for (size_t k = 1; k < setups.size(); ++k) {
        const Setup& s = *setups[k];
        int64_t runs = 0;
        int64_t micros = 0;
        int64_t fired = 0;
        for (const auto& r : s.engine->list()) {
            runs += r["runs"].get<int64_t>();
            micros += r["micros"].get<int64_t>();
            fired += r["fired"].get<int64_t>();
        }
        std::cout << "  " << k << ": " << runs << " rule runs, " << fired << " fired, "
                  << scalar(*s.store, "SELECT count(*) FROM rule_runs") << " trace rows; engine's own time "
                  << (runs > 0 ? us_text(static_cast<double>(micros) / static_cast<double>(runs))
                               : std::string("-"))
                  << " per rule run (whole microseconds per run, summed)\n";
    }
    for (const auto& s : setups) {
        const std::string tagged =
            scalar(*s->store, "SELECT count(*) FROM orders WHERE tags <> ''") > 0 ? "yes" : "no";
        std::cout << "  durable commit of " << kBatch << " orders, " << s->name << ": p50 "
                  << ms_text(percentile(s->commit_us, 50) / 1000.0) << ", p99 "
                  << ms_text(percentile(s->commit_us, 99) / 1000.0) << "; orders tagged: " << tagged << "\n";
    }
    std::cout << "  load at the end: " << load_average() << "\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return bench_main(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "packd_rules_bench: " << e.what() << "\n";
        return 1;
    }
}
