// The pick station's walk: starting it, the stops (location, items, SHORT) and its end.

#include <algorithm>

#include "packd/common/json_text.hpp"
#include "packd/common/log.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/stations/pick_station.hpp"
#include "packd/fulfillment/stations/station_shift.hpp"
#include "packd/fulfillment/store/sqlite.hpp"

#include "pick_wave.hpp"

namespace packd::fulfillment {

namespace {

constexpr const char* kPicking = "picking";
/// Where picked units wait for packing; Inventory::ship takes an order's units from here first.
constexpr const char* kPackingLocation = "PACKING";

const WalkLine* first_open(const std::vector<WalkLine>& lines) {
    auto it = std::find_if(lines.begin(), lines.end(), [](const WalkLine& l) { return l.state == "open"; });
    return it == lines.end() ? nullptr : &*it;
}

}  // namespace

StationReply PickStation::start(const Task& task) {
    std::vector<PickOrder> orders;
    std::string said;
    for (const auto& t : wave_->totes()) {
        // Cancelled by the shop, or changed and held, while the wave was built: it is not picked.
        if (const auto state = orders_.state_of(t.order_id); state != OrderState::accepted) {
            wave_->release(t.order_id);
            said += "order " + t.order_id + " is " + std::string(state ? to_string(*state) : "gone") +
                    ": take " + t.tote + " off the cart; ";
            continue;
        }
        PickOrder order{t.order_id, {}};
        for (const auto& line : orders_.lines_of(t.order_id)) {
            auto same = std::find_if(order.lines.begin(), order.lines.end(),
                                     [&](const OrderQuantity& q) { return q.sku == line.sku; });
            if (same == order.lines.end()) {
                order.lines.push_back(line);
            } else {
                same->quantity += line.quantity;
            }
        }
        orders.push_back(std::move(order));
    }
    const PickWalk walk = plan_walk(inventory_, orders);
    for (const auto& [order_id, reason] : walk.unfilled) {
        const std::string tote = tote_text(order_id);
        if (auto held = hold(order_id, reason); !held) {
            return reply(false, "nothing started: " + held.error().message);
        }
        said += "order " + order_id + " held (" + reason + "): take " + tote + " off the cart; ";
    }
    const OrderActor picker{name_, shift_badge(store_, name_)};
    for (const auto& t : wave_->totes()) {
        if (auto moved = orders_.advance(t.order_id, OrderState::picking, picker); !moved) {
            return reply(false, "nothing started: " + moved.error().message);
        }
    }
    wave_->add_lines(walk.lines);
    Task t = task;
    t.step = kPicking;
    t.pending.clear();
    log::info("station " + name_ + ": picking " + t.reference + ", " + std::to_string(walk.lines.size()) +
              " stops");
    return next_stop(t, said);
}

StationReply PickStation::picking(const ScanEvent& scan, const Task& task) {
    const ScanMeaning& m = scan.meaning;
    {
        // An order the shop cancelled while it was on the cart leaves the walk before this scan counts for
        // it.
        Transaction tx(store_.db());
        if (std::string gone = drop_gone(); !gone.empty()) {
            StationReply r = next_stop(task, gone + "that scan was not taken; ");
            tx.commit();
            r.ok = false;
            return r;
        }
    }
    if (m.kind == ScanKind::location) {
        return at_location(task, m.code);
    }
    if (m.kind == ScanKind::product && !m.sku.empty()) {
        return item(task, scan);
    }
    const auto lines = wave_->lines();
    const WalkLine* line = first_open(lines);
    const std::string next = line ? stop_text(*line) : std::string();
    if (m.kind == ScanKind::command && m.code == "SHORT") {
        return line ? short_pick(task) : reply(false, "nothing left to pick");
    }
    if (m.kind == ScanKind::command && m.code == "DONE") {
        return reply(false, "the wave is not picked yet: " + next + " (SHORT when it is not there)");
    }
    if (m.kind == ScanKind::product) {
        return reply(false, "product " + printable(m.code.substr(0, 64)) +
                                " is not in the catalogue: put it back; " + next);
    }
    if (m.kind == ScanKind::invalid) {
        return reply(false, m.reason + "; " + next);
    }
    return reply(false, std::string("a ") + to_string(m.kind) + " scan means nothing while picking: " + next);
}

StationReply PickStation::at_location(const Task& task, const std::string& location) {
    const auto lines = wave_->lines();
    const WalkLine* line = first_open(lines);
    if (!line) {
        return reply(false, "nothing left to pick");
    }
    if (location != line->location) {
        return reply(false, "this stop is " + line->location + ", not " + location + ": " + stop_text(*line));
    }
    Task t = task;
    t.pending = location;
    Transaction tx(store_.db());
    tasks_.save(t);
    tx.commit();
    return reply(true, "at " + location + ": " + pick_text(*line));
}

StationReply PickStation::item(const Task& task, const ScanEvent& scan) {
    const ScanMeaning& m = scan.meaning;
    const auto lines = wave_->lines();
    const WalkLine* stop = first_open(lines);
    if (!stop) {
        return reply(false, "nothing left to pick");
    }
    if (options_.pick_scan_location && task.pending != stop->location) {
        return reply(false, "scan location " + stop->location + " first: " + stop_text(*stop));
    }
    // Any open line of this stop takes the item: two orders may want the same SKU from one bin.
    auto it = std::find_if(lines.begin(), lines.end(), [&](const WalkLine& l) {
        return l.state == "open" && l.location == stop->location && l.sku == m.sku;
    });
    if (it == lines.end()) {
        return reply(false, m.sku + " is not picked here: put it back; " + stop_text(*stop));
    }
    WalkLine line = *it;
    const std::string scanned_lot = m.gs1 ? m.gs1->lot : std::string();
    if (!scanned_lot.empty() && !line.lot.empty() && scanned_lot != line.lot) {
        return reply(false, "lot " + scanned_lot + " is not the one to take: " + stop_text(line) +
                                " (it expires first)");
    }
    const int64_t units = units_of(task, m);
    if (line.picked + units > line.wanted) {
        return reply(false, "that is " + std::to_string(units) + " x " + line.sku + " and only " +
                                std::to_string(line.wanted - line.picked) +
                                " are wanted here: put it back; " + stop_text(line));
    }
    const std::string tote = tote_text(line.order_id);
    Transaction tx(store_.db());
    for (auto [location, delta] :
         {std::pair{line.location, -units}, std::pair{std::string(kPackingLocation), units}}) {
        Movement mv = movement(line.sku, location, delta, MovementReason::pick, line.order_id);
        mv.lot = line.lot;
        mv.expiry = line.expiry;
        if (line.lot.empty() && !scanned_lot.empty()) {
            mv.note = "lot " + scanned_lot + " scanned";
        }
        if (auto booked = inventory_.record(mv); !booked) {
            tx.rollback();
            return reply(false, "nothing picked: " + booked.error().message);
        }
    }
    line.picked += units;
    wave_->set_line(line.seq, line.picked, line.picked == line.wanted ? "picked" : "open");
    Task t = task;
    t.next_quantity = 0;
    const std::string said =
        std::to_string(units) + " x " + line.sku + " into " + tote + " (order " + line.order_id + ")";
    StationReply r = next_stop(t, said + "; ");
    tx.commit();
    return r;
}

StationReply PickStation::short_pick(const Task& task) {
    const auto lines = wave_->lines();
    const WalkLine line = *first_open(lines);
    const std::string reason = "short pick at " + line.location + ": " + line.sku + " " +
                               std::to_string(line.picked) + " of " + std::to_string(line.wanted);
    const std::string tote = tote_text(line.order_id);
    Transaction tx(store_.db());
    wave_->set_line(line.seq, line.picked, "short");
    if (auto held = hold(line.order_id, reason); !held) {
        tx.rollback();
        return reply(false, "not recorded: " + held.error().message);
    }
    store_.outbox_add(topics_.alerts(),
                      json_text({{"kind", "short_pick"},
                                 {"sku", line.sku},
                                 {"location", line.location},
                                 {"order_id", line.order_id},
                                 {"station", name_},
                                 {"picked", line.picked},
                                 {"wanted", line.wanted}}),
                      false);
    store_.db()
        .cached(
            "INSERT INTO count_tasks (location, sku, reason, created_at) VALUES (?, ?, ?, "
            "strftime('%Y-%m-%dT%H:%M:%fZ','now'))")
        .bind(1, line.location)
        .bind(2, line.sku)
        .bind(3, reason)
        .run();
    Task t = task;
    t.next_quantity = 0;
    StationReply r = next_stop(t, "order " + line.order_id + " held (" + reason + "): set " + tote +
                                      " aside to be emptied and put back; ");
    tx.commit();
    return r;
}

std::string PickStation::drop_gone() {
    std::string said;
    for (const auto& l : wave_->lines()) {
        if (l.state != "open") {
            continue;
        }
        const auto state = orders_.state_of(l.order_id);
        if (state != OrderState::picking) {
            const std::string tote = tote_text(l.order_id);
            wave_->drop_open_lines(l.order_id);
            wave_->release(l.order_id);
            said += "order " + l.order_id + " is " + std::string(state ? to_string(*state) : "gone") +
                    ": set " + tote + " aside to be emptied and put back; ";
        }
    }
    return said;
}

StationReply PickStation::next_stop(Task task, std::string said) {
    const auto lines = wave_->lines();
    const WalkLine* line = first_open(lines);
    if (!line) {
        std::string to_pack;
        for (const auto& t : wave_->totes()) {
            to_pack += (to_pack.empty() ? "" : ", ") + t.tote + " (order " + t.order_id + ")";
        }
        wave_->hand_to_pack();
        tasks_.close();
        log::notice("station " + name_ + ": wave picked" + (to_pack.empty() ? "" : ", to pack: " + to_pack));
        return reply(true, said + (to_pack.empty() ? "wave ended, nothing to pack"
                                                   : "wave picked: take " + to_pack + " to packing"));
    }
    if (task.pending != line->location) {
        task.pending.clear();
    }
    tasks_.save(task);
    return reply(true, said + stop_text(*line));
}

std::string PickStation::stop_text(const WalkLine& line) const {
    return "go to " + line.location + ": " + pick_text(line);
}

std::string PickStation::pick_text(const WalkLine& line) const {
    return "pick " + std::to_string(line.wanted - line.picked) + " x " + line.sku +
           (line.lot.empty() ? "" : " lot " + line.lot) + " for " + tote_text(line.order_id);
}

}  // namespace packd::fulfillment
