// The pick station: building the wave (orders and their totes), UNDO and CANCEL before picking, the view.
// The walk itself is in pick_station_walk.cpp.

#include "packd/fulfillment/stations/pick_station.hpp"

#include <algorithm>

#include "packd/common/log.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/stations/station_shift.hpp"
#include "packd/fulfillment/store/sqlite.hpp"

#include "pick_wave.hpp"

namespace packd::fulfillment {

using nlohmann::json;

namespace {

constexpr const char* kOrders = "orders";  // the wave takes another order, or DONE
constexpr const char* kTote = "tote";      // an order waits for its tote
/// As many totes as a picking cart carries.
constexpr std::size_t kMaxWaveOrders = 12;

std::string wave_text(std::size_t orders) {
    return "wave of " + std::to_string(orders) + (orders == 1 ? " order" : " orders");
}

}  // namespace

PickStation::PickStation(Store& store, Inventory& inventory, OrderBook& orders, Topics topics,
                         std::string name, TaskStationOptions options)
    : TaskStation(store, inventory, std::move(name), std::move(options)),
      orders_(orders),
      topics_(std::move(topics)),
      wave_(std::make_unique<PickWave>(store_, name_)) {}

PickStation::~PickStation() = default;

StationReply PickStation::handle(const ScanEvent& scan, const std::optional<Task>& task) {
    if (task && task->step != kOrders && task->step != kTote) {
        return picking(scan, *task);
    }
    return building(scan, task);
}

std::optional<std::string> PickStation::find_order(const ScanEvent& scan) {
    const ScanMeaning& m = scan.meaning;
    // As at a pack station: a shop's plain number may read as anything the scanner could not place, or
    // have a carrier's shape by chance.
    if (m.kind != ScanKind::order && m.kind != ScanKind::invalid && m.kind != ScanKind::tracking) {
        return std::nullopt;
    }
    const std::string code =
        m.kind == ScanKind::order ? m.code : std::string(split_symbology(scan.raw).second);
    if (code.empty() || code.size() > 128) {
        return std::nullopt;
    }
    if (orders_.state_of(code)) {
        return code;
    }
    const std::string& prefix = options_.order_prefix;
    if (!prefix.empty() && code.starts_with(prefix) && orders_.state_of(code.substr(prefix.size()))) {
        return code.substr(prefix.size());
    }
    return std::nullopt;
}

StationReply PickStation::building(const ScanEvent& scan, const std::optional<Task>& task) {
    const ScanMeaning& m = scan.meaning;
    const bool waiting_tote = task && task->step == kTote;
    if (auto order = find_order(scan)) {
        if (waiting_tote) {
            return reply(false, "order " + task->pending + " waits for its tote: scan a tote first");
        }
        return join(task, *order);
    }
    if (m.kind == ScanKind::tote) {
        if (!waiting_tote) {
            return reply(false, "scan an order first, then the tote it goes into");
        }
        return tote(*task, m.code);
    }
    const bool can_start = task && !waiting_tote && !wave_->totes().empty();
    if (m.kind == ScanKind::command && m.code == "DONE") {
        if (!can_start) {
            return reply(false, waiting_tote ? "order " + task->pending + " waits for its tote: scan a tote"
                                             : "no order in the wave yet: scan an order to pick");
        }
        Transaction tx(store_.db());
        StationReply r = start(*task);
        if (r.ok) {
            tx.commit();
        }
        return r;
    }
    if ((m.kind == ScanKind::location || (m.kind == ScanKind::product && !m.sku.empty())) && can_start) {
        // The picker walked off with the cart: the first stop's scan starts the walk and counts there.
        Transaction tx(store_.db());
        StationReply r = start(*task);
        if (!r.ok) {
            return r;
        }
        tx.commit();
        const auto now = tasks_.task();
        return now ? picking(scan, *now) : r;
    }
    if (m.kind == ScanKind::invalid) {
        return reply(false, m.reason);
    }
    if (m.kind == ScanKind::order) {
        return reply(false, "no order here has the number " + printable(m.code.substr(0, 64)));
    }
    return reply(false, waiting_tote ? "order " + task->pending + " waits for its tote: scan a tote"
                                     : std::string("a ") + to_string(m.kind) +
                                           " scan does not start a wave: scan an order, then its tote");
}

StationReply PickStation::join(const std::optional<Task>& task, const std::string& order_id) {
    const auto detail = orders_.detail(order_id);
    const OrderState state = detail->row.state;
    if (state != OrderState::accepted) {
        return reply(false, "order " + order_id + " is " + std::string(to_string(state)) +
                                (state == OrderState::held ? " (" + detail->hold_reason + ")" : "") +
                                ": only accepted orders are picked");
    }
    if (const auto tote = wave_->tote_of(order_id)) {
        return reply(false, "order " + order_id + " is in " + *tote + " already");
    }
    auto& packing = store_.db().cached("SELECT station FROM station_sessions WHERE order_id = ?");
    packing.bind(1, order_id);
    const std::string at = packing.step() ? packing.text(0) : std::string();
    packing.reset();
    if (!at.empty()) {
        return reply(false, "order " + order_id + " is open at pack station " + at);
    }
    const std::size_t joined = task ? wave_->totes().size() : 0;
    if (joined >= kMaxWaveOrders) {
        return reply(false, "the wave has " + std::to_string(kMaxWaveOrders) +
                                " orders, as many as a cart takes: scan DONE to pick them");
    }
    Task t = task.value_or(Task{});
    t.mode = StationMode::pick;
    t.reference = wave_text(joined + 1);
    t.step = kTote;
    t.pending = order_id;
    Transaction tx(store_.db());
    if (!task) {
        // A wave left behind by a task another mode cancelled here must not join this one.
        wave_->clear();
    }
    tasks_.save(t);
    tx.commit();
    return reply(true, "order " + order_id + " joins the wave: scan a tote for it");
}

StationReply PickStation::tote(const Task& task, const std::string& tote) {
    if (const auto held = wave_->holder(tote)) {
        const auto state = orders_.state_of(held->order_id);
        // A tote whose order was cancelled or held since is free: its row is only a leftover.
        if (state && forward_rank(*state) >= 0 && *state != OrderState::shipped) {
            return reply(false,
                         tote + " holds order " + held->order_id +
                             (held->to_pack ? ", waiting to be packed" : " at station " + held->station) +
                             ": take an empty tote");
        }
    }
    Task t = task;
    t.step = kOrders;
    t.pending.clear();
    Transaction tx(store_.db());
    if (const auto held = wave_->holder(tote)) {
        wave_->release(held->order_id);
    }
    wave_->add_tote(tote, task.pending);
    const std::size_t joined = wave_->totes().size();
    t.reference = wave_text(joined);
    tasks_.save(t);
    tx.commit();
    return reply(true, tote + " holds order " + task.pending + " (" + std::to_string(joined) + " of " +
                           std::to_string(kMaxWaveOrders) +
                           "): scan the next order, or DONE to start picking");
}

StationReply PickStation::undo(const Task& task) {
    if (task.step == kTote) {
        Task t = task;
        t.step = kOrders;
        t.pending.clear();
        t.next_quantity = 0;
        Transaction tx(store_.db());
        if (wave_->totes().empty()) {
            tasks_.close();
        } else {
            tasks_.save(t);
        }
        tx.commit();
        return reply(true, "order " + task.pending + " left the wave");
    }
    if (task.step == kOrders) {
        auto totes = wave_->totes();
        if (totes.empty()) {
            return reply(false, "nothing in the wave to take back");
        }
        Task t = task;
        t.next_quantity = 0;
        t.reference = wave_text(totes.size() - 1);
        Transaction tx(store_.db());
        wave_->release(totes.back().order_id);
        if (totes.size() == 1) {
            tasks_.close();
        } else {
            tasks_.save(t);
        }
        tx.commit();
        return reply(true, "order " + totes.back().order_id + " and " + totes.back().tote + " left the wave");
    }
    return reply(false,
                 "a pick is booked as it is scanned and is not taken back: put a wrong item back, "
                 "and SHORT a line that cannot be filled");
}

StationReply PickStation::cancel(const Task& task) {
    if (task.mode != StationMode::pick) {
        return TaskStation::cancel(task);
    }
    if (task.step != kOrders && task.step != kTote) {
        return reply(false,
                     "picking has started and items are booked into their totes: pick or SHORT "
                     "the lines left");
    }
    Transaction tx(store_.db());
    wave_->clear();
    tasks_.close();
    tx.commit();
    return reply(true, "wave cancelled, nothing picked: the totes are free again");
}

std::vector<TaskLineView> PickStation::shown(const Task&) const {
    std::vector<TaskLineView> out;
    for (const auto& l : wave_->lines()) {
        out.push_back({l.sku, l.picked, l.wanted, l.lot, l.expiry, {}});
    }
    return out;
}

void PickStation::add_to_view(json& view) const {
    json totes = json::array();
    for (const auto& t : wave_->totes()) {
        totes.push_back({{"tote", t.tote}, {"order_id", t.order_id}});
    }
    view["totes"] = totes;
    json walk = json::array();
    const auto lines = wave_->lines();
    for (const auto& l : lines) {
        walk.push_back({{"location", l.location},
                        {"sku", l.sku},
                        {"order_id", l.order_id},
                        {"tote", tote_text(l.order_id)},
                        {"wanted", l.wanted},
                        {"picked", l.picked},
                        {"state", l.state}});
        if (!l.lot.empty()) {
            walk.back()["lot"] = l.lot;
        }
        if (!l.expiry.empty()) {
            walk.back()["expiry"] = l.expiry;
        }
    }
    view["walk"] = walk;
    if (const auto open =
            std::find_if(lines.begin(), lines.end(), [](const WalkLine& l) { return l.state == "open"; });
        open != lines.end()) {
        view["next"] = stop_text(*open);
    }
    json counts = json::array();
    auto& st = store_.db().cached(
        "SELECT location, sku, reason, created_at FROM count_tasks ORDER BY id DESC LIMIT 50");
    while (st.step()) {
        counts.push_back({{"location", st.text(0)},
                          {"sku", st.text(1)},
                          {"reason", st.text(2)},
                          {"created_at", st.text(3)}});
    }
    st.reset();
    view["count_tasks"] = counts;
}

std::string PickStation::tote_text(const std::string& order_id) const {
    return wave_->tote_of(order_id).value_or("");
}

Status PickStation::hold(const std::string& order_id, const std::string& reason) {
    if (auto held = orders_.hold(order_id, reason, {name_, shift_badge(store_, name_)}); !held) {
        return held;
    }
    wave_->drop_open_lines(order_id);
    wave_->release(order_id);
    log::warning("station " + name_ + ": order " + order_id + " held: " + reason);
    return {};
}

}  // namespace packd::fulfillment
