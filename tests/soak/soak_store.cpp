#include "soak_store.hpp"

namespace packd::soak {

StoreReader::StoreReader(std::string path) : path_(std::move(path)) {}

StoreReader::~StoreReader() {
    close();
}

bool StoreReader::open() {
    if (db_ != nullptr) {
        return true;
    }
    if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        error_ = db_ != nullptr ? sqlite3_errmsg(db_) : "cannot open " + path_;
        close();
        return false;
    }
    sqlite3_busy_timeout(db_, 2000);
    return true;
}

void StoreReader::close() {
    if (db_ != nullptr) {
        sqlite3_close_v2(db_);
        db_ = nullptr;
    }
}

std::optional<int64_t> StoreReader::scalar(const std::string& sql) {
    auto got = rows(sql);
    if (!got) {
        return std::nullopt;
    }
    if (got->empty() || got->front().empty()) {
        return 0;
    }
    return std::stoll(got->front().front().empty() ? "0" : got->front().front());
}

std::optional<std::vector<std::vector<std::string>>> StoreReader::rows(
    const std::string& sql, const std::vector<std::string>& params) {
    if (!open()) {
        return std::nullopt;
    }
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &st, nullptr) != SQLITE_OK) {
        error_ = sqlite3_errmsg(db_);
        sqlite3_finalize(st);
        close();  // the next query opens the file afresh, as packd may have replaced its WAL
        return std::nullopt;
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
        sqlite3_bind_text(st, static_cast<int>(i + 1), params[i].c_str(), static_cast<int>(params[i].size()),
                          SQLITE_TRANSIENT);
    }
    std::vector<std::vector<std::string>> out;
    for (;;) {
        const int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
            break;
        }
        if (rc != SQLITE_ROW) {
            error_ = sqlite3_errmsg(db_);
            sqlite3_finalize(st);
            close();
            return std::nullopt;
        }
        std::vector<std::string> row;
        const int n = sqlite3_column_count(st);
        for (int c = 0; c < n; ++c) {
            const auto* text = sqlite3_column_text(st, c);
            row.emplace_back(text != nullptr ? reinterpret_cast<const char*>(text) : "");
        }
        out.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    return out;
}

}  // namespace packd::soak
