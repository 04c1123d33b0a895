// The store benchmark's runs, each returning its figures for the report in store_bench.cpp.
#pragma once

#include "store_bench_support.hpp"

namespace packd::fulfillment::store_bench {

struct CommitFigures {
    Samples floor;
    Samples single;
    std::string floor_pragmas;
    std::string store_pragmas;
};

struct BatchFigures {
    Samples batches;
    int64_t movements = 0;
};

struct OrderFigures {
    Samples order;   ///< create + ship
    Samples create;  ///< create, its own commit
    Samples ship;    ///< ship, its own commit
};

struct OpenFigures {
    int64_t movements = 0;
    double build_ms = 0;
    int64_t bytes = 0;
    Samples warm;        ///< Store::open with the file in the page cache
    Samples cold;        ///< Store::open after the file was dropped from the page cache
    Samples first_read;  ///< the first Inventory::level after a cold open
};

/// 2: single durable movements beside bare SQLite commits with the same settings.
CommitFigures run_commits(const RunFolder& folder, const Sizes& sizes);
/// 3: batched movements (group commit).
BatchFigures run_batches(const RunFolder& folder, const Sizes& sizes);
/// 4: reserve and ship three-line orders.
OrderFigures run_orders(const RunFolder& folder, const Sizes& sizes);
/// 5: opening a store that holds many movements.
OpenFigures run_open(const RunFolder& folder, const Sizes& sizes);
/// 6: in a child started from this same program, prints "key value" lines on stdout.
int rss_child(const std::string& folder, int skus, int lookups, bool build);
/// 6: starts that child and collects what it prints.
std::map<std::string, double> run_rss_child(const std::string& folder, const Sizes& sizes, bool build);

}  // namespace packd::fulfillment::store_bench
