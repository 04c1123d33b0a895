// Writes to a store until it is killed, for the crash-consistency test: a random mix of
// receipts, adjustments, transfers, batches of movements and order changes (create, advance,
// retry, cancel, ship), each in its own transaction.
//
// After each commit returns it appends what it committed to a journal with a single write():
//
//   movement <id> <sku> <location> <lot or -> <expiry or -> <delta>
//   order <order id> <state> <line count>
//   ship <order id> <shipment id>
//
// The journal is written after the commit, so every line in it must be in the store after a
// kill; a commit may be in the store without its line (killed in between). No fsync: a kill
// ends the process, not the kernel, and the page cache keeps what write() handed it.
//
// Every group of movements it writes itself carries the reference "g<n>" (n: the largest
// movement id before the group) and the note "<k>/<count>", so the store alone shows whether a
// group is whole. Order ids are "O<n>-L<line count>" with n one more than the orders stored.
//
// usage: packd_store_writer <store file> <journal file> [seed]

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "packd/fulfillment/inventory/inventory.hpp"
#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/store/sqlite.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace packd::fulfillment {
namespace {

constexpr int kSkus = 20;
const std::vector<std::string> kBins = {"A-01", "A-02", "A-03", "B-01", "B-02", "B-03"};
/// Open orders beyond this make the writer ship and cancel rather than create.
constexpr int64_t kManyOpenOrders = 40;

std::string sku_name(int n) {
    return std::string("SKU-") + (n < 10 ? "0" : "") + std::to_string(n);
}

std::string dash_if_empty(const std::string& s) {
    return s.empty() ? "-" : s;
}

bool sellable_kind(const std::string& location) {
    return location != "RETURNS" && location != "QUARANTINE";
}

class StoreWriter {
  public:
    StoreWriter(Store& store, int journal_fd, uint64_t seed)
        : store_(store),
          inventory_(store, Topics("packd", "crash")),
          orders_(store, inventory_, Topics("packd", "crash")),
          journal_fd_(journal_fd),
          rng_(seed) {}

    /// Catalogue, bins and first stock, once per store.
    void set_up() {
        Transaction tx(store_.db());
        if (count("SELECT count(*) FROM products") > 0) {
            return;
        }
        for (const auto& bin : kBins) {
            must(inventory_.put_location(bin, "bin"), "location");
        }
        for (int n = 1; n <= kSkus; ++n) {
            Product p;
            p.sku = sku_name(n);
            p.name = "Article " + std::to_string(n);
            p.unit_weight_g = 50 * n;
            p.reorder_point = n % 3 == 0 ? 10 : 0;
            p.reorder_qty = p.reorder_point * 3;
            must(inventory_.put_product(p), "product");
        }
        std::string journal;
        std::vector<Movement> group;
        for (int n = 1; n <= kSkus; ++n) {
            Movement m;
            m.sku = sku_name(n);
            m.location = kBins[static_cast<size_t>(n) % kBins.size()];
            m.delta = uniform(20, 60);
            m.reason = MovementReason::receive;
            if (n % 4 == 0) {
                set_lot(m, n % 7);
            }
            group.push_back(m);
        }
        if (!record_group(group, journal)) {
            throw std::runtime_error("set-up movements refused");
        }
        commit(tx, journal);
    }

    /// One transaction of a randomly chosen kind.
    void step() {
        const int64_t open = count(
            "SELECT count(*) FROM orders WHERE state IN ('accepted','held','picking','packed','labelled')");
        const int pick = uniform(0, 99);
        if (pick < 14) {
            receive();
        } else if (pick < 24) {
            adjust();
        } else if (pick < 38) {
            transfer();
        } else if (pick < 46) {
            batch();
        } else if (pick < 64) {
            if (open < kManyOpenOrders) {
                create_order();
            } else {
                ship_order();
            }
        } else if (pick < 72) {
            advance_order();
        } else if (pick < 76) {
            retry_held_order();
        } else if (pick < 84) {
            cancel_order();
        } else {
            ship_order();
        }
    }

  private:
    int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
    int64_t uniform64(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng_); }

