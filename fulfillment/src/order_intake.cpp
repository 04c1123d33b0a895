#include "packd/fulfillment/order_intake.hpp"

#include <nlohmann/json.hpp>

#include "packd/common/log.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/order_event.hpp"

namespace packd::fulfillment {
namespace {

using nlohmann::json;

/// Serialises data that came from outside: bytes that are not UTF-8 become U+FFFD instead of
/// throwing.
std::string to_text(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string address_json(const Address& a) {
    return json{
        {"name", a.name}, {"company", a.company}, {"street1", a.street1},         {"street2", a.street2},
        {"city", a.city}, {"region", a.region},   {"postal_code", a.postal_code}, {"country", a.country}}
        .dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

OrderIntake::OrderIntake(Store& store, Topics topics, size_t max_payload_bytes)
    : store_(store), topics_(std::move(topics)), max_payload_bytes_(max_payload_bytes) {}

Result<IntakeResult> OrderIntake::apply_pending() {
    IntakeResult result;
    try {
        for (;;) {
            auto batch = store_.inbox_pending(64);
            if (batch.empty()) {
                break;
            }
            for (const auto& msg : batch) {
                try {
                    apply_one(msg, result);
                } catch (const SqliteError&) {
                    throw;
                } catch (const std::exception& e) {
                    // A message that breaks the intake must not block the inbox behind it.
                    log::error("message " + std::to_string(msg.id) + " on " + msg.topic +
                               " could not be applied: " + e.what());
                    Transaction tx(store_.db());
                    dead_letter(msg, std::string("internal error while applying: ") + e.what());
                    store_.inbox_finish(msg.id);
                    tx.commit();
                    ++result.rejected;
                    result.outbox_grew = true;
                }
            }
        }
    } catch (const SqliteError& e) {
        // Whatever was not committed stays in the inbox and is tried again on the next pass.
        return fail(std::string("applying inbox: ") + e.what());
    }
    return result;
}

void OrderIntake::dead_letter(const InboxMessage& msg, const std::string& reason) {
    json letter{{"reason", reason}, {"topic", msg.topic}};
    if (is_valid_utf8(msg.payload)) {
        letter["original"] = msg.payload;
    } else {
        letter["original_base64"] = base64_encode(msg.payload);
    }
    store_.outbox_add(topics_.dead_letter(), to_text(letter), false);
}

void OrderIntake::apply_one(const InboxMessage& msg, IntakeResult& result) {
    Transaction tx(store_.db());
    auto parsed = parse_order_event(msg.payload, max_payload_bytes_);
    if (!parsed) {
        log::warning("rejected message " + std::to_string(msg.id) + " on " + msg.topic + ": " +
                     parsed.error().message);
        dead_letter(msg, parsed.error().message);
        store_.inbox_finish(msg.id);
        tx.commit();
        ++result.rejected;
        result.outbox_grew = true;
        return;
    }
    const OrderEvent& ev = *parsed;
    if (store_.event_applied(ev.event_id)) {
        log::info("event " + ev.event_id + " was applied before; delivered again, nothing changed");
        store_.inbox_finish(msg.id);
        tx.commit();
        ++result.duplicates;
        return;
    }
    if (store_.order_exists(ev.order_id)) {
        const std::string reason =
            "order " + ev.order_id + " exists already; event " + ev.event_id + " would create it twice";
        log::warning(reason);
        dead_letter(msg, reason);
        store_.mark_event_applied(ev.event_id, "rejected: order exists");
        store_.inbox_finish(msg.id);
        tx.commit();
        ++result.rejected;
        result.outbox_grew = true;
        return;
    }

    const std::string state = "accepted";
    std::string zpl;
    std::string png;
    if (!route_.printer.empty()) {
        ShippingLabelData data;
        data.order_id = ev.order_id;
        data.ship_from = route_.ship_from;
        data.ship_to = ev.ship_to;
        data.carrier = ev.carrier;
        data.service = ev.service;
        data.tracking_number = ev.tracking_number;
        Label label = shipping_label(data, route_.size);
        zpl = to_zpl(label);
        auto rendered = to_png(label);
        if (rendered) {
            png = std::move(*rendered);
        } else {
            // The printer needs only the ZPL; a preview that cannot be drawn is worth a warning.
            log::warning("order " + ev.order_id + ": no label preview: " + rendered.error().message);
        }
    }

    store_.db()
        .prepare(
            "INSERT INTO orders (id, state, event_id, source, ship_to, carrier, service, original, "
            "created_at, "
            "updated_at) VALUES (?, ?, ?, 'canonical', ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'), "
            "strftime('%Y-%m-%dT%H:%M:%fZ','now'))")
        .bind(1, ev.order_id)
        .bind(2, state)
        .bind(3, ev.event_id)
        .bind(4, address_json(ev.ship_to))
        .bind(5, ev.carrier)
        .bind(6, ev.service)
        .bind_blob(7, msg.payload)
        .run();
    auto line =
        store_.db().prepare("INSERT INTO order_lines (order_id, line_no, sku, quantity) VALUES (?, ?, ?, ?)");
    int line_no = 0;
    for (const auto& l : ev.lines) {
        line.bind(1, ev.order_id).bind(2, ++line_no).bind(3, l.sku).bind(4, l.quantity).run();
    }
    if (!zpl.empty()) {
        store_.print_job_add(route_.printer, "shipping", ev.order_id, zpl, png, false);
        result.printers_with_new_jobs.insert(route_.printer);
    }
    const json status{{"order_id", ev.order_id}, {"state", state}, {"event_id", ev.event_id}};
    store_.outbox_add(topics_.order_status(ev.order_id), to_text(status), false);
    store_.mark_event_applied(ev.event_id, state);
    store_.inbox_finish(msg.id);
    tx.commit();
    ++result.applied;
    result.outbox_grew = true;
    log::info("order " + ev.order_id + " " + state + " (" + std::to_string(ev.lines.size()) +
              " lines, event " + ev.event_id + ")");
}

}  // namespace packd::fulfillment
