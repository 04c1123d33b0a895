#pragma once
// Applies messages from the inbox: each one in a single transaction that records the order (or
// its cancellation), reserves stock, queues its label and the outbound status message, and marks
// the event applied, so a crash at any point either leaves the message in the inbox or has
// applied all of it exactly once.

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "packd/fulfillment/domain/topics.hpp"
#include "packd/fulfillment/labels/label.hpp"
#include "packd/fulfillment/labels/label_template.hpp"
#include "packd/fulfillment/labels/shipping_label.hpp"
#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/orders/return_desk.hpp"
#include "packd/fulfillment/shop/mqtt/inbound_message.hpp"
#include "packd/fulfillment/shop/shop_events.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace packd::fulfillment {

/// Where and how shipping labels of incoming orders are printed. Reloadable.
struct LabelRoute {
    std::string printer;  ///< empty: orders are accepted without printing
    LabelSize size = LabelSize::inches(4, 6, 203);
    Address ship_from;
    /// The layouts (config/labels/*.toml); shared so a reload swaps them without copying. Without them
    /// no shipping label is queued and return labels are refused.
    std::shared_ptr<const LabelTemplates> templates;
};

/// How much of one turn of the event loop applying the inbox may take: at least one message is applied,
/// then more while both limits allow. The rest waits for the next turn, so timers, the broker session and
/// the printers are served in between.
struct IntakeBudget {
    std::chrono::microseconds time{2000};
    int max_messages = 256;
};

/// What one pass over the inbox did.
struct IntakeResult {
    int stored = 0;  ///< messages of the batch kept in the inbox (store_and_apply)
    int applied = 0;
    int duplicates = 0;
    int rejected = 0;
    std::set<std::string> printers_with_new_jobs;
    bool outbox_grew = false;
    bool stock_changed = false;  ///< a stock correction was applied: held orders may go now
    bool more = false;           ///< messages still wait in the inbox: apply again on a later turn
};

/// What the intake has done since packd started, for `packctl status` and the benchmarks.
struct IntakeTotals {
    std::int64_t stored = 0;
    std::int64_t applied = 0;
    std::int64_t duplicates = 0;
    std::int64_t rejected = 0;
    std::int64_t batches = 0;        ///< durable commits that stored messages from the broker
    std::int64_t largest_batch = 0;  ///< the most messages one of them stored
};

/// Takes the image of an image scan for `station` (`Topics::scans_in`); the reason when it cannot,
/// e.g. no such station. It is called inside the intake's transaction, so it only hands the bytes on:
/// decoding happens elsewhere, later.
using ImageScanSink = std::function<Status(const std::string& station, std::string image)>;

class OrderIntake {
  public:
    OrderIntake(Store& store, OrderBook& orders, Inventory& inventory, Topics topics,
                size_t max_payload_bytes);

    void set_label_route(LabelRoute route) { route_ = std::move(route); }
    const LabelRoute& label_route() const { return route_; }
    /// Without a sink, image scans are refused (dead-lettered) with a reason.
    void set_image_scan_sink(ImageScanSink sink) { image_scans_ = std::move(sink); }

    /// Stores a batch of messages from the broker in the inbox and applies what `budget` allows (the
    /// oldest messages first, so a backlog keeps its order), all in one durable transaction: one commit
    /// per batch however many messages it holds (group commit). Only after it returns may the batch be
    /// acknowledged. A message whose payload was too big to keep is dead-lettered instead. On an error
    /// nothing of the batch is stored.
    Result<IntakeResult> store_and_apply(const std::vector<InboundMessage>& batch, IntakeBudget budget);
    /// Applies the oldest messages waiting in the inbox within `budget`, in one transaction; `more` says
    /// whether others wait. Each message is applied as a part of that transaction of its own: one that
    /// is refused or breaks the intake is dead-lettered alone and the others stay applied.
    Result<IntakeResult> apply_pending(IntakeBudget budget = {});
    /// Tries every held order again, oldest first (after stock arrived); the ones accepted now get
    /// their shipping label. One transaction.
    Result<IntakeResult> retry_held();
    /// What ending a hold did: the order's state and reason, and the printer its label went to.
    struct Released {
        OrderOutcome outcome;
        std::string printer;  ///< empty: still held, or no printer configured
    };
    /// Inside a transaction: ends an order's hold (OrderBook::release) and, when it is accepted now, queues
    /// its label; for a rule's release (`rule` names it) and `packctl release` (`by` the operator).
    Result<Released> release(const std::string& order_id, const OrderActor& by = {},
                             const std::string& rule = "");

