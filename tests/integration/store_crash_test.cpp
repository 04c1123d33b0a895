// Kill -9 at any point loses no committed movement and leaves no half order: a writer process
// (tests/support/store_writer.cpp) is killed at random moments, and after each kill the store
// must open and hold every invariant, and everything the writer's journal says it committed.
// The journal is written after each commit, so journal lines are a subset of the store.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "packd/fulfillment/domain/topics.hpp"
#include "packd/fulfillment/inventory/inventory.hpp"
#include "packd/fulfillment/store/store.hpp"
#include "test_env.hpp"

namespace packd::test {
namespace {

using namespace std::chrono_literals;
using fulfillment::Store;

const fulfillment::Topics kTopics("packd", "crash");  // as the writer has them

/// What one look at the store after a kill found.
struct CrashCheck {
    int64_t movements = 0;
    std::map<std::string, int64_t> journaled;  ///< journal lines by kind, cancels counted apart
    std::vector<std::string> problems;
};

using Rows = std::vector<std::vector<std::string>>;

Rows rows(Store& store, const std::string& sql, int columns) {
    Rows out;
    auto st = store.db().prepare(sql);
    while (st.step()) {
        std::vector<std::string> row;
        for (int c = 0; c < columns; ++c) {
            row.push_back(st.text(c));
        }
        out.push_back(std::move(row));
    }
    return out;
}

/// How far an order got; cancelled is apart (any state before shipped may end there).
int rank(const std::string& state) {
    static const std::vector<std::string> kOrder = {"received", "held",     "accepted", "picking",
                                                    "packed",   "labelled", "shipped"};
    for (size_t i = 0; i < kOrder.size(); ++i) {
        if (kOrder[i] == state) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

/// The line count the writer put into an order id "O<n>-L<lines>".
std::optional<int64_t> lines_in_id(const std::string& id) {
    const auto at = id.rfind("-L");
    if (id.empty() || id[0] != 'O' || at == std::string::npos || at + 2 >= id.size()) {
        return std::nullopt;
    }
    try {
        return std::stoll(id.substr(at + 2));
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

/// A kill can land inside the journal's write(); only whole lines are claims. Cuts a torn
/// tail off so the next writer starts on a line of its own; true if there was one.
bool trim_torn_tail(const std::string& path) {
    const std::string text = read_file(path);
    if (text.empty() || text.back() == '\n') {
        return false;
    }
    const auto last = text.rfind('\n');
    std::filesystem::resize_file(path, last == std::string::npos ? 0 : last + 1);
    return true;
}

void check_database(Store& store, CrashCheck& out) {
    for (const auto& r : rows(store, "PRAGMA integrity_check", 1)) {
        if (r[0] != "ok") {
            out.problems.push_back("integrity_check: " + r[0]);
        }
    }
    for (const auto& r : rows(store, "PRAGMA foreign_key_check", 3)) {
        out.problems.push_back("foreign key: a row of " + r[0] + " (rowid " + r[1] + ") names a missing " +
                               r[2]);
    }
    fulfillment::Inventory inventory(store, kTopics);
    const auto report = inventory.verify();
    out.movements = report.movements;
    for (const auto& p : report.problems) {
        out.problems.push_back("verify: " + p);
    }
}

/// Every order whole: all its lines, past 'received', its event applied, its status queued,
/// and shipped exactly when it has a shipment, ship movements and a shipment message.
void check_orders(Store& store, CrashCheck& out) {
    std::set<std::string> topics;
    std::set<std::string> shipment_messages;
    for (const auto& r : rows(store, "SELECT topic, payload FROM outbox", 2)) {
        topics.insert(r[0]);
        if (r[0] == kTopics.shipments()) {
            shipment_messages.insert(nlohmann::json::parse(r[1]).at("order_id").get<std::string>());
        }
    }
    // Per order totals in one pass each: the ledger has no index by reference.
    std::map<std::string, std::string> shipped_units;
    for (const auto& r : rows(store,
                              "SELECT reference, -sum(delta) FROM movements WHERE reason = 'ship'"
                              " GROUP BY reference",
                              2)) {
        shipped_units[r[0]] = r[1];
    }
    std::map<std::string, std::string> shipment_rows;
    for (const auto& r : rows(store, "SELECT order_id, count(*) FROM shipments GROUP BY order_id", 2)) {
        shipment_rows[r[0]] = r[1];
    }
    const Rows orders =
        rows(store,
             "SELECT o.id, o.state,"
             " (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id),"
             " (SELECT coalesce(max(line_no), 0) FROM order_lines l WHERE l.order_id = o.id),"
             " (SELECT coalesce(sum(quantity), 0) FROM order_lines l WHERE l.order_id = o.id),"
             " (SELECT count(*) FROM applied_events e WHERE e.event_id = o.event_id)"
             " FROM orders o ORDER BY o.id",
             6);
    for (const auto& r : orders) {
        const std::string& id = r[0];
        const std::string& state = r[1];
        const std::string shipments = shipment_rows.count(id) ? shipment_rows[id] : "0";
        const std::string units = shipped_units.count(id) ? shipped_units[id] : "0";
        const std::string what = "order " + id + " (" + state + "): ";
        if (state == "received") {
            out.problems.push_back(what + "half an order: created but neither accepted nor held");
        }
        const auto want = lines_in_id(id);
        if (!want || std::to_string(*want) != r[2] || r[3] != r[2]) {
            out.problems.push_back(what + r[2] + " lines numbered up to " + r[3] + ", the writer wrote " +
                                   (want ? std::to_string(*want) : "an id without a line count"));
        }
        const bool shipped = state == "shipped";
        if (shipments != (shipped ? "1" : "0")) {
            out.problems.push_back(what + shipments + " shipment rows");
        }
        if (units != (shipped ? r[4] : "0")) {
            out.problems.push_back(what + "ship movements take " + units + " units, the lines order " + r[4]);
        }
        if (shipped && shipment_messages.count(id) == 0) {
            out.problems.push_back(what + "no shipment message in the outbox");
        }
        if (r[5] != "1") {
            out.problems.push_back(what + "its event is not marked applied");
        }
        if (topics.count(kTopics.order_status(id)) == 0) {
            out.problems.push_back(what + "no status message in the outbox");
        }
    }
}

/// The writer's own movements come in groups "g<n>" noted "<k>/<count>": a group is all there
/// or not at all, and a transfer's two halves cancel out.
void check_movement_groups(Store& store, CrashCheck& out) {
    const Rows groups = rows(store,
                             "SELECT reference, count(*), count(DISTINCT note), min(note), sum(delta),"
                             " sum(reason = 'transfer') FROM movements WHERE reference LIKE 'g%'"
                             " GROUP BY reference",
                             6);
    for (const auto& g : groups) {
        const std::string& note = g[3];
        const std::string size = note.substr(note.find('/') + 1);
        if (g[1] != size || g[2] != size) {
            out.problems.push_back("movement group " + g[0] + ": " + g[1] + " of " + size + " movements");
        }
        if (g[5] != "0" && (g[5] != "2" || g[1] != "2" || g[4] != "0")) {
            out.problems.push_back("transfer " + g[0] + ": " + g[5] + " transfer movements summing to " +
                                   g[4]);
        }
    }
}

/// Every journal line is in the store: journal lines are written only after their commit.
void check_journal(Store& store, const std::string& journal, CrashCheck& out) {
    auto& db = store.db();
    std::set<std::string> movement_ids;
    std::istringstream lines(journal);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream in(line);
        std::string kind;
        in >> kind;
        if (kind == "movement") {
            std::string id, sku, location, lot, expiry, delta;
            in >> id >> sku >> location >> lot >> expiry >> delta;
            ++out.journaled["movement"];
            if (!movement_ids.insert(id).second) {
                out.problems.push_back("journal: movement " + id + " committed twice");
            }
            auto st = db.prepare("SELECT sku, location, lot, expiry, delta FROM movements WHERE id = ?");
            st.bind(1, static_cast<int64_t>(std::stoll(id)));
            if (!st.step()) {
                out.problems.push_back("lost committed movement: " + line);
                continue;
            }
            const std::string stored =
                st.text(0) + " " + st.text(1) + " " + st.text(2) + " " + st.text(3) + " " + st.text(4);
            const std::string journaled = sku + " " + location + " " + (lot == "-" ? "" : lot) + " " +
                                          (expiry == "-" ? "" : expiry) + " " + delta;
            if (stored != journaled) {
                out.problems.push_back("movement " + id + " is \"" + stored + "\", committed as \"" +
                                       journaled + "\"");
            }
        } else if (kind == "order") {
            std::string id, state, count;
            in >> id >> state >> count;
            ++out.journaled[state == "cancelled" ? "cancel" : "order"];
            auto st = db.prepare(
                "SELECT state, (SELECT count(*) FROM order_lines l WHERE l.order_id = o.id) FROM orders o "
                "WHERE id = ?");
            st.bind(1, id);
            if (!st.step()) {
                out.problems.push_back("lost committed order: " + line);
                continue;
            }
            const std::string now = st.text(0);
            const bool known = state == "cancelled" || rank(state) >= 0;
            const bool ok =
                state == "cancelled" ? now == "cancelled" : now == "cancelled" || rank(now) >= rank(state);
            if (!known || !ok) {
                out.problems.push_back("order " + id + " is " + now + ", committed as " + state);
            }
            if (st.text(1) != count) {
                out.problems.push_back("order " + id + " has " + st.text(1) + " lines, committed with " +
                                       count);
            }
        } else if (kind == "ship") {
            std::string id, shipment;
            in >> id >> shipment;
            ++out.journaled["ship"];
            auto st = db.prepare(
                "SELECT o.state, (SELECT count(*) FROM shipments s WHERE s.id = ? AND s.order_id = o.id) "
                "FROM orders o WHERE o.id = ?");
            st.bind(1, static_cast<int64_t>(std::stoll(shipment))).bind(2, id);
            if (!st.step() || st.text(0) != "shipped" || st.int64(1) != 1) {
                out.problems.push_back("lost committed shipment: " + line);
            }
        } else {
            out.problems.push_back("journal: a line the writer does not write: \"" + line + "\"");
        }
    }
}

CrashCheck check_store(Store& store, const std::string& journal) {
    CrashCheck out;
    check_database(store, out);
    check_orders(store, out);
    check_movement_groups(store, out);
    check_journal(store, journal, out);
    return out;
}

int env_int(const char* name, int fallback) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

TEST(StoreCrash, KillNineLosesNoCommittedMovementAndLeavesNoHalfOrder) {
    const char* seed_env = std::getenv("PACKD_CRASH_SEED");
    const uint64_t seed =
        seed_env != nullptr && *seed_env != '\0' ? std::stoull(seed_env) : std::random_device{}();
    const int iterations = env_int("PACKD_CRASH_ITERATIONS", 25);
    std::cout << "StoreCrash seed " << seed << " (PACKD_CRASH_SEED=" << seed << " repeats it)" << std::endl;
    RecordProperty("seed", std::to_string(seed));
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937_64 rng(seed);

    TempDir dir;
    const std::string db = dir.file("packd.db");
    const std::string journal = dir.file("journal.txt");
    std::vector<int64_t> movements;
    CrashCheck last;
    int torn = 0;
    for (int i = 0; i < iterations; ++i) {
        SCOPED_TRACE("iteration " + std::to_string(i));
        const auto run_for = std::chrono::milliseconds(std::uniform_int_distribution<int>(20, 300)(rng));
        {
            Process writer({PACKD_STORE_WRITER, db, journal, std::to_string(rng())});
            std::this_thread::sleep_for(run_for);
            ASSERT_TRUE(writer.running()) << "the writer stopped by itself: " << writer.output();
            writer.signal(SIGKILL);
            ASSERT_EQ(writer.wait(10s), 128 + SIGKILL) << writer.output();
        }
        torn += trim_torn_tail(journal) ? 1 : 0;

        auto store = Store::open(db);
        ASSERT_TRUE(store.ok()) << "after a kill the store must open: " << store.error().message;
        last = check_store(**store, read_file(journal));
        movements.push_back(last.movements);
        if (!last.problems.empty()) {
            const auto keep =
                std::filesystem::temp_directory_path() / ("packd-store-crash-" + std::to_string(seed));
            std::error_code ec;
            std::filesystem::copy(dir.path(), keep, std::filesystem::copy_options::recursive, ec);
            std::string list;
            for (size_t p = 0; p < last.problems.size() && p < 30; ++p) {
                list += "\n  " + last.problems[p];
            }
            FAIL() << last.problems.size() << " problems after kill " << i << " (files kept in "
                   << keep.string() << "):" << list;
        }
    }

    // Not vacuous: the writer got work done between kills, of every kind.
    int grew = 0;
    for (size_t i = 1; i < movements.size(); ++i) {
        grew += movements[i] > movements[i - 1] ? 1 : 0;
    }
    std::cout << "StoreCrash: " << iterations << " kills, " << movements.back() << " movements stored, "
              << grew << " runs added movements, journal: " << last.journaled["movement"] << " movements, "
              << last.journaled["order"] << " order changes, " << last.journaled["cancel"] << " cancels, "
              << last.journaled["ship"] << " shipments, " << torn << " torn journal tails" << std::endl;
    EXPECT_GT(movements.back(), movements.front());
    EXPECT_GE(grew, iterations / 4) << "runs must commit something before the kill";
    EXPECT_GT(last.journaled["movement"], 0);
    EXPECT_GT(last.journaled["order"], 0);
    EXPECT_GT(last.journaled["cancel"], 0);
    EXPECT_GT(last.journaled["ship"], 0);
}

}  // namespace
}  // namespace packd::test
