#pragma once
// The local store: one SQLite file in the state folder that holds everything the box must not
// lose: the inbox of raw shop messages, orders, print jobs and the outbox. Called only on the
// io_context thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "packd/common/result.hpp"
#include "packd/fulfillment/domain/domain_event.hpp"
#include "packd/fulfillment/domain/order_state.hpp"
#include "packd/fulfillment/labels/label.hpp"
#include "packd/fulfillment/store/schema.hpp"
#include "packd/fulfillment/store/sqlite.hpp"

namespace packd::fulfillment {

/// A message from the broker kept as it arrived, until it has been applied.
struct InboxMessage {
    int64_t id = 0;
    std::string topic;
    std::string payload;
};

/// A message waiting for the broker's PUBACK.
struct OutboxMessage {
    int64_t id = 0;
    std::string topic;
    std::string payload;
    int qos = 1;
    bool retain = false;
};

/// A label waiting for (or done at) its printer.
struct StoredPrintJob {
    int64_t id = 0;
    std::string printer;
    std::string kind;
    std::string order_id;
    std::string zpl;
    /// The image the label came as (a shop's own PNG label), or the preview kept with jobs stored before
    /// schema 7; empty for labels packd draws, whose preview is drawn from their model when asked.
    std::string preview_png;
    int attempts = 0;
    bool reprint = false;
    std::string last_error;  ///< why its last attempt did not print, or why it is uncertain
    std::string sent_at;     ///< when its bytes last went to the printer; empty before that
};

/// One printer's queue at a glance, for the device page and `packctl status`.
struct PrinterQueueSummary {
    std::string printer;
    int64_t queued = 0;           ///< pending or being sent
    int64_t uncertain = 0;        ///< may have printed: an operator decides
    std::string last_printed_at;  ///< when its latest label printed, among the latest jobs; empty: none
};

/// One label of an order as a station screen shows it.
struct PrintJobSummary {
    int64_t id = 0;
    std::string printer;
    std::string state;  ///< pending, sending, uncertain, done, cancelled
    std::string created_at;
    std::string done_at;
};

/// What became of the jobs of one batch sent to a printer, settled in one commit.
struct PrintSettlement {
    std::vector<int64_t> printed;    ///< the printer said they printed: 'done'
    std::vector<int64_t> uncertain;  ///< their bytes went out and the printer never said: 'uncertain'
    std::vector<int64_t> unsent;     ///< known not printed (not sent, or cancelled in the printer): 'pending'
    std::string reason;              ///< why the batch did not all print; kept with the other two
};

/// What the preview of a print job is drawn from: the label model packd drew the job from, or the image
/// the job keeps (StoredPrintJob::preview_png); a job may have neither (a shop's ZPL label).
struct PrintJobPreview {
    int64_t job_id = 0;
    std::string printer;
    std::string kind;
    std::string order_id;
    std::optional<Label> label;
    std::string png;
};

/// One label of an order, as the order's page lists them.
struct OrderLabel {
    int64_t job = 0;
    std::string kind;  ///< shipping, return, pick_list, sscc
    std::string printer;
    std::string state;  ///< pending, sending, uncertain, done, cancelled
    bool reprint = false;
    std::string created_at;
    std::string done_at;          ///< empty until it printed
    std::string tracking_number;  ///< the number the label carries; empty when it has none or it is unknown
};

struct OrderRow {
    std::string id;
    OrderState state = OrderState::received;
    std::string carrier;
    std::string service;
    std::string created_at;
    int lines = 0;
};

/// The state an orders row holds. The table's CHECK constraint admits only the named states, so any other
/// word means a damaged file: SqliteError with SQLITE_CORRUPT.
OrderState stored_order_state(const std::string& order_id, const std::string& word);

/// Counters for `packctl status` and the systemd STATUS= line.
struct StoreCounts {
    int64_t orders = 0;
    int64_t orders_open = 0;
    int64_t print_jobs_pending = 0;
    int64_t print_jobs_uncertain = 0;  ///< labels that may have printed, waiting for the operator
    int64_t outbox = 0;
    int64_t inbox = 0;
};

class Store {
  public:
    static constexpr int kSchemaVersion = fulfillment::kSchemaVersion;

