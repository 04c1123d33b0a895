// The pack station's steps: open an order, add an item, a command word, done, weigh and ship.

#include "packd/fulfillment/stations/pack_station.hpp"

#include <algorithm>
#include <utility>

#include "packd/common/log.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/stations/station_shift.hpp"

#include "pack_station_text.hpp"

namespace packd::fulfillment {

using namespace pack_text;
using nlohmann::json;

StationReply PackStation::open_order(const std::string& order_id) {
    if (const auto s = session()) {
        if (s->order_id == order_id) {
            return reply(true, "order " + order_id + " is open already");
        }
        return reply(false, "order " + s->order_id +
                                " is open at this station: finish it with DONE or scan "
                                "CANCEL before order " +
                                order_id);
    }
    const auto detail = orders_.detail(order_id);
    const OrderState state = detail->row.state;
    if (state == OrderState::held) {
        return reply(false, "order " + order_id + " is held: " + detail->hold_reason);
    }
    if (is_final(state) || state == OrderState::received) {
        return reply(false, "order " + order_id + " is " + std::string(to_string(state)) +
                                ": put it aside, do not pack it");
    }
    // A merchant rule may send an order to one station (freight, fragile goods).
    if (auto routing = orders_.routing(order_id);
        routing && !routing->station.empty() && routing->station != name_) {
        return reply(false, "order " + order_id + " goes to station " + routing->station + ": take it there");
    }
    auto& other = store_.db().cached("SELECT station FROM station_sessions WHERE order_id = ?");
    other.bind(1, order_id);
    std::string elsewhere;
    if (other.step()) {
        elsewhere = other.text(0);
    }
    other.reset();
    if (!elsewhere.empty()) {
        return reply(false, "order " + order_id + " is open at station " + elsewhere);
    }
    Transaction tx(store_.db());
    store_.db()
        .cached(
            "INSERT INTO station_sessions (station, order_id, state, opened_at) VALUES (?, ?, 'packing', "
            "strftime('%Y-%m-%dT%H:%M:%fZ','now'))")
        .bind(1, name_)
        .bind(2, order_id)
        .run();
    if (state == OrderState::accepted) {
        if (auto moved = orders_.advance(order_id, OrderState::picking, {name_, shift_badge(store_, name_)});
            !moved) {
            return reply(false, moved.error().message);
        }
    }
    tx.commit();
    log::info("station " + name_ + ": order " + order_id + " opened");
    int64_t items = 0;
    for (const auto& p : progress(order_id)) {
        items += p.wanted;
    }
    return reply(true, "order " + order_id + ": scan its " + items_text(items));
}

StationReply PackStation::add_item(const Session& s, const ScanMeaning& item, const ScanEvent& scan) {
    if (item.sku.empty()) {
        return reply(false, "product " + printable(item.code) + " is not in the catalogue: put it aside");
    }
    const auto before = progress(s.order_id);
    const auto line =
        std::find_if(before.begin(), before.end(), [&](const auto& p) { return p.sku == item.sku; });
    if (line == before.end()) {
        return reply(false, item.sku + " is not in order " + s.order_id + ": take it out of the parcel");
    }
    if (line->packed + item.pack_qty > line->wanted) {
        return reply(false,
                     "order " + s.order_id + " needs " + std::to_string(line->wanted) + " of " + item.sku +
                         " and " + std::to_string(line->packed) + " are packed: take this one out" +
                         (item.pack_qty > 1 ? " (its code counts " + std::to_string(item.pack_qty) + ")"
                                            : std::string()));
    }
    Transaction tx(store_.db());
    store_.db()
        .cached(
            "INSERT INTO station_items (station, sku, quantity, code, device, scanned_at) "
            "VALUES (?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))")
        .bind(1, name_)
        .bind(2, item.sku)
        .bind(3, item.pack_qty)
        .bind(4, item.code)
        .bind(5, scan.device)
        .run();
    const auto after = progress(s.order_id);
    if (!complete(after)) {
        tx.commit();
        return reply(true, item.sku + " " + std::to_string(line->packed + item.pack_qty) + "/" +
                               std::to_string(line->wanted) + "; still to pack: " + missing_text(after));
    }
    store_.db()
        .cached("UPDATE station_sessions SET state = 'weighing' WHERE station = ?")
        .bind(1, name_)
        .run();
    const auto state = orders_.state_of(s.order_id);
    if (state == OrderState::accepted || state == OrderState::picking) {
        if (auto moved = orders_.advance(s.order_id, OrderState::packed, {name_, shift_badge(store_, name_)});
            !moved) {
            return reply(false, moved.error().message);
        }
    }
    tx.commit();
    return reply(true, scale_ ? "all items packed: put the parcel on the scale and scan DONE"
                              : "all items packed: scan DONE to ship");
}

StationReply PackStation::command(const std::string& word) {
    const auto s = session();
    if (!s) {
        return reply(false, "no order is open: scan an order first (" + word + " needs one)");
    }
    if (word == "DONE") {
        return done(*s);
    }
    if (word == "CANCEL") {
        return cancel(*s);
    }
    if (word == "UNDO") {
        return undo(*s);
    }
    if (word == "REPRINT") {
        return reprint(*s);
    }
    return reply(false, word + " means nothing at a pack station (DONE, CANCEL, UNDO, REPRINT do)");
}

StationReply PackStation::done(const Session& s) {
    if (s.state != StationState::weighing) {
        return reply(false, "still to pack: " + missing_text(progress(s.order_id)));
    }
    if (weighing_) {
        return reply(false, "weighing already: keep the parcel still on the scale");
    }
    if (!scale_) {
        return ship(s.order_id, fail("no scale"));
    }
    weighing_ = true;
    const uint64_t weighing = ++weighings_;
    scale_->wait_for_stable(options_.weigh_timeout,
                            [this, alive = std::weak_ptr<bool>(alive_), weighing,
                             order_id = s.order_id](Result<drivers::WeightReading> w) {
                                // A CANCEL, UNDO or new scale since this weighing started makes its result
                                // meaningless.
                                if (!alive.lock() || !weighing_ || weighing != weighings_) {
                                    return;
                                }
                                weighing_ = false;
                                StationReply r = ship(order_id, std::move(w));
                                r.scan = "DONE";
                                on_later_(remember(std::move(r)));
                            });
    StationReply r = reply(true, "weighing: keep the parcel still on the scale");
    return r;
}

StationReply PackStation::ship(const std::string& order_id, Result<drivers::WeightReading> weight) {
    const auto s = session();
    if (!s || s->order_id != order_id || s->state != StationState::weighing) {
        return reply(false, "order " + order_id + " was changed while the scale settled; nothing shipped");
    }
    ShipmentInfo info;
    info.station = name_;
    info.operator_name = shift_badge(store_, name_);
    ParcelWeightCheck check;
    if (scale_) {
        if (!weight) {
            return reply(false, weight.error().message + ": scan DONE again once the parcel lies still");
        }
        if (!weight->valid || !weight->stable) {
            return reply(false, "the scale gives no usable weight (" + weight->reason + "): scan DONE again");
        }
        info.weight_g = grams(*weight);
        if (info.weight_g <= 0) {
            return reply(false, "the scale reads " + std::to_string(info.weight_g) +
                                    " g: put the parcel on the scale and scan DONE again");
        }
        check = check_parcel_weight(orders_.items_weight_g(order_id), *weight, options_.weight_rule);
    }
    Transaction tx(store_.db());
    auto shipped = orders_.ship(order_id, info);
    if (!shipped) {
        return reply(false, "order " + order_id + " not shipped: " + shipped.error().message);
    }
    close_session();
    tx.commit();
    std::string message = "order " + order_id + " shipped";
    if (scale_) {
        message += " at " + std::to_string(info.weight_g) + " g";
    }
    if (!check.reason.empty() && (check.verdict == ParcelWeightCheck::Verdict::too_light ||
                                  check.verdict == ParcelWeightCheck::Verdict::too_heavy)) {
        message += "; weight check: " + check.reason + " (alert raised)";
    }
    log::notice("station " + name_ + ": " + message);
    StationReply r = reply(true, message);
    r.order_id = order_id;
    r.state = StationState::idle;
    if (scale_) {
        r.weight_g = info.weight_g;
    }
    r.shipment_id = *shipped;
    return r;
}

}  // namespace packd::fulfillment
