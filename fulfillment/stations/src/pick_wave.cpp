#include "pick_wave.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace packd::fulfillment {

namespace {

using RowKey = std::tuple<std::string, std::string, std::string, std::string>;  // sku, location, lot, expiry

}  // namespace

PickWalk plan_walk(Inventory& inventory, const std::vector<PickOrder>& orders) {
    PickWalk walk;
    // What the wave has taken from each bin row so far: two orders of one SKU must not both plan the
    // same units.
    std::map<RowKey, int64_t> taken;
    std::map<std::string, std::vector<StockRow>> rows_of;
    struct Planned {
        WalkLine line;
        int64_t order_rank = 0;
    };
    std::vector<Planned> planned;
    for (std::size_t rank = 0; rank < orders.size(); ++rank) {
        const PickOrder& order = orders[rank];
        std::map<RowKey, int64_t> order_takes;
        std::vector<Planned> order_lines;
        std::string shortfall;
        for (const auto& want : order.lines) {
            if (!rows_of.count(want.sku)) {
                auto& rows = rows_of[want.sku];
                for (const auto& row : inventory.level(want.sku).rows) {
                    if (row.on_hand > 0 && inventory.location_kind(row.location) == "bin") {
                        rows.push_back(row);
                    }
                }
                // First expiry first out; rows without an expiry last; then the walk's own order.
                std::sort(rows.begin(), rows.end(), [](const StockRow& a, const StockRow& b) {
                    return std::tuple(a.expiry.empty(), a.expiry, a.location, a.lot) <
                           std::tuple(b.expiry.empty(), b.expiry, b.location, b.lot);
                });
            }
            int64_t left = want.quantity;
            for (const auto& row : rows_of[want.sku]) {
                if (left == 0) {
                    break;
                }
                const RowKey key{want.sku, row.location, row.lot, row.expiry};
                const int64_t free = row.on_hand - taken[key] - order_takes[key];
                if (free <= 0) {
                    continue;
                }
                const int64_t take = std::min(left, free);
                order_takes[key] += take;
                left -= take;
                WalkLine line;
                line.order_id = order.order_id;
                line.sku = want.sku;
                line.location = row.location;
                line.lot = row.lot;
                line.expiry = row.expiry;
                line.wanted = take;
                order_lines.push_back({line, static_cast<int64_t>(rank)});
            }
            if (left > 0 && shortfall.empty()) {
                shortfall = "short pick: the bins hold " + std::to_string(want.quantity - left) + " of " +
                            std::to_string(want.quantity) + " " + want.sku;
            }
        }
        if (!shortfall.empty()) {
            // An order that cannot be filled takes nothing, so the orders after it can have its units.
            walk.unfilled.emplace_back(order.order_id, shortfall);
            continue;
        }
        for (const auto& [key, n] : order_takes) {
            taken[key] += n;
        }
        planned.insert(planned.end(), order_lines.begin(), order_lines.end());
    }
    std::stable_sort(planned.begin(), planned.end(), [](const Planned& a, const Planned& b) {
        return std::tie(a.line.location, a.order_rank, a.line.sku) <
               std::tie(b.line.location, b.order_rank, b.line.sku);
    });
    int64_t seq = 0;
    for (auto& p : planned) {
        p.line.seq = ++seq;
        walk.lines.push_back(std::move(p.line));
    }
    return walk;
}

std::vector<PickTote> PickWave::totes() const {
    auto& st = store_.db().cached(
        "SELECT tote, order_id, seq FROM pick_totes WHERE station = ? AND state = 'wave' ORDER BY seq");
    st.bind(1, station_);
    std::vector<PickTote> out;
    while (st.step()) {
        out.push_back({st.text(0), st.text(1), st.int64(2)});
    }
    st.reset();
    return out;
}

std::optional<std::string> PickWave::tote_of(const std::string& order_id) const {
    return store_.db().text_of("SELECT tote FROM pick_totes WHERE order_id = ?", order_id);
}

std::optional<ToteHolder> PickWave::holder(const std::string& tote) const {
    auto& st = store_.db().cached("SELECT order_id, station, state FROM pick_totes WHERE tote = ?");
    st.bind(1, tote);
    std::optional<ToteHolder> out;
    if (st.step()) {
        out = ToteHolder{st.text(0), st.text(1), st.text(2) == "pack"};
    }
    st.reset();
    return out;
}

void PickWave::add_tote(const std::string& tote, const std::string& order_id) {
    store_.db()
        .cached(
            "INSERT INTO pick_totes (tote, order_id, station, seq, state) VALUES (?1, ?2, ?3, "
            "(SELECT coalesce(max(seq), 0) + 1 FROM pick_totes WHERE station = ?3), 'wave')")
        .bind(1, tote)
        .bind(2, order_id)
        .bind(3, station_)
        .run();
}

void PickWave::release(const std::string& order_id) {
    store_.db().cached("DELETE FROM pick_totes WHERE order_id = ?").bind(1, order_id).run();
}

std::vector<WalkLine> PickWave::lines() const {
    auto& st = store_.db().cached(
        "SELECT seq, order_id, sku, location, lot, expiry, wanted, picked, state FROM pick_lines "
        "WHERE station = ? ORDER BY seq");
    st.bind(1, station_);
    std::vector<WalkLine> out;
    while (st.step()) {
        out.push_back({st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.int64(6),
                       st.int64(7), st.text(8)});
    }
    st.reset();
    return out;
}

void PickWave::add_lines(const std::vector<WalkLine>& lines) {
    auto& st = store_.db().cached(
        "INSERT INTO pick_lines (station, seq, order_id, sku, location, lot, expiry, wanted, picked, state) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& l : lines) {
        st.bind(1, station_)
            .bind(2, l.seq)
            .bind(3, l.order_id)
            .bind(4, l.sku)
            .bind(5, l.location)
            .bind(6, l.lot)
            .bind(7, l.expiry)
            .bind(8, l.wanted)
            .bind(9, l.picked)
            .bind(10, l.state)
            .run();
    }
}

void PickWave::set_line(int64_t seq, int64_t picked, const std::string& state) {
    store_.db()
        .cached("UPDATE pick_lines SET picked = ?, state = ? WHERE station = ? AND seq = ?")
        .bind(1, picked)
        .bind(2, state)
        .bind(3, station_)
        .bind(4, seq)
        .run();
}

void PickWave::drop_open_lines(const std::string& order_id) {
    store_.db()
        .cached(
            "UPDATE pick_lines SET state = 'dropped' WHERE station = ? AND order_id = ? AND state = 'open'")
        .bind(1, station_)
        .bind(2, order_id)
        .run();
}

void PickWave::hand_to_pack() {
    store_.db()
        .cached("UPDATE pick_totes SET state = 'pack' WHERE station = ? AND state = 'wave'")
        .bind(1, station_)
        .run();
    store_.db().cached("DELETE FROM pick_lines WHERE station = ?").bind(1, station_).run();
}

void PickWave::clear() {
    store_.db().cached("DELETE FROM pick_totes WHERE station = ? AND state = 'wave'").bind(1, station_).run();
    store_.db().cached("DELETE FROM pick_lines WHERE station = ?").bind(1, station_).run();
}

}  // namespace packd::fulfillment