    static void must(const Status& s, const char* what) {
        if (!s) {
            throw std::runtime_error(std::string(what) + ": " + s.error().message);
        }
    }

    int64_t count(const std::string& sql) {
        auto st = store_.db().prepare(sql);
        st.step();
        return st.int64(0);
    }

    /// A lot with its own expiry, so the same lot always has the same date.
    static void set_lot(Movement& m, int lot) {
        m.lot = "L" + std::to_string(lot);
        const int month = lot % 12 + 1;
        m.expiry = "2027-" + std::string(month < 10 ? "0" : "") + std::to_string(month) + "-15";
    }

    struct StockPlace {
        std::string sku, location, lot, expiry;
        int64_t on_hand = 0;
    };

    /// A random stock row with something on hand.
    std::optional<StockPlace> random_stock() {
        const int64_t n = count("SELECT count(*) FROM stock WHERE on_hand > 0");
        if (n == 0) {
            return std::nullopt;
        }
        auto st = store_.db().prepare(
            "SELECT sku, location, lot, expiry, on_hand FROM stock WHERE on_hand > 0 "
            "ORDER BY sku, location, lot, expiry LIMIT 1 OFFSET ?");
        st.bind(1, uniform64(0, n - 1));
        if (!st.step()) {
            return std::nullopt;
        }
        return StockPlace{st.text(0), st.text(1), st.text(2), st.text(3), st.int64(4)};
    }

    /// How much of `place` may leave sellable stock without reservations exceeding it.
    int64_t may_take(const StockPlace& place) {
        if (!sellable_kind(place.location)) {
            return place.on_hand;
        }
        return std::min(place.on_hand, std::max<int64_t>(inventory_.level(place.sku).available, 0));
    }

    /// Records movements as one group; false (and the caller rolls back) if one is refused.
    bool record_group(std::vector<Movement>& group, std::string& journal) {
        const std::string reference =
            "g" + std::to_string(count("SELECT coalesce(max(id), 0) FROM movements"));
        for (size_t k = 0; k < group.size(); ++k) {
            Movement& m = group[k];
            m.reference = reference;
            m.note = std::to_string(k + 1) + "/" + std::to_string(group.size());
            m.station = "crash";
            auto id = inventory_.record(m);
            if (!id) {
                return false;
            }
            journal += "movement " + std::to_string(*id) + " " + m.sku + " " + m.location + " " +
                       dash_if_empty(m.lot) + " " + dash_if_empty(m.expiry) + " " + std::to_string(m.delta) +
                       "\n";
        }
        return true;
    }

    Movement random_receipt() {
        Movement m;
        m.sku = sku_name(uniform(1, kSkus));
        const int where = uniform(0, static_cast<int>(kBins.size()));
        m.location =
            where == static_cast<int>(kBins.size()) ? "RECEIVING" : kBins[static_cast<size_t>(where)];
        m.delta = uniform(1, 20);
        m.reason = MovementReason::receive;
        if (uniform(0, 9) < 3) {
            set_lot(m, uniform(0, 9));
        }
        return m;
    }

    void receive() {
        Transaction tx(store_.db());
        std::vector<Movement> group{random_receipt()};
        std::string journal;
        if (record_group(group, journal)) {
            commit(tx, journal);
        }
    }

    /// A count correction up or down on an existing stock row.
    std::optional<Movement> random_adjustment() {
        auto place = random_stock();
        if (!place) {
            return std::nullopt;
        }
        Movement m{
            place->sku, place->location, place->lot, place->expiry, 0, MovementReason::adjust, {}, {}, {},
            {}};
        const int64_t down = may_take(*place);
        if (down > 0 && uniform(0, 1) == 0) {
            m.delta = -uniform64(1, std::min<int64_t>(down, 5));
        } else {
            m.delta = uniform(1, 3);
        }
        return m;
    }

    void adjust() {
        Transaction tx(store_.db());
        auto m = random_adjustment();
        if (!m) {
            return;
        }
        std::vector<Movement> group{*m};
        std::string journal;
        if (record_group(group, journal)) {
            commit(tx, journal);
        }
    }

