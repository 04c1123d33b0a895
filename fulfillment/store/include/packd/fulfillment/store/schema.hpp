#pragma once
// The store's schema as a list of forward migrations: entry i takes a database from
// PRAGMA user_version i to i+1. A shipped entry is never edited; changes are new entries.

#include <span>
#include <string_view>

namespace packd::fulfillment {

inline constexpr int kSchemaVersion = 11;

std::span<const std::string_view> schema_migrations();

}  // namespace packd::fulfillment