    const IntakeTotals& totals() const { return totals_; }

    /// Inside a transaction: the shipping label of an accepted order, drawn again from its original with
    /// what rules set on it (carrier, printer, a return label in the parcel); after a rule released it or
    /// changed its carrier. The printer it went to; empty when no printer is configured.
    Result<std::string> queue_label_for(const std::string& order_id);
    /// Inside a transaction: a return label for the order's parcel, from the customer back to the
    /// warehouse, printed with its shipping label. The printer it went to.
    Result<std::string> queue_return_label_for(const std::string& order_id);
    /// The return label of an approved return as PNG and PDF in the outbox; the reason when it
    /// cannot be drawn.
    Status publish_return_label(const ReturnEvent& ev, const std::string& order_id);

  private:
    /// Inside a transaction: applies messages from the inbox's head until `budget` is spent.
    Status apply_some(IntakeBudget budget, IntakeResult& result);
    /// Inside a transaction: `apply_one` as a part of its own; a message that breaks the intake is
    /// dead-lettered alone. False when the store failed and applying must stop for now.
    bool apply_isolated(const InboxMessage& msg, IntakeResult& result);
    void count(const IntakeResult& result);
    void apply_one(const InboxMessage& msg, IntakeResult& result);
    /// What carrying out one shop event did: the state recorded for its event id and the journal line.
    struct EventDone {
        std::string state;
        std::string line;
    };
    /// The path every shop event other than an order takes, in one transaction: refused when it could
    /// not be read (`event_id` holds why), skipped when its event id was applied before, else
    /// `carry_out`; a failure there rolls the event back and only its refusal is written.
    void apply_event(const InboxMessage& msg, IntakeResult& result, const Result<std::string>& event_id,
                     const std::function<Result<EventDone>()>& carry_out);
    void apply_stock(const InboxMessage& msg, IntakeResult& result);
    void apply_return(const InboxMessage& msg, IntakeResult& result);
    void apply_receipt(const InboxMessage& msg, IntakeResult& result);
    void apply_command(const InboxMessage& msg, IntakeResult& result);
    void apply_label(const InboxMessage& msg, IntakeResult& result);
    void apply_image_scan(const InboxMessage& msg, const std::string& station, IntakeResult& result);
    /// Inside a transaction: queues a shop's label instead of packd's own; the reason when it cannot.
    Status queue_supplied_label(const LabelEvent& ev, IntakeResult& result);
    /// Inside a transaction: carries out one command; the reason when it cannot be.
    Status run_command(const OperatorCommand& cmd, IntakeResult& result);
    /// Dead-letters `msg` with `reason` and removes it from the inbox; inside the caller's transaction.
    void refuse(const InboxMessage& msg, const std::string& reason, IntakeResult& result);
    void dead_letter(const InboxMessage& msg, const std::string& reason);
    /// The order's tracking number from a configured range of its carrier, taken once; empty without one.
    std::string local_tracking_number(const OrderEvent& ev);
    /// `created`: the event created the order, so no label of it can have printed before. With the
    /// carrier and printer rules set on the order; the printer it went to, empty when none.
    std::string queue_shipping_label(const OrderEvent& ev, bool created);

    Store& store_;
    OrderBook& orders_;
    Inventory& inventory_;
    Topics topics_;
    ReturnDesk returns_;
    Receipts receipts_;
    size_t max_payload_bytes_;
    LabelRoute route_;
    ImageScanSink image_scans_;
    IntakeTotals totals_;
};

}  // namespace packd::fulfillment
