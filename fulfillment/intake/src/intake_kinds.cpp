// Applying one inbound message of each kind: order events, stock, returns, supplied labels, operator
// commands and image scans.

#include "packd/fulfillment/intake/order_intake.hpp"

#include <nlohmann/json.hpp>

#include "packd/common/json_text.hpp"
#include "packd/common/log.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/labels/label_data.hpp"
#include "packd/fulfillment/labels/label_pdf.hpp"
#include "packd/fulfillment/orders/order_event.hpp"
#include "packd/fulfillment/orders/tracking.hpp"
#include "packd/fulfillment/shop/shop_events.hpp"
#include "packd/fulfillment/shop/shop_formats.hpp"

namespace packd::fulfillment {
using nlohmann::json;

void OrderIntake::refuse(const InboxMessage& msg, const std::string& reason, IntakeResult& result) {
    log::warning("rejected message " + std::to_string(msg.id) + " on " + msg.topic + ": " + reason);
    dead_letter(msg, reason);
    store_.inbox_finish(msg.id);
    ++result.rejected;
    result.outbox_grew = true;
}

Status OrderIntake::run_command(const OperatorCommand& cmd, IntakeResult& result) {
    if (cmd.command == "recount") {
        if (!cmd.sku.empty()) {
            if (!inventory_.product(cmd.sku)) {
                return fail("recount: unknown SKU \"" + printable(cmd.sku) + "\"");
            }
            inventory_.republish(cmd.sku);
            return {};
        }
        for (const auto& level : inventory_.levels()) {
            inventory_.republish(level.sku);
        }
        return {};
    }
    if (!orders_.state_of(cmd.order_id)) {
        return fail("reprint: unknown order " + printable(cmd.order_id));
    }
    // The same path as `packctl reprint`: the latest label again, as it printed, marked as a reprint.
    auto job = store_.print_job_reprint(cmd.order_id, "shipping");
    if (!job) {
        return fail("reprint: " + job.error().message);
    }
    result.printers_with_new_jobs.insert(job->printer);
    return {};
}

void OrderIntake::apply_event(const InboxMessage& msg, IntakeResult& result,
                              const Result<std::string>& event_id,
                              const std::function<Result<EventDone>()>& carry_out) {
    Transaction tx(store_.db());
    if (!event_id) {
        refuse(msg, event_id.error().message, result);
        tx.commit();
        return;
    }
    if (store_.event_applied(*event_id)) {
        log::info("event " + *event_id + " was applied before; delivered again, nothing changed");
        store_.inbox_finish(msg.id);
        tx.commit();
        ++result.duplicates;
        return;
    }
    auto done = carry_out();
    if (!done) {
        // Nothing of the event stays: its transaction is rolled back and only the refusal is written.
        tx.rollback();
        Transaction refusal(store_.db());
        refuse(msg, done.error().message, result);
        store_.mark_event_applied(*event_id, "rejected: " + done.error().message);
        refusal.commit();
        return;
    }
    store_.mark_event_applied(*event_id, done->state);
    store_.inbox_finish(msg.id);
    tx.commit();
    ++result.applied;
    result.outbox_grew = true;
    log::notice(done->line + " (event " + *event_id + ")");
}

void OrderIntake::apply_stock(const InboxMessage& msg, IntakeResult& result) {
    auto ev = parse_stock_event(msg.payload, max_payload_bytes_);
    apply_event(msg, result, ev ? Result<std::string>(ev->event_id) : ev.error(), [&]() -> Result<EventDone> {
        const Movement& m = ev->movement;
        auto recorded = ev->type == "stock.counted" ? inventory_.count(m, ev->counted) : inventory_.record(m);
        if (!recorded) {
            return recorded.error();
        }
        result.stock_changed = true;
        return EventDone{"applied",
                         "stock " + ev->type.substr(6) + " by the shop: " + m.sku + " at " + m.location +
                             (ev->type == "stock.counted"
                                  ? " counted " + std::to_string(ev->counted)
                                  : " " + std::string(m.delta > 0 ? "+" : "") + std::to_string(m.delta))};
    });
}

void OrderIntake::apply_return(const InboxMessage& msg, IntakeResult& result) {
    auto ev = parse_return_event(msg.payload, max_payload_bytes_);
    apply_event(msg, result, ev ? Result<std::string>(ev->event_id) : ev.error(), [&]() -> Result<EventDone> {
        if (ev->type == "return.requested") {
            if (auto requested = returns_.request(*ev); !requested) {
                return requested.error();
            }
        } else {
            auto order_id = returns_.approve(*ev);
            if (!order_id) {
                return order_id.error();
            }
            if (auto label = publish_return_label(*ev, *order_id); !label) {
                return fail("return " + ev->rma + ": no return label: " + label.error().message);
            }
        }
        const std::string state = ev->type.substr(7);
        return EventDone{state, "return " + ev->rma + " " + state};
    });
}

void OrderIntake::apply_receipt(const InboxMessage& msg, IntakeResult& result) {
    auto ev = parse_receipt_event(msg.payload, max_payload_bytes_);
    apply_event(msg, result, ev ? Result<std::string>(ev->event_id) : ev.error(), [&]() -> Result<EventDone> {
        if (auto applied = receipts_.apply(*ev); !applied) {
            return applied.error();
        }
        const std::string state = ev->type.substr(8);
        return EventDone{
            state, "delivery " + ev->receipt + " " + state +
                       (ev->lines.empty() ? "" : " with " + std::to_string(ev->lines.size()) + " line(s)")};
    });
}

void OrderIntake::apply_label(const InboxMessage& msg, IntakeResult& result) {
    auto ev = parse_label_event(msg.payload, max_payload_bytes_);
    apply_event(msg, result, ev ? Result<std::string>(ev->event_id) : ev.error(), [&]() -> Result<EventDone> {
        if (auto queued = queue_supplied_label(*ev, result); !queued) {
            return queued.error();
        }
        return EventDone{"label queued", "shop's label for order " + ev->order_id + " queued" +
                                             (ev->tracking_number.empty()
                                                  ? std::string()
                                                  : " (" + ev->carrier + " " + ev->tracking_number + ")")};
    });
}

void OrderIntake::apply_command(const InboxMessage& msg, IntakeResult& result) {
    auto cmd = parse_operator_command(msg.payload, max_payload_bytes_);
    apply_event(
        msg, result, cmd ? Result<std::string>(cmd->event_id) : cmd.error(), [&]() -> Result<EventDone> {
            if (auto done = run_command(*cmd, result); !done) {
                return done.error();
            }
            return EventDone{cmd->command, "command " + cmd->command +
                                               (cmd->order_id.empty() ? "" : " of order " + cmd->order_id) +
                                               (cmd->sku.empty() ? "" : " for " + cmd->sku) +
                                               " from the shop" +
                                               (cmd->reason.empty() ? "" : ": " + printable(cmd->reason))};
        });
}

void OrderIntake::apply_image_scan(const InboxMessage& msg, const std::string& station,
                                   IntakeResult& result) {
    // A scan is a moment at a station, not a shop event: no event id, nothing to apply twice. The
    // image leaves the inbox here; a scan lost to a crash before it is decoded is scanned again.
    Transaction tx(store_.db());
    Status taken = image_scans_ ? image_scans_(station, msg.payload)
                                : Status(fail("image scans are not taken by this packd"));
    if (!taken) {
        refuse(
            msg,
            "image scan for station \"" + printable(station.substr(0, 64)) + "\": " + taken.error().message,
            result);
    } else {
        store_.inbox_finish(msg.id);
        ++result.applied;
    }
    tx.commit();
}

void OrderIntake::apply_one(const InboxMessage& msg, IntakeResult& result) {
    if (auto station = topics_.scan_station(msg.topic)) {
        apply_image_scan(msg, *station, result);
        return;
    }
    if (msg.topic == topics_.commands_in()) {
        apply_command(msg, result);
        return;
    }
    if (msg.topic == topics_.labels_in()) {
        apply_label(msg, result);
        return;
    }
    if (msg.topic == topics_.stock_in()) {
        apply_stock(msg, result);
        return;
    }
    if (msg.topic == topics_.returns_in()) {
        apply_return(msg, result);
        return;
    }
    if (msg.topic == topics_.receipts_in()) {
        apply_receipt(msg, result);
        return;
    }
    Transaction tx(store_.db());
    if (!topics_.is_order_topic(msg.topic)) {
        refuse(msg,
               "topic " + printable(msg.topic) + " is not one packd takes (" + topics_.orders_in() + ", " +
                   topics_.stock_in() + ", " + topics_.returns_in() + ", " + topics_.receipts_in() + ", " +
                   topics_.commands_in() + ", " + topics_.labels_in() + ", " + topics_.scans_in("STATION") +
                   ")",
               result);
        tx.commit();
        return;
    }
    ShopFormat format = ShopFormat::unknown;
    auto parsed =
        parse_inbound_order(msg.payload, max_payload_bytes_, topics_.order_hint(msg.topic), &format);
    const std::string source = to_string(format);
    if (!parsed) {
        refuse(msg, parsed.error().message, result);
        tx.commit();
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
    Result<OrderOutcome> outcome =
        ev.type == OrderEventType::cancelled ? orders_.cancel(ev.order_id, ev.event_id)
        : ev.type == OrderEventType::updated ? orders_.update(ev, msg.payload, source)
                                             : orders_.create(ev, msg.payload, source);
    if (!outcome) {
        const std::string& reason = outcome.error().message;
        log::warning("event " + ev.event_id + " refused: " + reason);
        dead_letter(msg, reason);
        store_.mark_event_applied(ev.event_id, "rejected: " + reason);
        store_.inbox_finish(msg.id);
        tx.commit();
        ++result.rejected;
        result.outbox_grew = true;
        return;
    }
    // Merchant rules of this event run now, inside its transaction: they may hold the order, route it or
    // set its carrier, and its label is drawn from what they left.
    store_.settle_events();
    if (outcome->needs_label && orders_.state_of(ev.order_id) == OrderState::accepted) {
        if (auto printer = queue_shipping_label(ev, ev.type == OrderEventType::created); !printer.empty()) {
            result.printers_with_new_jobs.insert(printer);
        }
    }
    store_.mark_event_applied(ev.event_id, std::string(to_string(outcome->state)));
    store_.inbox_finish(msg.id);
    tx.commit();
    result.outbox_grew = true;
    log::info("order " + ev.order_id + " " + std::string(to_string(outcome->state)) +
              (outcome->reason.empty() ? "" : ": " + outcome->reason) + " (event " + ev.event_id + ", " +
              source + ")");
    ++result.applied;
}

}  // namespace packd::fulfillment
