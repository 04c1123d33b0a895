#pragma once
// What a test reads of packd's state instead of its log: the store file through a read-only connection of its
// own (WAL lets a reader in while packd writes), and a condition waited for with a generous deadline.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace packd::test {

/// Polls `done` until it holds or `timeout` passed; the deadline only bounds a test that would hang.
inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return done();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

/// A packd store file read through its own read-only connection, beside the running packd or after it
/// stopped.
class StoreFile {
  public:
    explicit StoreFile(const std::string& path) {
        if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
            ADD_FAILURE() << "cannot open " << path << ": " << sqlite3_errmsg(db_);
        }
        sqlite3_busy_timeout(db_, 5000);
    }
    ~StoreFile() { sqlite3_close(db_); }
    StoreFile(const StoreFile&) = delete;
    StoreFile& operator=(const StoreFile&) = delete;

    /// The first column of every row `sql` returns, as text.
    std::vector<std::string> column(const std::string& sql) {
        std::vector<std::string> out;
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
            ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
            return out;
        }
        int rc = SQLITE_ROW;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_blob(st, 0));
            out.emplace_back(text != nullptr ? text : "",
                             static_cast<std::size_t>(sqlite3_column_bytes(st, 0)));
        }
        if (rc != SQLITE_DONE) {
            ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
        }
        sqlite3_finalize(st);
        return out;
    }
    int64_t scalar(const std::string& sql) {
        const auto rows = column(sql);
        return rows.empty() ? -1 : std::stoll(rows.front());
    }

  private:
    sqlite3* db_ = nullptr;
};

/// The state of order `id` in the store at `path`, or "none".
inline std::string order_state(const std::string& path, const std::string& id) {
    StoreFile store(path);
    std::string quoted;
    for (char c : id) {
        quoted += c == '\'' ? std::string("''") : std::string(1, c);
    }
    const auto rows = store.column("SELECT state FROM orders WHERE id = '" + quoted + "'");
    return rows.empty() ? "none" : rows.front();
}

/// What the store recorded for event `event_id` ("accepted", "rejected: <reason>", ...), or "none".
inline std::string event_outcome(const std::string& path, const std::string& event_id) {
    StoreFile store(path);
    std::string quoted;
    for (char c : event_id) {
        quoted += c == '\'' ? std::string("''") : std::string(1, c);
    }
    const auto rows = store.column("SELECT outcome FROM applied_events WHERE event_id = '" + quoted + "'");
    return rows.empty() ? "none" : rows.front();
}

/// Waits until order `id` is in `state` in the store at `path`.
inline bool wait_for_order_state(const std::string& path, const std::string& id, const std::string& state,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    return wait_until([&] { return order_state(path, id) == state; }, timeout);
}

}  // namespace packd::test
