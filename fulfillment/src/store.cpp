#include "packd/fulfillment/store.hpp"

#include "packd/fulfillment/label_model.hpp"
#include "packd/fulfillment/schema.hpp"

#include <array>
#include <string_view>

namespace packd::fulfillment {
namespace {

constexpr std::string_view kNow = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

std::string with_now(std::string_view sql) {
    std::string out;
    for (size_t i = 0; i < sql.size(); ++i) {
        if (sql.substr(i, 5) == "$NOW$") {
            out += kNow;
            i += 4;
        } else {
            out += sql[i];
        }
    }
    return out;
}

}  // namespace

Result<std::unique_ptr<Store>> Store::open(const std::string& path) {
    try {
        auto db = Database::open(path);
        const int version = db->user_version();
        if (version > kSchemaVersion) {
            return fail(path + " has schema version " + std::to_string(version) +
                        ", written by a newer packd (this one knows up to " + std::to_string(kSchemaVersion) +
                        "); install that packd version again or restore a backup");
        }
        std::unique_ptr<Store> store(new Store(std::move(db)));
        store->migrate();
        return store;
    } catch (const SqliteError& e) {
        return fail(std::string("store: ") + e.what());
    }
}

void Store::migrate() {
    for (int v = db_->user_version(); v < kSchemaVersion; ++v) {
        Transaction tx(*db_);
        db_->exec(schema_migrations()[static_cast<size_t>(v)]);
        db_->exec("PRAGMA user_version=" + std::to_string(v + 1));
        tx.commit();
    }
}

Result<int64_t> Store::inbox_append(const std::string& topic, const std::string& payload) {
    try {
        static const std::string sql =
            with_now("INSERT INTO inbox (topic, payload, received_at) VALUES (?, ?, $NOW$)");
        db_->cached(sql).bind(1, topic).bind_blob(2, payload).run();
        return db_->last_insert_rowid();
    } catch (const SqliteError& e) {
        return fail(std::string("inbox: ") + e.what());
    }
}

std::vector<InboxMessage> Store::inbox_pending(int64_t after_id, int limit) {
    std::vector<InboxMessage> out;
    auto& st = db_->cached("SELECT id, topic, payload FROM inbox WHERE id > ? ORDER BY id LIMIT ?");
    st.bind(1, after_id).bind(2, limit);
    while (st.step()) {
        out.push_back({st.int64(0), st.text(1), st.text(2)});
    }
    st.reset();
    return out;
}

void Store::inbox_finish(int64_t id) {
    db_->cached("DELETE FROM inbox WHERE id = ?").bind(1, id).run();
}

bool Store::event_applied(const std::string& event_id) {
    auto& st = db_->cached("SELECT 1 FROM applied_events WHERE event_id = ?");
    st.bind(1, event_id);
    const bool applied = st.step();
    st.reset();
    return applied;
}

void Store::mark_event_applied(const std::string& event_id, const std::string& outcome) {
    static const std::string sql =
        with_now("INSERT INTO applied_events (event_id, outcome, applied_at) VALUES (?, ?, $NOW$)");
    db_->cached(sql).bind(1, event_id).bind(2, outcome).run();
}

void Store::outbox_add(const std::string& topic, const std::string& payload, bool retain) {
    static const std::string sql =
        with_now("INSERT INTO outbox (topic, payload, retain, created_at) VALUES (?, ?, ?, $NOW$)");
    db_->cached(sql).bind(1, topic).bind_blob(2, payload).bind(3, retain ? 1 : 0).run();
}

std::vector<OutboxMessage> Store::outbox_pending(int64_t after_id, int limit) {
    std::vector<OutboxMessage> out;
    auto& st = db_->cached("SELECT id, topic, payload, retain FROM outbox WHERE id > ? ORDER BY id LIMIT ?");
    st.bind(1, after_id).bind(2, limit);
    while (st.step()) {
        out.push_back({st.int64(0), st.text(1), st.text(2), 1, st.int64(3) != 0});
    }
    st.reset();
    return out;
}

Status Store::outbox_remove(int64_t id) {
    return outbox_remove(std::vector<int64_t>{id});
}

Status Store::outbox_remove(const std::vector<int64_t>& ids) {
    // A removal lost to a power cut only sends those messages again (at least once, never lost).
    try {
        commit_without_flush([&] {
            for (const int64_t id : ids) {
                db_->cached("DELETE FROM outbox WHERE id = ?").bind(1, id).run();
            }
        });
        return {};
    } catch (const SqliteError& e) {
        return fail(std::string("outbox: ") + e.what());
    }
}

void Store::commit_without_flush(const std::function<void()>& work) {
    if (sqlite3_get_autocommit(db_->handle()) == 0) {
        work();  // a part of a durable transaction already
        return;
    }
    // synchronous=NORMAL for this one commit: it survives a crash of packd, and the next durable commit
    // flushes it to the disk with everything else.
    db_->exec("PRAGMA synchronous=NORMAL");
    try {
        Transaction tx(*db_);
        work();
        tx.commit();
    } catch (...) {
        try {
            db_->exec("PRAGMA synchronous=FULL");
        } catch (const SqliteError&) {
        }
        throw;
    }
    db_->exec("PRAGMA synchronous=FULL");
}

int64_t Store::print_job_add(const std::string& printer, const std::string& kind, const std::string& order_id,
                             const std::string& zpl, const Label& label, bool reprint) {
    static const std::string sql = with_now(
        "INSERT INTO print_jobs (printer, kind, order_id, zpl, preview, label_model, state, reprint, "
        "created_at) "
        "VALUES (?, ?, ?, ?, x'', ?, 'pending', ?, $NOW$)");
    db_->cached(sql)
        .bind(1, printer)
        .bind(2, kind)
        .bind(3, order_id)
        .bind_blob(4, zpl)
        .bind_blob(5, serialize_label(label))
        .bind(6, reprint ? 1 : 0)
        .run();
    return db_->last_insert_rowid();
}

int64_t Store::print_job_add(const std::string& printer, const std::string& kind, const std::string& order_id,
                             const std::string& zpl, const std::string& preview_png, bool reprint) {
    db_
        ->prepare(with_now(
            "INSERT INTO print_jobs (printer, kind, order_id, zpl, preview, state, reprint, created_at) "
            "VALUES (?, ?, ?, ?, ?, 'pending', ?, $NOW$)"))
        .bind(1, printer)
        .bind(2, kind)
        .bind(3, order_id)
        .bind_blob(4, zpl)
        .bind_blob(5, preview_png)
        .bind(6, reprint ? 1 : 0)
        .run();
    return db_->last_insert_rowid();
}

std::vector<StoredPrintJob> Store::print_jobs_pending(const std::string& printer) {
    std::vector<StoredPrintJob> out;
    auto st = db_->prepare(
        "SELECT id, printer, kind, order_id, zpl, preview, attempts, reprint FROM print_jobs "
        "WHERE state = 'pending' AND printer = ? ORDER BY id");
    st.bind(1, printer);
    while (st.step()) {
        out.push_back({st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5),
                       static_cast<int>(st.int64(6)), st.int64(7) != 0});
    }
    return out;
}