    /// Out of one location and into another: two movements, one transaction.
    void transfer() {
        Transaction tx(store_.db());
        auto place = random_stock();
        if (!place) {
            return;
        }
        std::vector<std::string> targets = kBins;
        targets.insert(targets.end(), {"PACKING", "RECEIVING", "QUARANTINE", "RETURNS"});
        std::string to = targets[static_cast<size_t>(uniform(0, static_cast<int>(targets.size()) - 1))];
        if (to == place->location) {
            to = "PACKING" == place->location ? kBins[0] : "PACKING";
        }
        const int64_t limit = sellable_kind(to) ? place->on_hand : may_take(*place);
        if (limit <= 0) {
            return;
        }
        const int64_t q = uniform64(1, limit);
        std::vector<Movement> group{
            {place->sku,
             place->location,
             place->lot,
             place->expiry,
             -q,
             MovementReason::transfer,
             {},
             {},
             {},
             {}},
            {place->sku, to, place->lot, place->expiry, q, MovementReason::transfer, {}, {}, {}, {}}};
        std::string journal;
        if (record_group(group, journal)) {
            commit(tx, journal);
        }
    }

    /// Several receipts and adjustments in one transaction.
    void batch() {
        Transaction tx(store_.db());
        std::vector<Movement> group;
        bool decreased = false;
        const int n = uniform(2, 6);
        for (int i = 0; i < n; ++i) {
            if (uniform(0, 1) == 0) {
                group.push_back(random_receipt());
            } else if (auto m = random_adjustment(); m && (m->delta > 0 || !decreased)) {
                // One decrease at most: it was sized against stock before the group, which the
                // increases only add to, while a second one could take the same units again.
                decreased = decreased || m->delta < 0;
                group.push_back(*m);
            }
        }
        std::string journal;
        if (group.size() < 2 || !record_group(group, journal)) {
            return;
        }
        commit(tx, journal);
    }

    /// A random order id in one of `states`, or nothing.
    std::optional<std::string> random_order(const std::string& states) {
        const int64_t n = count("SELECT count(*) FROM orders WHERE state IN (" + states + ")");
        if (n == 0) {
            return std::nullopt;
        }
        auto st = store_.db().prepare("SELECT id FROM orders WHERE state IN (" + states +
                                      ") ORDER BY id LIMIT 1 OFFSET ?");
        st.bind(1, uniform64(0, n - 1));
        if (!st.step()) {
            return std::nullopt;
        }
        return st.text(0);
    }

    void journal_order(Transaction& tx, const std::string& id, OrderState state) {
        const int64_t lines = [&] {
            auto st = store_.db().prepare("SELECT count(*) FROM order_lines WHERE order_id = ?");
            st.bind(1, id);
            st.step();
            return st.int64(0);
        }();
        commit(tx, "order " + id + " " + std::string(to_string(state)) + " " + std::to_string(lines) + "\n");
    }

