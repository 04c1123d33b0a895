#include "packd/fulfillment/store/store.hpp"

#include "packd/fulfillment/store/schema.hpp"
#include "store_reading.hpp"
#include "store_sql.hpp"

#include <array>
#include <string_view>

namespace packd::fulfillment {

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
        return storage_error("store", e);
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
        return storage_error("inbox", e);
    }
}

Result<std::vector<InboxMessage>> Store::inbox_pending(int64_t after_id, int limit) {
    return reading("inbox", [&] {
        std::vector<InboxMessage> out;
        auto& st = db_->cached("SELECT id, topic, payload FROM inbox WHERE id > ? ORDER BY id LIMIT ?");
        st.bind(1, after_id).bind(2, limit);
        while (st.step()) {
            out.push_back({st.int64(0), st.text(1), st.text(2)});
        }
        st.reset();
        return out;
    });
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

Result<std::vector<OutboxMessage>> Store::outbox_pending(int64_t after_id, int limit) {
    return reading("outbox", [&] {
        std::vector<OutboxMessage> out;
        auto& st =
            db_->cached("SELECT id, topic, payload, retain FROM outbox WHERE id > ? ORDER BY id LIMIT ?");
        st.bind(1, after_id).bind(2, limit);
        while (st.step()) {
            out.push_back({st.int64(0), st.text(1), st.text(2), 1, st.int64(3) != 0});
        }
        st.reset();
        return out;
    });
}

Result<int64_t> Store::outbox_oldest_ms() {
    return reading("outbox", [&] {
        // The oldest message is the first by primary key; only its timestamp is read.
        auto& st = db_->cached(
            "SELECT CAST((julianday('now') - julianday(created_at)) * 86400000 AS INTEGER) FROM outbox "
            "ORDER BY id LIMIT 1");
        const int64_t age = st.step() ? st.int64(0) : 0;
        st.reset();
        return age;
    });
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
        return storage_error("outbox", e);
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

Result<bool> Store::order_exists(const std::string& id) {
    return reading("orders", [&] {
        auto st = db_->prepare("SELECT 1 FROM orders WHERE id = ?");
        st.bind(1, id);
        return st.step();
    });
}

OrderState stored_order_state(const std::string& order_id, const std::string& word) {
    if (auto state = order_state_named(word)) {
        return *state;
    }
    throw SqliteError(SQLITE_CORRUPT, "order " + order_id.substr(0, 64) + " has the unknown state \"" +
                                          word.substr(0, 32) + "\"");
}

Result<std::vector<OrderRow>> Store::orders(int limit) {
    return reading("orders", [&] {
        std::vector<OrderRow> out;
        auto st = db_->prepare(
            "SELECT o.id, o.state, o.carrier, o.service, o.created_at, "
            "(SELECT count(*) FROM order_lines l WHERE l.order_id = o.id) "
            "FROM orders o ORDER BY o.created_at DESC, o.id LIMIT ?");
        st.bind(1, limit);
        while (st.step()) {
            out.push_back({st.text(0), stored_order_state(st.text(0), st.text(1)), st.text(2), st.text(3),
                           st.text(4), static_cast<int>(st.int64(5))});
        }
        return out;
    });
}

Result<StoreCounts> Store::counts() {
    try {
        // Each count reads an index or a counter, never the rows: the orders' originals and the inbox's
        // payloads can be a hundred megabytes during a burst.
        auto& st = db_->cached(
            "SELECT (SELECT length FROM queue_lengths WHERE queue = 'orders'), "
            "(SELECT length FROM queue_lengths WHERE queue = 'orders_open'), "
            "(SELECT count(*) FROM print_jobs WHERE state = 'pending'), "
            "(SELECT count(*) FROM print_jobs WHERE state IN ('sending', 'uncertain') AND state = "
            "'uncertain'), "
            "(SELECT length FROM queue_lengths WHERE queue = 'outbox'), "
            "(SELECT length FROM queue_lengths WHERE queue = 'inbox')");
        st.step();
        StoreCounts counts{st.int64(0), st.int64(1), st.int64(2), st.int64(3), st.int64(4), st.int64(5)};
        st.reset();
        return counts;
    } catch (const SqliteError& e) {
        return storage_error("store", e);
    }
}

}  // namespace packd::fulfillment
