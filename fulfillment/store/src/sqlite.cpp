#include "packd/fulfillment/store/sqlite.hpp"

namespace packd::fulfillment {
namespace {

[[noreturn]] void throw_error(sqlite3* db, int rc, std::string_view context) {
    std::string what(context);
    what += ": ";
    what += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    throw SqliteError(rc, what);
}

}  // namespace

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
    int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), 0, &stmt_, nullptr);
    if (rc != SQLITE_OK) {
        throw_error(db, rc, "prepare");
    }
}

Statement::~Statement() {
    sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
    other.stmt_ = nullptr;
}

Statement& Statement::bind(int index, int64_t value) {
    if (int rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK) {
        throw_error(db_, rc, "bind");
    }
    return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
    if (int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        rc != SQLITE_OK) {
        throw_error(db_, rc, "bind");
    }
    return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
    if (int rc = sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
        rc != SQLITE_OK) {
        throw_error(db_, rc, "bind");
    }
    return *this;
}

Statement& Statement::bind_null(int index) {
    if (int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK) {
        throw_error(db_, rc, "bind");
    }
    return *this;
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    throw_error(db_, rc, "step");
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

int64_t Statement::int64(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

std::string Statement::text(int column) const {
    const void* p = sqlite3_column_blob(stmt_, column);
    const int n = sqlite3_column_bytes(stmt_, column);
    return p == nullptr ? std::string() : std::string(static_cast<const char*>(p), static_cast<size_t>(n));
}

bool Statement::is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::unique_ptr<Database> Database::open(const std::string& path) {
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string why = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        sqlite3_close(db);
        throw SqliteError(rc, "cannot open " + path + ": " + why);
    }
    std::unique_ptr<Database> out(new Database(db, path));
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, 5000);
    // Power loss must not lose a committed movement: WAL with synchronous=FULL syncs the WAL on
    // every commit (NORMAL would only guarantee consistency, not durability).
    out->exec("PRAGMA journal_mode=WAL");
    out->exec("PRAGMA synchronous=FULL");
    out->exec("PRAGMA foreign_keys=ON");
    return out;
}

Database::~Database() {
    cache_.clear();  // statements are finalised before the connection closes
    sqlite3_close_v2(db_);
}

Statement& Database::cached(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
        it = cache_.emplace(std::string(sql), std::make_unique<Statement>(db_, sql)).first;
    } else {
        it->second->reset();
    }
    return *it->second;
}

std::optional<std::string> Database::text_of(std::string_view sql, std::string_view key) {
    Statement& st = cached(sql);
    st.bind(1, key);
    std::optional<std::string> out;
    if (st.step()) {
        out = st.text(0);
    }
    st.reset();
    return out;
}

void Database::exec(std::string_view sql) {
    std::string s(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string what = err != nullptr ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        throw SqliteError(rc, path_ + ": " + what);
    }
}

int Database::user_version() {
    Statement st(db_, "PRAGMA user_version");
    st.step();
    return static_cast<int>(st.int64(0));
}

Transaction::Transaction(Database& db) : db_(db) {
    if (auto* hooks = db_.hooks()) {
        mark_ = hooks->mark();
    }
    if (sqlite3_get_autocommit(db_.handle()) == 0) {
        // Inside another transaction: a savepoint, so that this part can be undone alone (one message of a
        // batch refused without failing the batch) while the outer transaction alone makes it durable.
        savepoint_ = "packd_part_" + std::to_string(db_.next_savepoint());
        db_.exec("SAVEPOINT " + savepoint_);
        return;
    }
    db_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
    if (done_) {
        return;
    }
    try {
        undo();
    } catch (const SqliteError&) {
        // The transaction is gone already (SQLite rolls back on some errors by itself).
    }
}

void Transaction::undo() {
    done_ = true;
    if (auto* hooks = db_.hooks()) {
        hooks->undo_to(mark_);
    }
    if (savepoint_.empty()) {
        db_.exec("ROLLBACK");
        return;
    }
    if (sqlite3_get_autocommit(db_.handle()) != 0) {
        return;  // an error rolled back the outer transaction, and this part with it
    }
    db_.exec("ROLLBACK TO " + savepoint_);
    db_.exec("RELEASE " + savepoint_);
}

void Transaction::commit() {
    if (done_) {
        throw SqliteError(SQLITE_MISUSE, "transaction committed or rolled back twice");
    }
    if (auto* hooks = db_.hooks()) {
        hooks->before_commit();
    }
    db_.exec(savepoint_.empty() ? std::string("COMMIT") : "RELEASE " + savepoint_);
    done_ = true;
}

void Transaction::rollback() {
    if (done_) {
        throw SqliteError(SQLITE_MISUSE, "transaction committed or rolled back twice");
    }
    undo();
}

}  // namespace packd::fulfillment