    /// Opens or creates the database and runs forward migrations. Refuses a file that is not a
    /// database or that was written by a newer packd.
    static Result<std::unique_ptr<Store>> open(const std::string& path);

    Database& db() { return *db_; }

    // Inbox: written and committed before the message is acknowledged to the broker.
    Result<int64_t> inbox_append(const std::string& topic, const std::string& payload);
    /// The oldest messages after `after_id` (0: from the start), at most `limit`.
    Result<std::vector<InboxMessage>> inbox_pending(int64_t after_id, int limit);
    /// Inside a transaction: records what became of an inbox message and removes it.
    void inbox_finish(int64_t id);

    // Idempotency by event id; inside a transaction.
    bool event_applied(const std::string& event_id);
    void mark_event_applied(const std::string& event_id, const std::string& outcome);

    // Outbox: written in the same transaction as the change that causes it.
    void outbox_add(const std::string& topic, const std::string& payload, bool retain);
    Result<std::vector<OutboxMessage>> outbox_pending(int64_t after_id, int limit);
    /// How long the oldest outbox message has waited for the broker's PUBACK, in milliseconds (0 when
    /// empty): a depth whose age keeps growing is a link that stopped taking messages. Read for `packctl
    /// status` only, not by the tick's counters.
    Result<int64_t> outbox_oldest_ms();
    Status outbox_remove(int64_t id);
    /// Removes the rows the broker acknowledged, in one commit without a flush of its own.
    Status outbox_remove(const std::vector<int64_t>& ids);

    /// Runs `work` in one transaction committed without waiting for the disk (synchronous=NORMAL): for
    /// bookkeeping whose loss to a power cut only repeats a message, never loses one. Inside another
    /// transaction it is a part of that one. Throws SqliteError.
    void commit_without_flush(const std::function<void()>& work);