std::vector<StoredPrintJob> Store::print_jobs_next(const std::string& printer, int limit, bool with_preview) {
    std::vector<StoredPrintJob> out;
    auto& st =
        db_->cached(with_preview ? "SELECT id, printer, kind, order_id, zpl, preview, attempts, reprint FROM "
                                   "print_jobs WHERE state = 'pending' AND printer = ? ORDER BY id LIMIT ?"
                                 : "SELECT id, printer, kind, order_id, zpl, '', attempts, reprint FROM "
                                   "print_jobs WHERE state = 'pending' AND printer = ? ORDER BY id LIMIT ?");
    st.bind(1, printer).bind(2, limit);
    while (st.step()) {
        out.push_back({st.int64(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5),
                       static_cast<int>(st.int64(6)), st.int64(7) != 0});
    }
    st.reset();
    return out;
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
        return fail(std::string("print queue: ") + e.what());
    }
}

Status Store::print_job_failed(int64_t id, const std::string& reason) {
    try {
        db_->prepare("UPDATE print_jobs SET attempts = attempts + 1, last_error = ? WHERE id = ?")
            .bind(1, reason)
            .bind(2, id)
            .run();
        return {};
    } catch (const SqliteError& e) {
        return fail(std::string("print queue: ") + e.what());
    }
}

