#pragma once
// The boundary of the store for reads made on their own (not inside a caller's Transaction): a SQLite
// failure becomes an Error with ErrorCode::storage instead of an exception.

#include <string>
#include <string_view>
#include <utility>

#include "packd/common/result.hpp"
#include "packd/fulfillment/store/sqlite.hpp"

namespace packd::fulfillment {

inline Error storage_error(std::string_view what, const SqliteError& e) {
    return fail(std::string(what) + ": " + e.what(), ErrorCode::storage);
}

/// Runs `read` and returns what it returns, or the storage error it threw, named by `what`.
template <class Read>
auto reading(std::string_view what, Read&& read) -> Result<decltype(read())> {
    try {
        return std::forward<Read>(read)();
    } catch (const SqliteError& e) {
        return storage_error(what, e);
    }
}

}  // namespace packd::fulfillment