    // Print jobs.
    /// A label packd drew: its ZPL, and its model (serialize_label), from which the preview is drawn when
    /// someone asks. No PNG is drawn or stored. `tracking_number`: the one the label carries, if any.
    int64_t print_job_add(const std::string& printer, const std::string& kind, const std::string& order_id,
                          const std::string& zpl, const Label& label, bool reprint,
                          const std::string& tracking_number = "");
    /// A label that came as an image (the shop's own PNG label) keeps that image as its preview; pass ""
    /// for a label without one.
    int64_t print_job_add(const std::string& printer, const std::string& kind, const std::string& order_id,
                          const std::string& zpl, const std::string& preview_png, bool reprint,
                          const std::string& tracking_number = "");
    /// Every pending job of `printer` with its preview; for tools and tests, not for the queue.
    Result<std::vector<StoredPrintJob>> print_jobs_pending(const std::string& printer);
    /// The oldest pending jobs of `printer`, at most `limit`: what its queue sends next, and nothing more
    /// (the preview only when `with_preview`).
    Result<std::vector<StoredPrintJob>> print_jobs_next(const std::string& printer, int limit,
                                                        bool with_preview);
    Status print_job_done(int64_t id);
    /// Marks jobs printed, in one commit.
    Status print_jobs_done(const std::vector<int64_t>& ids);
    /// Marks the jobs as being sent, in one durable commit, just before their first byte leaves packd: a
    /// crash after it finds them 'sending' and never sends them again unasked. Refused, with nothing
    /// changed, when one of them is no longer pending (its order was cancelled meanwhile).
    Status print_jobs_sending(const std::vector<int64_t>& ids);
    /// Settles a batch in one commit; each job that becomes uncertain puts an alert on `alerts_topic`
    /// (none when it is empty), in the same commit.
    Status print_jobs_settle(const PrintSettlement& settlement, const std::string& alerts_topic);
    /// The jobs of `printer` a crash left 'sending', oldest first.
    Result<std::vector<StoredPrintJob>> print_jobs_interrupted(const std::string& printer);
    /// Every label that may have printed, oldest first: each waits for the operator's word.
    Result<std::vector<StoredPrintJob>> print_jobs_uncertain();
    /// One job, without its preview image.
    Result<StoredPrintJob> print_job(int64_t id);
    /// The operator's word on an uncertain job: it printed (`printed`: 'done'), or it did not and goes to
    /// its printer again ('pending'). Refused for a job that is not uncertain.
    Result<StoredPrintJob> print_job_resolve(int64_t id, bool printed);
    /// The printers with jobs pending or being sent.
    Result<std::vector<std::string>> printers_with_pending_jobs();
    /// True once a label of this kind has printed for the order.
    bool label_printed(const std::string& order_id, const std::string& kind);
    /// A label of the order waits for its printer (pending or being sent).
    bool label_pending(const std::string& order_id, const std::string& kind);
    /// Cancels the order's labels that have not started printing (`pending`), of one kind or, with `kind`
    /// empty, of every kind: the order was cancelled or changed, or the shop sent a label of its own. A
    /// label already being sent or uncertain stays as it is. Part of the caller's transaction.
    void print_jobs_cancel_pending(const std::string& order_id, const std::string& kind = "");
    /// Queues the latest label of this kind for the order again, marked as a reprint, on the printer it
    /// went to. Refused when the order has no such label, or when it has not printed yet (a reprint then
    /// would print it twice).
    Result<StoredPrintJob> print_job_reprint(const std::string& order_id, const std::string& kind);
    /// What job `id`'s preview is drawn from. Refused for an unknown job and for a label model the store
    /// cannot read back (the reason names the job).
    Result<PrintJobPreview> print_job_preview(int64_t id);
    /// The same for the latest job of `kind` for the order.
    Result<PrintJobPreview> print_job_preview(const std::string& order_id, const std::string& kind);
    /// The queue of each printer named (store_print_summary.cpp); reads indexes and the latest jobs only.
    Result<std::vector<PrinterQueueSummary>> printer_queues(const std::vector<std::string>& printers);
    /// The latest job of `kind` for the order, if any.
    Result<std::optional<PrintJobSummary>> latest_print_job(const std::string& order_id,
                                                            const std::string& kind);

    /// Every label of the order, oldest first, without its ZPL or preview.
    Result<std::vector<OrderLabel>> order_labels(const std::string& order_id);

    // Orders.
    Result<bool> order_exists(const std::string& id);
    Result<std::vector<OrderRow>> orders(int limit);

    Result<StoreCounts> counts();

    // Events for merchant rules (domain_event.hpp).
    /// Inside the transaction that made it happen: hands the event to the sink, if one is set.
    void emit(DomainEvent event) {
        if (events_ != nullptr) {
            events_->take(std::move(event));
        }
    }
    bool wants(const std::string& trigger) const { return events_ != nullptr && events_->wants(trigger); }
    /// Runs the rules of the events emitted so far now, inside the current transaction, rather than at its
    /// commit: for a caller that acts on what the rules did (the intake, before an order's label).
    void settle_events() {
        if (auto* hooks = db_->hooks()) {
            hooks->before_commit();
        }
    }
    /// The sink and the transaction hooks of the rule engine; nullptr for none. Not owned.
    void set_event_sink(DomainEventSink* sink, TransactionHooks* hooks) {
        events_ = sink;
        db_->set_hooks(hooks);
    }

  private:
    explicit Store(std::unique_ptr<Database> db) : db_(std::move(db)) {}
    void migrate();

    std::unique_ptr<Database> db_;
    DomainEventSink* events_ = nullptr;
};

}  // namespace packd::fulfillment
