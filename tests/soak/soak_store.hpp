#pragma once
// A read-only look into packd's SQLite store while packd runs: WAL lets a reader in beside the writer, and a
// reader that finds the file mid-recovery (packd just restarted) says so instead of waiting.

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace packd::soak {

class StoreReader {
  public:
    explicit StoreReader(std::string path);
    ~StoreReader();
    StoreReader(const StoreReader&) = delete;
    StoreReader& operator=(const StoreReader&) = delete;

    /// The first column of the first row as an integer; nothing when the store cannot be read just now.
    std::optional<int64_t> scalar(const std::string& sql);
    /// Every row, each column as text (NULL as ""); nothing when the store cannot be read just now.
    std::optional<std::vector<std::vector<std::string>>> rows(const std::string& sql,
                                                              const std::vector<std::string>& params = {});
    /// Why the last query returned nothing.
    const std::string& error() const { return error_; }

  private:
    bool open();
    void close();

    std::string path_;
    sqlite3* db_ = nullptr;
    std::string error_;
};

}  // namespace packd::soak
