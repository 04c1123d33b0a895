// The print jobs of the store: queued with the change that causes them, marked 'sending' durably before
// their first byte goes out, and settled as done, pending again or uncertain (see schema migration 8).

#include <nlohmann/json.hpp>

#include "packd/fulfillment/labels/label_model.hpp"
#include "packd/fulfillment/store/store.hpp"
#include "store_reading.hpp"
#include "store_sql.hpp"

namespace packd::fulfillment {
namespace {

constexpr const char* kJobColumns =
    "id, printer, kind, order_id, zpl, preview, attempts, reprint, "
    "coalesce(last_error, ''), coalesce(sent_at, '')";
/// The same without the preview image: what a printer that needs the ZPL alone is sent.
constexpr const char* kJobColumnsNoPreview =
    "id, printer, kind, order_id, zpl, '', attempts, reprint, "
    "coalesce(last_error, ''), coalesce(sent_at, '')";

StoredPrintJob job_of(Statement& st) {
    return {st.int64(0),
            st.text(1),
            st.text(2),
            st.text(3),
            st.text(4),
            st.text(5),
            static_cast<int>(st.int64(6)),
            st.int64(7) != 0,
            st.text(8),
            st.text(9)};
}

std::string alert_of(const StoredPrintJob& job, const std::string& reason) {
    return nlohmann::json{{"kind", "label_uncertain"}, {"printer", job.printer}, {"job", job.id},
                          {"order_id", job.order_id},  {"label", job.kind},      {"reason", reason}}
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

int64_t Store::print_job_add(const std::string& printer, const std::string& kind, const std::string& order_id,
                             const std::string& zpl, const Label& label, bool reprint,
                             const std::string& tracking_number) {
    static const std::string sql = with_now(
        "INSERT INTO print_jobs (printer, kind, order_id, zpl, preview, label_model, state, reprint, "
        "tracking_number, created_at) "
        "VALUES (?, ?, ?, ?, x'', ?, 'pending', ?, ?, $NOW$)");
    db_->cached(sql)
        .bind(1, printer)
        .bind(2, kind)
        .bind(3, order_id)
        .bind_blob(4, zpl)
        .bind_blob(5, serialize_label(label))
        .bind(6, reprint ? 1 : 0)
        .bind(7, tracking_number)
        .run();
    return db_->last_insert_rowid();
}

int64_t Store::print_job_add(const std::string& printer, const std::string& kind, const std::string& order_id,
                             const std::string& zpl, const std::string& preview_png, bool reprint,
                             const std::string& tracking_number) {
    db_
        ->prepare(with_now(
            "INSERT INTO print_jobs (printer, kind, order_id, zpl, preview, state, reprint, tracking_number, "
            "created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, $NOW$)"))
        .bind(1, printer)
        .bind(2, kind)
        .bind(3, order_id)
        .bind_blob(4, zpl)
        .bind_blob(5, preview_png)
        .bind(6, reprint ? 1 : 0)
        .bind(7, tracking_number)
        .run();
    return db_->last_insert_rowid();
}

Result<std::vector<StoredPrintJob>> Store::print_jobs_pending(const std::string& printer) {
    return reading("print queue", [&] {
        std::vector<StoredPrintJob> out;
        auto st = db_->prepare(std::string("SELECT ") + kJobColumns +
                               " FROM print_jobs WHERE state = 'pending' AND printer = ? ORDER BY id");
        st.bind(1, printer);
        while (st.step()) {
            out.push_back(job_of(st));
        }
        return out;
    });
}

Result<std::vector<StoredPrintJob>> Store::print_jobs_next(const std::string& printer, int limit,
                                                           bool with_preview) {
    return reading("print queue", [&] {
        static const std::string with =
            std::string("SELECT ") + kJobColumns +
            " FROM print_jobs WHERE state = 'pending' AND printer = ? ORDER BY id LIMIT ?";
        static const std::string without =
            std::string("SELECT ") + kJobColumnsNoPreview +
            " FROM print_jobs WHERE state = 'pending' AND printer = ? ORDER BY id LIMIT ?";
        std::vector<StoredPrintJob> out;
        auto& st = db_->cached(with_preview ? with : without);
        st.bind(1, printer).bind(2, limit);
        while (st.step()) {
            out.push_back(job_of(st));
        }
        st.reset();
        return out;
    });
}

Status Store::print_job_done(int64_t id) {
    return print_jobs_done(std::vector<int64_t>{id});
}

Status Store::print_jobs_done(const std::vector<int64_t>& ids) {
    static const std::string sql = with_now(
        "UPDATE print_jobs SET state = 'done', done_at = $NOW$, attempts = attempts + 1 WHERE id = ?");
    try {
        Transaction tx(*db_);
        for (const int64_t id : ids) {
            db_->cached(sql).bind(1, id).run();
        }
        tx.commit();
        return {};
    } catch (const SqliteError& e) {
        return storage_error("print queue", e);
    }
}

Result<std::vector<std::string>> Store::printers_with_pending_jobs() {
    return reading("print queue", [&] {
        std::vector<std::string> out;
        auto st =
            db_->prepare("SELECT DISTINCT printer FROM print_jobs WHERE state IN ('pending', 'sending')");
        while (st.step()) {
            out.push_back(st.text(0));
        }
        return out;
    });
}

bool Store::label_printed(const std::string& order_id, const std::string& kind) {
    auto& st =
        db_->cached("SELECT 1 FROM print_jobs WHERE order_id = ? AND kind = ? AND state = 'done' LIMIT 1");
    st.bind(1, order_id).bind(2, kind);
    const bool printed = st.step();
    st.reset();
    return printed;
}

bool Store::label_pending(const std::string& order_id, const std::string& kind) {
    auto& st = db_->cached(
        "SELECT 1 FROM print_jobs WHERE order_id = ? AND kind = ? AND state IN ('pending','sending') LIMIT "
        "1");
    st.bind(1, order_id).bind(2, kind);
    const bool pending = st.step();
    st.reset();
    return pending;
}

void Store::print_jobs_cancel_pending(const std::string& order_id, const std::string& kind) {
    db_->cached(
           "UPDATE print_jobs SET state = 'cancelled' WHERE order_id = ?1 AND (?2 = '' OR kind = ?2) AND "
           "state = 'pending'")
        .bind(1, order_id)
        .bind(2, kind)
        .run();
}

Result<StoredPrintJob> Store::print_job_reprint(const std::string& order_id, const std::string& kind) {
    Transaction tx(*db_);
    auto st = db_->prepare(
        "SELECT id, printer, zpl, preview, state FROM print_jobs WHERE order_id = ? AND kind = ? "
        "ORDER BY id DESC LIMIT 1");
    st.bind(1, order_id).bind(2, kind);
    if (!st.step()) {
        return fail("order " + order_id + " has no " + kind + " label to reprint");
    }
    StoredPrintJob job{0, st.text(1), kind, order_id, st.text(2), st.text(3), 0, true, {}, {}};
    const int64_t original = st.int64(0);
    const std::string state = st.text(4);
    if (state == "pending" || state == "sending") {
        return fail("the " + kind + " label of order " + order_id + " has not printed yet (job " +
                    std::to_string(original) + " is " +
                    (state == "pending" ? "waiting for" : "being sent to") + " printer " + job.printer +
                    "); a reprint now would print it twice");
    }
    if (state == "uncertain") {
        return fail("the " + kind + " label of order " + order_id + " may have printed (job " +
                    std::to_string(original) + "): look at printer " + job.printer +
                    ", then packctl label confirm " + std::to_string(original) +
                    " if it did, or packctl label " + "resend " + std::to_string(original) +
                    " if it did not");
    }
    // The label as it printed, and what its preview is drawn from.
    db_
        ->prepare(with_now(
            "INSERT INTO print_jobs (printer, kind, order_id, zpl, preview, label_model, state, reprint, "
            "tracking_number, created_at) SELECT printer, kind, order_id, zpl, preview, label_model, "
            "'pending', 1, tracking_number, $NOW$ FROM print_jobs WHERE id = ?"))
        .bind(1, original)
        .run();
    job.id = db_->last_insert_rowid();
    tx.commit();
    return job;
}

Result<std::vector<OrderLabel>> Store::order_labels(const std::string& order_id) {
    return reading("the order's labels", [&] {
        std::vector<OrderLabel> out;
        // print_jobs_by_order (schema 8) finds them; an order has a handful, so the sort by id is cheap.
        auto& st = db_->cached(
            "SELECT id, kind, printer, state, reprint, created_at, coalesce(done_at, ''), tracking_number "
            "FROM print_jobs WHERE order_id = ? ORDER BY id");
        st.bind(1, order_id);
        while (st.step()) {
            out.push_back({st.int64(0), st.text(1), st.text(2), st.text(3), st.int64(4) != 0, st.text(5),
                           st.text(6), st.text(7)});
        }
        st.reset();
        return out;
    });
}

Result<PrintJobPreview> Store::print_job_preview(int64_t id) {
    try {
        auto st = db_->prepare(
            "SELECT id, printer, kind, order_id, label_model, preview FROM print_jobs WHERE id = ?");
        st.bind(1, id);
        if (!st.step()) {
            return fail("no print job " + std::to_string(id));
        }
        PrintJobPreview preview{st.int64(0), st.text(1), st.text(2), st.text(3), std::nullopt, st.text(5)};
        if (!st.is_null(4)) {
            auto label = parse_label(st.text(4));
            if (!label) {
                return fail("print job " + std::to_string(id) + ": " + label.error().message);
            }
            preview.label = std::move(*label);
        }
        return preview;
    } catch (const SqliteError& e) {
        return storage_error("print jobs", e);
    }
}

Result<PrintJobPreview> Store::print_job_preview(const std::string& order_id, const std::string& kind) {
    int64_t id = 0;
    try {
        auto st = db_->prepare(
            "SELECT id FROM print_jobs WHERE order_id = ? AND kind = ? AND state <> 'cancelled' "
            "ORDER BY id DESC LIMIT 1");
        st.bind(1, order_id).bind(2, kind);
        if (!st.step()) {
            return fail("order " + order_id + " has no " + kind + " label");
        }
        id = st.int64(0);
    } catch (const SqliteError& e) {
        return storage_error("print jobs", e);
    }
    return print_job_preview(id);
}

Status Store::print_jobs_sending(const std::vector<int64_t>& ids) {
    static const std::string sql = with_now(
        "UPDATE print_jobs SET state = 'sending', sent_at = $NOW$, attempts = attempts + 1 "
        "WHERE id = ? AND state = 'pending'");
    try {
        Transaction tx(*db_);
        for (const int64_t id : ids) {
            auto& st = db_->cached(sql);
            st.bind(1, id).run();
            if (db_->changes() != 1) {
                // Cancelled with its order since it was read, or settled already: it must not go out.
                return fail("print job " + std::to_string(id) + " is no longer pending");
            }
        }
        tx.commit();
        return {};
    } catch (const SqliteError& e) {
        return storage_error("print queue", e);
    }
}

Status Store::print_jobs_settle(const PrintSettlement& s, const std::string& alerts_topic) {
    static const std::string done_sql = with_now(
        "UPDATE print_jobs SET state = 'done', done_at = $NOW$ WHERE id = ? AND state IN ('sending', "
        "'pending')");
    static const std::string uncertain_sql =
        "UPDATE print_jobs SET state = 'uncertain', last_error = ? WHERE id = ? AND state IN ('sending', "
        "'pending')";
    static const std::string unsent_sql =
        "UPDATE print_jobs SET state = 'pending', last_error = ? WHERE id = ? AND state IN ('sending', "
        "'pending')";
    try {
        Transaction tx(*db_);
        const bool announce = wants("label.printed");
        for (const int64_t id : s.printed) {
            db_->cached(done_sql).bind(1, id).run();
            if (announce && db_->changes() == 1) {
                if (auto job = print_job(id)) {
                    DomainEvent e;
                    e.trigger = "label.printed";
                    e.order_id = job->order_id;
                    e.device = job->printer;
                    e.data = job->kind;
                    emit(std::move(e));
                }
            }
        }
        for (const int64_t id : s.unsent) {
            db_->cached(unsent_sql).bind(1, s.reason).bind(2, id).run();
        }
        for (const int64_t id : s.uncertain) {
            db_->cached(uncertain_sql).bind(1, s.reason).bind(2, id).run();
            if (db_->changes() == 1 && !alerts_topic.empty()) {
                auto job = print_job(id);
                if (job) {
                    outbox_add(alerts_topic, alert_of(*job, s.reason), false);
                }
            }
        }
        tx.commit();
        return {};
    } catch (const SqliteError& e) {
        return storage_error("print queue", e);
    }
}

Result<std::vector<StoredPrintJob>> Store::print_jobs_interrupted(const std::string& printer) {
    return reading("print queue", [&] {
        std::vector<StoredPrintJob> out;
        auto st = db_->prepare(
            std::string("SELECT ") + kJobColumns +
            " FROM print_jobs WHERE state IN ('sending', 'uncertain') AND state = 'sending' AND printer = ? "
            "ORDER BY id");
        st.bind(1, printer);
        while (st.step()) {
            out.push_back(job_of(st));
        }
        return out;
    });
}

Result<std::vector<StoredPrintJob>> Store::print_jobs_uncertain() {
    return reading("print queue", [&] {
        std::vector<StoredPrintJob> out;
        auto st =
            db_->prepare(std::string("SELECT ") + kJobColumns +
                         " FROM print_jobs WHERE state IN ('sending', 'uncertain') AND state = 'uncertain' "
                         "ORDER BY id");
        while (st.step()) {
            out.push_back(job_of(st));
        }
        return out;
    });
}

Result<StoredPrintJob> Store::print_job(int64_t id) {
    try {
        auto st = db_->prepare(std::string("SELECT ") + kJobColumns + " FROM print_jobs WHERE id = ?");
        st.bind(1, id);
        if (!st.step()) {
            return fail("no print job " + std::to_string(id));
        }
        return job_of(st);
    } catch (const SqliteError& e) {
        return storage_error("print jobs", e);
    }
}

Result<StoredPrintJob> Store::print_job_resolve(int64_t id, bool printed) {
    try {
        Transaction tx(*db_);
        auto st = db_->prepare("SELECT state FROM print_jobs WHERE id = ?");
        st.bind(1, id);
        if (!st.step()) {
            return fail("no print job " + std::to_string(id));
        }
        if (const std::string state = st.text(0); state != "uncertain") {
            return fail("print job " + std::to_string(id) + " is " + state +
                        ", not waiting for anyone to say whether it printed");
        }
        db_->prepare(printed
                         ? with_now("UPDATE print_jobs SET state = 'done', done_at = $NOW$ WHERE id = ?")
                         : std::string("UPDATE print_jobs SET state = 'pending', last_error = "
                                       "'sent again: the operator found it had not printed' WHERE id = ?"))
            .bind(1, id)
            .run();
        auto job = print_job(id);
        tx.commit();
        return job;
    } catch (const SqliteError& e) {
        return storage_error("print jobs", e);
    }
}

}  // namespace packd::fulfillment
