#include "packd/fulfillment/intake/order_intake.hpp"

#include <nlohmann/json.hpp>

#include "packd/common/log.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/labels/label_data.hpp"
#include "packd/fulfillment/labels/label_pdf.hpp"
#include "packd/fulfillment/orders/order_event.hpp"
#include "packd/fulfillment/orders/tracking.hpp"
#include "packd/fulfillment/shop/shop_events.hpp"
#include "packd/fulfillment/shop/shop_formats.hpp"

namespace packd::fulfillment {
namespace {

using nlohmann::json;

/// Serialises data that came from outside: bytes that are not UTF-8 become U+FFFD instead of
/// throwing.
std::string to_text(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

OrderIntake::OrderIntake(Store& store, OrderBook& orders, Inventory& inventory, Topics topics,
                         size_t max_payload_bytes)
    : store_(store),
      orders_(orders),
      inventory_(inventory),
      topics_(std::move(topics)),
      returns_(store, orders, topics_),
      max_payload_bytes_(max_payload_bytes) {}

Result<IntakeResult> OrderIntake::store_and_apply(const std::vector<InboundMessage>& batch,
                                                  IntakeBudget budget) {
    IntakeResult result;
    try {
        Transaction tx(store_.db());
        for (const auto& msg : batch) {
            if (!msg.payload_dropped) {
                if (auto stored = store_.inbox_append(msg.topic, msg.payload); !stored) {
                    return stored.error();  // rolls back: nothing of the batch is stored or acknowledged
                }
                ++result.stored;
                continue;
            }
            const std::string reason = "payload of " + std::to_string(msg.size) +
                                       " bytes is over the limit of " + std::to_string(max_payload_bytes_) +
                                       " bytes (broker.max_payload_bytes); too big to keep, not stored";
            log::warning("rejected message on " + msg.topic + ": " + reason);
            json letter{{"reason", reason}, {"topic", msg.topic}, {"size", msg.size}};
            store_.outbox_add(topics_.dead_letter(), to_text(letter), false);
            ++result.rejected;
            result.outbox_grew = true;
        }
        // Applied in the same commit: an order arriving on its own costs one durable commit, not two.
        apply_some(budget, result);
        tx.commit();
    } catch (const SqliteError& e) {
        return fail(std::string("storing inbound messages: ") + e.what());
    }
    ++totals_.batches;
    totals_.largest_batch =
        std::max<std::int64_t>(totals_.largest_batch, static_cast<std::int64_t>(batch.size()));
    count(result);
    return result;
}

Result<IntakeResult> OrderIntake::apply_pending(IntakeBudget budget) {
    IntakeResult result;
    try {
        Transaction tx(store_.db());
        apply_some(budget, result);
        tx.commit();
    } catch (const SqliteError& e) {
        // Whatever was not committed stays in the inbox and is tried again on the next pass.
        return fail(std::string("applying inbox: ") + e.what());
    }
    count(result);
    return result;
}

void OrderIntake::count(const IntakeResult& result) {
    totals_.stored += result.stored;
    totals_.applied += result.applied;
    totals_.duplicates += result.duplicates;
    totals_.rejected += result.rejected;
}

void OrderIntake::apply_some(IntakeBudget budget, IntakeResult& result) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + budget.time;
    int done = 0;
    int64_t after = 0;
    for (;;) {
        // A few at a time: a big backlog is never read whole, and what is read is applied now.
        const int want = std::min(16, budget.max_messages - done);
        auto messages = store_.inbox_pending(after, want);
        for (const auto& msg : messages) {
            if (done > 0 && (done >= budget.max_messages || Clock::now() >= deadline)) {
                result.more = true;
                return;
            }
            if (!apply_isolated(msg, result)) {
                result.more = true;  // the store refused; the message stays and is tried again later
                return;
            }
            after = msg.id;
            ++done;
        }
        if (static_cast<int>(messages.size()) < want) {
            return;  // the inbox is empty
        }
        if (done >= budget.max_messages || Clock::now() >= deadline) {
            result.more = true;
            return;
        }
    }
}

bool OrderIntake::apply_isolated(const InboxMessage& msg, IntakeResult& result) {
    try {
        apply_one(msg, result);
        return true;
    } catch (const SqliteError& e) {
        if (sqlite3_get_autocommit(store_.db().handle()) != 0) {
            throw;  // the whole transaction is gone (disk full, I/O error): the caller fails
        }
        log::error("message " + std::to_string(msg.id) + " on " + msg.topic +
                   " could not be applied, it stays in the inbox: " + e.what());
        return false;
    } catch (const std::exception& e) {
        // A message that breaks the intake must not block the inbox behind it. Its own part of the
        // transaction is undone already; only its dead letter is written.
        log::error("message " + std::to_string(msg.id) + " on " + msg.topic +
                   " could not be applied: " + e.what());
        Transaction letter(store_.db());
        dead_letter(msg, std::string("internal error while applying: ") + e.what());
        store_.inbox_finish(msg.id);
        letter.commit();
        ++result.rejected;
        result.outbox_grew = true;
        return true;
    }
}

Result<IntakeResult> OrderIntake::retry_held() {
    IntakeResult result;
    try {
        Transaction tx(store_.db());
        for (const auto& id : orders_.held_orders()) {
            auto outcome = orders_.retry_held(id);
            if (!outcome || outcome->state != "accepted") {
                continue;
            }
            ++result.applied;
            result.outbox_grew = true;
            log::info("order " + id + " accepted: stock arrived");
            if (route_.printer.empty()) {
                continue;
            }
            // The label is drawn from the order as it arrived (ship-to, carrier, tracking number).
            auto ev = parse_inbound_order(orders_.original_of(id), max_payload_bytes_, "", nullptr);
            if (!ev) {
                log::warning("order " + id +
                             ": no label, its original cannot be read again: " + ev.error().message);
                continue;
            }
            queue_shipping_label(*ev, false);
            result.printers_with_new_jobs.insert(route_.printer);
        }
        tx.commit();
    } catch (const SqliteError& e) {
        return fail(std::string("retrying held orders: ") + e.what());
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

std::string OrderIntake::local_tracking_number(const OrderEvent& ev) {
    // A number taken for an earlier label of this order stays the order's: a relabel never takes another.
    if (auto kept = orders_.tracking_of(ev.order_id); kept && !kept->empty()) {
        return *kept;
    }
    TrackingNumbers numbers(store_, topics_);
    if (ev.carrier.empty() || !numbers.has_range(ev.carrier)) {
        return {};  // the shop sends the number, or its label, later
    }
    // Taken inside the order's transaction: if the label is not stored, the number is not used either.
    auto number = numbers.allocate(ev.carrier, true);
    if (!number) {
        log::warning("order " + ev.order_id + ": label without a tracking number: " + number.error().message);
        return {};
    }
    if (auto kept = orders_.set_tracking(ev.order_id, *number); !kept) {
        log::warning("order " + ev.order_id + ": tracking number " + *number +
                     " not kept: " + kept.error().message);
        return {};
    }
    return *number;
}

void OrderIntake::queue_shipping_label(const OrderEvent& ev, bool created) {
    ShippingLabelData data;
    data.order_id = ev.order_id;
    data.ship_from = route_.ship_from;
    data.ship_to = ev.ship_to;
    data.carrier = ev.carrier;
    data.service = ev.service;
    data.tracking_number = ev.tracking_number.empty() ? local_tracking_number(ev) : ev.tracking_number;
    if (!route_.templates) {
        log::warning("order " + ev.order_id + ": no shipping label, no label templates are loaded");
        return;
    }
    // From the template compiled for this stock: the data filled in, microseconds. The printer needs only
    // the ZPL; the preview is drawn from the kept label model when someone asks for it (LabelPreviews),
    // never here inside the order's transaction.
    const DrawnLabel label =
        route_.templates->of(LabelKind::Shipping).compiled(route_.size)->draw(label_data(data));
    if (auto valid = validate(label.label); !valid) {
        // Printed all the same: a label without its barcode beats no label; the packer sees the gap.
        log::warning("order " + ev.order_id + ": shipping label: " + valid.error().message);
    }
    // A label that printed before this change of the order is replaced, and says it is a reprint. A new order
    // has none, and is not looked up: print_jobs has no index by order, so the look-up reads every job ever
    // printed, which made each order of a backlog slower than the one before.
    store_.print_job_add(route_.printer, "shipping", ev.order_id, label.zpl, label.label,
                         !created && store_.label_printed(ev.order_id, "shipping"));
}

void OrderIntake::refuse(const InboxMessage& msg, const std::string& reason, IntakeResult& result) {
    log::warning("rejected message " + std::to_string(msg.id) + " on " + msg.topic + ": " + reason);
    dead_letter(msg, reason);
    store_.inbox_finish(msg.id);
    ++result.rejected;
    result.outbox_grew = true;
}

Status OrderIntake::publish_return_label(const ReturnEvent& ev, const std::string& order_id) {
    // From the customer (the order's ship-to) back to the warehouse, with the RMA as its reference.
    auto order = parse_inbound_order(orders_.original_of(order_id), max_payload_bytes_, "", nullptr);
    if (!order) {
        return fail("the order's original cannot be read again: " + order.error().message);
    }
    if (!route_.templates) {
        return fail("no label templates are loaded");
    }
    ReturnLabelData data;
    data.rma = ev.rma;
    data.order_id = order_id;
    data.from = order->ship_to;
    data.return_to = route_.ship_from;
    data.carrier = ev.carrier;
    data.tracking_number = ev.tracking_number;
    const Label label = render(route_.templates->of(LabelKind::Return), label_data(data), route_.size);
    if (auto valid = validate(label); !valid) {
        return valid.error();
    }
    auto png = to_png(label);
    if (!png) {
        return png.error();
    }
    auto pdf = to_pdf(label);
    if (!pdf) {
        return pdf.error();
    }
    const json message{{"rma", ev.rma},
                       {"order_id", order_id},
                       {"carrier", ev.carrier},
                       {"tracking_number", ev.tracking_number},
                       {"width_dots", label.size.width_dots},
                       {"height_dots", label.size.height_dots},
                       {"dpi", label.size.dpi},
                       {"png_base64", base64_encode(*png)},
                       {"pdf_base64", base64_encode(*pdf)}};
    store_.outbox_add(topics_.return_label(ev.rma), to_text(message), false);
    return {};
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

Status OrderIntake::queue_supplied_label(const LabelEvent& ev, IntakeResult& result) {
    const auto state = orders_.state_of(ev.order_id);
    if (!state) {
        return fail("label for unknown order " + printable(ev.order_id) + "; send it after the order");
    }
    if (*state == "held" || *state == "cancelled" || *state == "shipped") {
        return fail("label for order " + ev.order_id + ", which is " + *state + "; nothing to print it for");
    }
    if (route_.printer.empty()) {
        return fail("label for order " + ev.order_id + ": no label printer is configured ([labels] printer)");
    }
    auto zpl = supplied_label_to_zpl(ev.format, ev.data, route_.size, max_payload_bytes_);
    if (!zpl) {
        return fail("label for order " + ev.order_id + ": " + zpl.error().message);
    }
    // The shop's label replaces packd's own one that has not printed yet; one that has is kept in the
    // history, and the new label is the one to stick on.
    store_.print_jobs_cancel_pending(ev.order_id, "shipping");
    if (!ev.tracking_number.empty()) {
        if (auto set = orders_.set_tracking(ev.order_id, ev.tracking_number); !set) {
            return set.error();
        }
    }
    const std::string preview = ev.format == SuppliedLabelFormat::Png ? ev.data : std::string();
    store_.print_job_add(route_.printer, "shipping", ev.order_id, *zpl, preview, false);
    result.printers_with_new_jobs.insert(route_.printer);
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
    Transaction tx(store_.db());
    if (!topics_.is_order_topic(msg.topic)) {
        refuse(msg,
               "topic " + printable(msg.topic) + " is not one packd takes (" + topics_.orders_in() + ", " +
                   topics_.stock_in() + ", " + topics_.returns_in() + ", " + topics_.commands_in() + ", " +
                   topics_.labels_in() + ", " + topics_.scans_in("STATION") + ")",
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
    Result<OrderOutcome> outcome = ev.type == "order.cancelled" ? orders_.cancel(ev.order_id, ev.event_id)
                                   : ev.type == "order.updated" ? orders_.update(ev, msg.payload, source)
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
    if (outcome->needs_label && !route_.printer.empty()) {
        queue_shipping_label(ev, ev.type == "order.created");
        result.printers_with_new_jobs.insert(route_.printer);
    }
    store_.mark_event_applied(ev.event_id, outcome->state);
    store_.inbox_finish(msg.id);
    tx.commit();
    result.outbox_grew = true;
    log::info("order " + ev.order_id + " " + outcome->state +
              (outcome->reason.empty() ? "" : ": " + outcome->reason) + " (event " + ev.event_id + ", " +
              source + ")");
    ++result.applied;
}

}  // namespace packd::fulfillment