std::vector<std::string> Store::printers_with_pending_jobs() {
    std::vector<std::string> out;
    auto st = db_->prepare("SELECT DISTINCT printer FROM print_jobs WHERE state = 'pending'");
    while (st.step()) {
        out.push_back(st.text(0));
    }
    return out;
}

bool Store::label_printed(const std::string& order_id, const std::string& kind) {
    auto& st =
        db_->cached("SELECT 1 FROM print_jobs WHERE order_id = ? AND kind = ? AND state = 'done' LIMIT 1");
    st.bind(1, order_id).bind(2, kind);
    const bool printed = st.step();
    st.reset();
    return printed;
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
    StoredPrintJob job{0, st.text(1), kind, order_id, st.text(2), st.text(3), 0, true};
    const int64_t original = st.int64(0);
    if (st.text(4) == "pending") {
        return fail("the " + kind + " label of order " + order_id + " has not printed yet (job " +
                    std::to_string(original) + " is waiting for printer " + job.printer +
                    "); a reprint now would print it twice");
    }
    // The label as it printed, and what its preview is drawn from.
    db_
        ->prepare(with_now(
            "INSERT INTO print_jobs (printer, kind, order_id, zpl, preview, label_model, state, reprint, "
            "created_at) SELECT printer, kind, order_id, zpl, preview, label_model, 'pending', 1, $NOW$ "
            "FROM print_jobs WHERE id = ?"))
        .bind(1, original)
        .run();
    job.id = db_->last_insert_rowid();
    tx.commit();
    return job;
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
        return fail(std::string("print jobs: ") + e.what());
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
        return fail(std::string("print jobs: ") + e.what());
    }
    return print_job_preview(id);
}

bool Store::order_exists(const std::string& id) {
    auto st = db_->prepare("SELECT 1 FROM orders WHERE id = ?");
    st.bind(1, id);
    return st.step();
}

std::vector<OrderRow> Store::orders(int limit) {
    std::vector<OrderRow> out;
    auto st = db_->prepare(
        "SELECT o.id, o.state, o.carrier, o.service, o.created_at, "
        "(SELECT count(*) FROM order_lines l WHERE l.order_id = o.id) "
        "FROM orders o ORDER BY o.created_at DESC, o.id LIMIT ?");
    st.bind(1, limit);
    while (st.step()) {
        out.push_back(
            {st.text(0), st.text(1), st.text(2), st.text(3), st.text(4), static_cast<int>(st.int64(5))});
    }
    return out;
}

Result<StoreCounts> Store::counts() {
    try {
        // Each count reads an index or a counter, never the rows: the orders' originals and the inbox's
        // payloads can be a hundred megabytes during a burst.
        auto& st = db_->cached(
            "SELECT (SELECT count(*) FROM orders INDEXED BY orders_by_state), "
            "(SELECT count(*) FROM orders WHERE state IN "
            "('received','accepted','held','picking','packed','labelled')), "
            "(SELECT count(*) FROM print_jobs WHERE state = 'pending'), "
            "(SELECT length FROM queue_lengths WHERE queue = 'outbox'), "
            "(SELECT length FROM queue_lengths WHERE queue = 'inbox')");
        st.step();
        StoreCounts counts{st.int64(0), st.int64(1), st.int64(2), st.int64(3), st.int64(4)};
        st.reset();
        return counts;
    } catch (const SqliteError& e) {
        return fail(std::string("store: ") + e.what());
    }
}

}  // namespace packd::fulfillment