    void create_order() {
        Transaction tx(store_.db());
        const int lines = uniform(1, 4);
        OrderEvent ev;
        ev.order_id =
            "O" + std::to_string(count("SELECT count(*) FROM orders") + 1) + "-L" + std::to_string(lines);
        ev.event_id = "E-" + ev.order_id;
        ev.type = OrderEventType::created;
        ev.carrier = "dhl";
        ev.service = "parcel";
        ev.ship_to = Address{"Jana Novak", "", "1 Dock Street", "", "Brno", "", "60200", "CZ"};
        std::vector<int> skus;
        for (int n = 1; n <= kSkus; ++n) {
            skus.push_back(n);
        }
        std::shuffle(skus.begin(), skus.end(), rng_);
        for (int i = 0; i < lines; ++i) {
            // Now and then an article the catalogue does not know: the order is held.
            const std::string sku = uniform(0, 29) == 0 ? "SKU-99" : sku_name(skus[static_cast<size_t>(i)]);
            ev.lines.push_back({sku, uniform(1, 6)});
        }
        std::string original = R"({"event_id":")" + ev.event_id +
                               R"(","type":"order.created","order":{"id":")" + ev.order_id + R"("}})";
        auto outcome = orders_.create(ev, original, "crash");
        if (!outcome) {
            throw std::runtime_error("create " + ev.order_id + ": " + outcome.error().message);
        }
        store_.mark_event_applied(ev.event_id, std::string(to_string(outcome->state)));
        journal_order(tx, ev.order_id, outcome->state);
    }

    void advance_order() {
        Transaction tx(store_.db());
        auto id = random_order("'accepted','picking','packed'");
        if (!id) {
            return;
        }
        const OrderState from = *orders_.state_of(*id);
        const OrderState to = from == OrderState::accepted  ? OrderState::picking
                              : from == OrderState::picking ? OrderState::packed
                                                            : OrderState::labelled;
        must(orders_.advance(*id, to), "advance");
        journal_order(tx, *id, to);
    }

    void retry_held_order() {
        Transaction tx(store_.db());
        auto id = random_order("'held'");
        if (!id) {
            return;
        }
        auto outcome = orders_.retry_held(*id);
        if (!outcome) {
            throw std::runtime_error("retry " + *id + ": " + outcome.error().message);
        }
        journal_order(tx, *id, outcome->state);
    }

    void cancel_order() {
        Transaction tx(store_.db());
        auto id = random_order("'accepted','held','picking','packed','labelled'");
        if (!id) {
            return;
        }
        auto outcome = orders_.cancel(*id, "C-" + *id);
        if (!outcome || outcome->state != OrderState::cancelled) {
            throw std::runtime_error(
                "cancel " + *id + ": " +
                (outcome ? "ended " + std::string(to_string(outcome->state)) : outcome.error().message));
        }
        journal_order(tx, *id, OrderState::cancelled);
    }

    void ship_order() {
        Transaction tx(store_.db());
        auto id = random_order("'accepted','picking','packed','labelled'");
        if (!id) {
            return;
        }
        ShipmentInfo s;
        s.carrier = "dhl";
        s.tracking_number = "T" + *id;
        s.weight_g = uniform(100, 5000);
        s.label_ref = "label-" + *id;
        s.station = "crash";
        s.operator_name = "writer";
        auto shipment = orders_.ship(*id, s);
        if (!shipment) {
            // Reservations never exceed sellable stock here, so shipping must find the goods.
            throw std::runtime_error("ship " + *id + ": " + shipment.error().message);
        }
        commit(tx, "ship " + *id + " " + std::to_string(*shipment) + "\n");
    }

    /// Commits, then tells the journal in one write.
    void commit(Transaction& tx, const std::string& journal) {
        tx.commit();
        if (journal.empty()) {
            return;
        }
        const ssize_t n = ::write(journal_fd_, journal.data(), journal.size());
        if (n != static_cast<ssize_t>(journal.size())) {
            throw std::runtime_error(std::string("journal write: ") +
                                     (n < 0 ? std::strerror(errno) : "short"));
        }
    }

    Store& store_;
    Inventory inventory_;
    OrderBook orders_;
    int journal_fd_;
    std::mt19937_64 rng_;
};

}  // namespace
}  // namespace packd::fulfillment

int main(int argc, char** argv) {
    using namespace packd::fulfillment;
    if (argc < 3 || argc > 4) {
        std::fprintf(stderr, "usage: %s <store file> <journal file> [seed]\n", argv[0]);
        return 64;
    }
    const uint64_t seed = argc == 4 ? std::stoull(argv[3]) : std::random_device{}();
    const int fd = ::open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        std::fprintf(stderr, "cannot open %s: %s\n", argv[2], std::strerror(errno));
        return 1;
    }
    try {
        auto store = Store::open(argv[1]);
        if (!store) {
            std::fprintf(stderr, "%s\n", store.error().message.c_str());
            return 1;
        }
        StoreWriter writer(**store, fd, seed);
        writer.set_up();
        for (;;) {
            writer.step();
        }
    } catch (const std::exception& e) {
        // Only for what must not happen: a refused set-up, an order the book should accept.
        std::fprintf(stderr, "store writer (seed %llu): %s\n", static_cast<unsigned long long>(seed),
                     e.what());
        return 2;
    }
}
