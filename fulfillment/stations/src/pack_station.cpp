#include "packd/fulfillment/stations/pack_station.hpp"

#include <algorithm>
#include <utility>

#include "packd/common/log.hpp"
#include "packd/common/text.hpp"

#include "pack_station_text.hpp"

namespace packd::fulfillment {

using namespace pack_text;
using nlohmann::json;

PackStation::PackStation(Store& store, OrderBook& orders, std::string name, PackStationOptions options,
                         std::function<void(const StationReply&)> on_later)
    : store_(store),
      orders_(orders),
      name_(std::move(name)),
      options_(std::move(options)),
      on_later_(std::move(on_later)) {}

PackStation::~PackStation() {
    *alive_ = false;
}

void PackStation::use_scale(WeightService* scale) {
    scale_ = scale;
    // A weighing in progress was waiting on the old scale, which may be gone: DONE again starts a new one.
    weighing_ = false;
}

void PackStation::close_session() {
    // The order's pick tote is free once the order ships or is put aside here.
    store_.db()
        .cached(
            "DELETE FROM pick_totes WHERE order_id IN (SELECT order_id FROM station_sessions WHERE station = "
            "?)")
        .bind(1, name_)
        .run();
    store_.db().cached("DELETE FROM station_items WHERE station = ?").bind(1, name_).run();
    store_.db().cached("DELETE FROM station_sessions WHERE station = ?").bind(1, name_).run();
}

std::optional<PackStation::Session> PackStation::session() const {
    auto& st = store_.db().cached("SELECT order_id, state FROM station_sessions WHERE station = ?");
    st.bind(1, name_);
    std::optional<Session> out;
    if (st.step()) {
        // The table's CHECK constraint admits packing and weighing only.
        out = Session{st.text(0), station_state_named(st.text(1)).value_or(StationState::packing)};
    }
    st.reset();
    return out;
}

std::vector<PackProgress> PackStation::progress(const std::string& order_id) const {
    std::vector<PackProgress> out;
    for (const auto& line : orders_.lines_of(order_id)) {
        auto same = std::find_if(out.begin(), out.end(), [&](const auto& p) { return p.sku == line.sku; });
        if (same == out.end()) {
            out.push_back({line.sku, line.quantity, 0});
        } else {
            same->wanted += line.quantity;
        }
    }
    auto& st =
        store_.db().cached("SELECT sku, SUM(quantity) FROM station_items WHERE station = ? GROUP BY sku");
    st.bind(1, name_);
    while (st.step()) {
        const std::string sku = st.text(0);
        auto p = std::find_if(out.begin(), out.end(), [&](const auto& x) { return x.sku == sku; });
        if (p != out.end()) {
            p->packed = st.int64(1);
        }
    }
    st.reset();
    return out;
}

StationReply PackStation::reply(bool ok, std::string message) const {
    StationReply r;
    r.ok = ok;
    r.message = std::move(message);
    r.state = StationState::idle;
    if (auto s = session()) {
        r.state = s->state;
        r.order_id = s->order_id;
        r.progress = progress(s->order_id);
    }
    return r;
}

StationReply PackStation::remember(StationReply r) {
    recent_.push_back(r);
    while (recent_.size() > options_.history) {
        recent_.pop_front();
    }
    return r;
}

std::optional<StationReply> PackStation::close_if_gone() {
    const auto s = session();
    if (!s) {
        return std::nullopt;
    }
    const auto state = orders_.state_of(s->order_id);
    if (state && forward_rank(*state) >= 0 && *state != OrderState::shipped) {
        return std::nullopt;
    }
    // Cancelled by the shop, or shipped another way (packctl ship), while it lay on this station.
    weighing_ = false;
    Transaction tx(store_.db());
    close_session();
    tx.commit();
    StationReply r =
        reply(false, state == OrderState::cancelled
                         ? "order " + s->order_id +
                               " was cancelled while it was being packed: take the items out and "
                               "put them back; scan again"
                         : "order " + s->order_id + " is " + std::string(state ? to_string(*state) : "gone") +
                               " and no longer open here; scan again");
    r.order_id = s->order_id;
    log::warning("station " + name_ + ": " + r.message);
    return r;
}

StationReply PackStation::on_scan(const ScanEvent& scan) {
    StationReply r = [&] {
        if (auto gone = close_if_gone()) {
            return *gone;
        }
        const ScanMeaning& m = scan.meaning;
        if (m.kind == ScanKind::command) {
            return command(m.code);
        }
        if (m.kind == ScanKind::product) {
            const auto s = session();
            if (!s) {
                return reply(false, "scan an order first, then its items");
            }
            return add_item(*s, m, scan);
        }
        // An order number (ours, with or without its prefix, or the shop's plain one) or the tracking number
        // on the order's label opens it. An unknown code is only an error once it is no order either.
        if (auto order = find_order(scan)) {
            return open_order(*order);
        }
        switch (m.kind) {
            case ScanKind::invalid:
                return reply(false, m.reason);
            case ScanKind::order:
            case ScanKind::tote:
            case ScanKind::tracking:
                return reply(false, std::string("no order here has the ") + to_string(m.kind) + " " +
                                        printable(m.code.substr(0, 64)));
            default:
                return reply(false, std::string("a ") + to_string(m.kind) +
                                        " scan means nothing at a pack station: scan an order, its items or "
                                        "a command");
        }
    }();
    r.scan = printable(scan.raw.substr(0, 128));
    return remember(std::move(r));
}

std::optional<std::string> PackStation::find_order(const ScanEvent& scan) const {
    const ScanMeaning& m = scan.meaning;
    // A code nothing else recognised is looked up as it was printed, without the scanner's AIM identifier.
    const std::string bare(split_symbology(scan.raw).second);
    if (m.kind == ScanKind::tote) {
        // A tote a pick station filled brings its order.
        auto& st = store_.db().cached("SELECT order_id FROM pick_totes WHERE tote = ? AND state = 'pack'");
        st.bind(1, m.code);
        std::optional<std::string> order;
        if (st.step()) {
            order = st.text(0);
        }
        st.reset();
        return order;
    }
    if (m.kind == ScanKind::tracking || m.kind == ScanKind::shipping_unit || m.kind == ScanKind::invalid) {
        if (auto order = orders_.order_with_tracking(m.kind == ScanKind::invalid ? bare : m.code)) {
            return order;
        }
        // A shop may have stored the whole barcode (a USPS 420 + ZIP routing prefix, FedEx's 96 form)
        // rather than the tracking number in it.
        if (m.kind == ScanKind::tracking && m.code != bare) {
            if (auto order = orders_.order_with_tracking(bare)) {
                return order;
            }
        }
    }
    // A shop's plain order number can have a carrier's shape by chance (ten digits whose last is the
    // first nine modulo 7 read as a DHL Express waybill), so a tracking number no order has is tried as an
    // order number too.
    if (m.kind != ScanKind::order && m.kind != ScanKind::invalid && m.kind != ScanKind::tracking) {
        return std::nullopt;
    }
    const std::string code = m.kind == ScanKind::order ? m.code : bare;
    if (code.empty() || code.size() > 128) {
        return std::nullopt;
    }
    if (orders_.state_of(code)) {
        return code;
    }
    if (!options_.order_prefix.empty() && code.starts_with(options_.order_prefix)) {
        const std::string unprefixed = code.substr(options_.order_prefix.size());
        if (orders_.state_of(unprefixed)) {
            return unprefixed;
        }
    }
    return std::nullopt;
}

StationReply PackStation::cancel(const Session& s) {
    weighing_ = false;
    Transaction tx(store_.db());
    close_session();
    tx.commit();
    log::info("station " + name_ + ": order " + s.order_id + " put aside");
    StationReply r =
        reply(true, "order " + s.order_id + " put aside, nothing shipped; scanning it again starts over");
    r.order_id = s.order_id;
    return r;
}

StationReply PackStation::undo(const Session& s) {
    auto& last = store_.db().cached(
        "SELECT id, sku, quantity FROM station_items WHERE station = ? ORDER BY id DESC LIMIT 1");
    last.bind(1, name_);
    if (!last.step()) {
        last.reset();
        return reply(false, "nothing scanned into order " + s.order_id + " to take back");
    }
    const int64_t id = last.int64(0);
    const std::string sku = last.text(1);
    const int64_t quantity = last.int64(2);
    last.reset();
    weighing_ = false;
    Transaction tx(store_.db());
    store_.db().cached("DELETE FROM station_items WHERE id = ?").bind(1, id).run();
    store_.db()
        .cached("UPDATE station_sessions SET state = 'packing' WHERE station = ?")
        .bind(1, name_)
        .run();
    tx.commit();
    return reply(true, "took back " + std::to_string(quantity) + " x " + sku +
                           "; still to pack: " + missing_text(progress(s.order_id)));
}

StationReply PackStation::reprint(const Session& s) {
    auto job = store_.print_job_reprint(s.order_id, "shipping");
    if (!job) {
        return reply(false, job.error().message);
    }
    // The operator's scan is the only way a label prints twice, so it is always in the journal.
    log::notice("reprint of the shipping label of order " + s.order_id + " asked at station " + name_ +
                ": job " + std::to_string(job->id) + " on printer " + job->printer);
    StationReply r =
        reply(true, "shipping label of order " + s.order_id + " printing again on " + job->printer);
    r.reprint_printer = job->printer;
    return r;
}

json PackStation::view() const {
    json j = to_json(reply(true, ""));
    j.erase("ok");
    j.erase("message");
    j.erase("scan");
    j["station"] = name_;
    j["weighing"] = weighing_;
    if (scale_) {
        json scale = json::object();
        if (const auto last = scale_->last_reading()) {
            scale["valid"] = last->valid;
            scale["stable"] = last->stable;
            scale["weight_g"] = grams(*last);
            if (!last->valid) {
                scale["reason"] = last->reason;
            }
        } else {
            scale["valid"] = false;
            scale["reason"] = "no reading yet";
        }
        j["scale"] = scale;
    }
    json recent = json::array();
    for (const auto& r : recent_) {
        recent.push_back(to_json(r));
    }
    j["recent"] = recent;
    return j;
}

}  // namespace packd::fulfillment
