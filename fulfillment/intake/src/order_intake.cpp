// Intake of inbound messages: batches stored and applied in one transaction each, a budget per slice,
// held orders retried, poison messages dead-lettered.

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

OrderIntake::OrderIntake(Store& store, OrderBook& orders, Inventory& inventory, Topics topics,
                         size_t max_payload_bytes)
    : store_(store),
      orders_(orders),
      inventory_(inventory),
      topics_(std::move(topics)),
      returns_(store, orders, topics_),
      receipts_(store, inventory, topics_),
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
            store_.outbox_add(topics_.dead_letter(), json_text(letter), false);
            ++result.rejected;
            result.outbox_grew = true;
        }
        // Applied in the same commit: an order arriving on its own costs one durable commit, not two.
        if (auto applied = apply_some(budget, result); !applied) {
            return applied.error();  // rolls back, as above
        }
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
        if (auto applied = apply_some(budget, result); !applied) {
            return applied.error();  // rolls back: the messages stay in the inbox
        }
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

Status OrderIntake::apply_some(IntakeBudget budget, IntakeResult& result) {
    using Clock = std::chrono::steady_clock;
    const auto deadline = Clock::now() + budget.time;
    int done = 0;
    int64_t after = 0;
    for (;;) {
        // A few at a time: a big backlog is never read whole, and what is read is applied now.
        const int want = std::min(16, budget.max_messages - done);
        auto messages = store_.inbox_pending(after, want);
        if (!messages) {
            return messages.error();
        }
        for (const auto& msg : *messages) {
            if (done > 0 && (done >= budget.max_messages || Clock::now() >= deadline)) {
                result.more = true;
                return {};
            }
            if (!apply_isolated(msg, result)) {
                result.more = true;  // the store refused; the message stays and is tried again later
                return {};
            }
            after = msg.id;
            ++done;
        }
        if (static_cast<int>(messages->size()) < want) {
            return {};  // the inbox is empty
        }
        if (done >= budget.max_messages || Clock::now() >= deadline) {
            result.more = true;
            return {};
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
            if (!outcome || outcome->state != OrderState::accepted) {
                continue;
            }
            ++result.applied;
            result.outbox_grew = true;
            log::info("order " + id + " accepted: stock arrived");
            // The label is drawn from the order as it arrived (ship-to, carrier, tracking number).
            auto ev = parse_inbound_order(orders_.original_of(id), max_payload_bytes_, "", nullptr);
            if (!ev) {
                log::warning("order " + id +
                             ": no label, its original cannot be read again: " + ev.error().message);
                continue;
            }
            if (auto printer = queue_shipping_label(*ev, false); !printer.empty()) {
                result.printers_with_new_jobs.insert(printer);
            }
        }
        tx.commit();
    } catch (const SqliteError& e) {
        return fail(std::string("retrying held orders: ") + e.what());
    }
    return result;
}

Result<OrderIntake::Released> OrderIntake::release(const std::string& order_id, const OrderActor& by,
                                                   const std::string& rule) {
    auto outcome = orders_.release(order_id, by, rule);
    if (!outcome) {
        return outcome.error();
    }
    Released released{*outcome, {}};
    if (outcome->state == OrderState::accepted) {
        auto printer = queue_label_for(order_id);
        if (!printer) {
            return printer.error();
        }
        released.printer = *printer;
    }
    return released;
}

void OrderIntake::dead_letter(const InboxMessage& msg, const std::string& reason) {
    json letter{{"reason", reason}, {"topic", msg.topic}};
    if (is_valid_utf8(msg.payload)) {
        letter["original"] = msg.payload;
    } else {
        letter["original_base64"] = base64_encode(msg.payload);
    }
    store_.outbox_add(topics_.dead_letter(), json_text(letter), false);
}

}  // namespace packd::fulfillment
