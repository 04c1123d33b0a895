#pragma once
// A thin RAII layer over the SQLite C API: prepared statements with bound parameters only,
// never SQL assembled from input. SQLite failures throw SqliteError inside the store; the
// store's public functions turn them into Result values.

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace packd::fulfillment {

class SqliteError : public std::runtime_error {
  public:
    SqliteError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
    int code() const { return code_; }

  private:
    int code_;
};

class Statement {
  public:
    Statement(sqlite3* db, std::string_view sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&&) = delete;

    Statement& bind(int index, int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
    Statement& bind(int index, std::string_view text);
    Statement& bind_blob(int index, std::string_view bytes);
    Statement& bind_null(int index);

    /// Steps once: true while a row is available, false when done.
    bool step();
    /// Steps a statement that returns no rows.
    void run();
    void reset();

    int64_t int64(int column) const;
    std::string text(int column) const;
    bool is_null(int column) const;

  private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

/// What runs at a transaction's edges besides SQLite: the rule engine queues the events a transaction
/// emits, runs their rules just before it (or a savepoint of it) commits, and forgets the ones a rollback
/// undid. `mark` names the point a transaction starts at; `undo_to` drops what was queued after it.
class TransactionHooks {
  public:
    virtual ~TransactionHooks() = default;
    virtual std::uint64_t mark() = 0;
    /// Inside the transaction, before COMMIT or RELEASE; what it writes commits with the rest. It may
    /// throw, and then the transaction rolls back.
    virtual void before_commit() = 0;
    virtual void undo_to(std::uint64_t mark) = 0;
};

class Database {
  public:
    /// Opens (creating) the file with WAL, foreign keys and full-sync durability settings.
    static std::unique_ptr<Database> open(const std::string& path);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    void exec(std::string_view sql);
    Statement prepare(std::string_view sql) { return Statement(db_, sql); }
    /// A statement prepared once per connection and reset before each reuse; for hot paths.
    /// Do not ask for the same SQL again while stepping through its rows.
    Statement& cached(std::string_view sql);
    /// The first column of the first row of the cached `sql` with `key` bound to its one parameter, as
    /// text; nothing when there is no row. For the lookups of one value by its key.
    std::optional<std::string> text_of(std::string_view sql, std::string_view key);
    int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
    int changes() const { return sqlite3_changes(db_); }
    int user_version();
    sqlite3* handle() { return db_; }
    const std::string& path() const { return path_; }
    /// A number for the next savepoint's name; savepoints of one connection never share a name.
    std::uint64_t next_savepoint() { return ++savepoints_; }
    /// Hooks every Transaction on this connection calls; nullptr for none. Not owned.
    void set_hooks(TransactionHooks* hooks) { hooks_ = hooks; }
    TransactionHooks* hooks() const { return hooks_; }

  private:
    Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
    sqlite3* db_;
    std::string path_;
    std::map<std::string, std::unique_ptr<Statement>, std::less<>> cache_;
    std::uint64_t savepoints_ = 0;
    TransactionHooks* hooks_ = nullptr;
};

/// BEGIN IMMEDIATE on construction; rolls back unless commit() was called. Made inside another
/// transaction it is a SAVEPOINT of that one: commit() releases it into the outer transaction (which
/// alone makes it durable), rollback() or leaving the scope undoes this part only.
class Transaction {
  public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();
    /// Undoes everything since BEGIN (or the savepoint) now rather than at the end of the scope.
    void rollback();
    /// True when this is a part of an outer transaction.
    bool nested() const { return !savepoint_.empty(); }

  private:
    void undo();

    Database& db_;
    bool done_ = false;
    std::string savepoint_;   ///< empty: the outermost transaction
    std::uint64_t mark_ = 0;  ///< the hooks' mark when this began
};

}  // namespace packd::fulfillment
