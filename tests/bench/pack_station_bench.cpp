// The pack station benchmark: how long the station takes to answer each kind of scan (open an order, an
// item, the item that completes the parcel, DONE that ships), measured around PackStation::on_scan on a
// real SQLite store, next to the floor of one bare durable commit on the same file. Each answer that
// changes state is one durable commit, so the floor is what the disk allows. It prints figures and asserts
// nothing; docs/PERFORMANCE.md says how to read them.
//
//   packd_pack_station_bench [--quick] [--dir FOLDER]

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "bench_report.hpp"
#include "packd/common/log.hpp"
#include "packd/fulfillment/inventory/inventory.hpp"
#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/stations/pack_station.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace packd::bench;
namespace ful = packd::fulfillment;

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

template <typename F>
double ms_of(F&& f) {
    const auto start = Clock::now();
    f();
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void require(bool ok, const std::string& what) {
    if (!ok) {
        std::cerr << "packd_pack_station_bench: " << what << "\n";
        std::exit(1);
    }
}

}  // namespace

int main(int argc, char** argv) {
    bool quick = false;
    std::filesystem::path base = std::filesystem::temp_directory_path();
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--quick") {
            quick = true;
        } else if (arg == "--dir" && i + 1 < argc) {
            base = argv[++i];
        } else {
            std::cerr << "usage: packd_pack_station_bench [--quick] [--dir FOLDER]\n";
            return 2;
        }
    }
    const int orders_n = quick ? 100 : 1000;
    packd::log::set_threshold(packd::log::Level::warning);  // a line per order would be measured too
    const auto folder = base / ("packd-station-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder);

    auto opened = ful::Store::open((folder / "packd.db").string());
    require(opened.ok(), opened.ok() ? "" : opened.error().message);
    auto store = std::move(*opened);
    ful::Inventory inventory(*store, ful::Topics("packd/v1", "bench"));
    ful::OrderBook orders(*store, inventory, ful::Topics("packd/v1", "bench"));
    const std::vector<std::string> skus = {"MUG", "TEE", "CAP"};
    {
        ful::Transaction tx(store->db());
        require(inventory.put_location("A-01", "bin").ok(), "location");
        for (const auto& sku : skus) {
            require(inventory.put_product({sku, sku, 200, {}, {}, {}, 0, 0, true}).ok(), "product");
            require(inventory.put_barcode({sku + "-CODE", sku, "internal", 1}).ok(), "barcode");
            require(inventory
                        .record({sku, "A-01", "", "", 10 * orders_n, ful::MovementReason::receive, "", "", "",
                                 ""})
                        .ok(),
                    "stock");
        }
        for (int i = 0; i < orders_n; ++i) {
            ful::OrderEvent ev;
            ev.event_id = "e" + std::to_string(i);
            ev.type = ful::OrderEventType::created;
            ev.order_id = std::to_string(10000 + i);
            ev.lines = {{"MUG", 2}, {"TEE", 1}, {"CAP", 1}};
            ev.ship_to = {"A", "", "B 1", "", "C", "", "1", "DE"};
            require(orders.create(ev, "{}", "bench").ok(), "order");
        }
        tx.commit();
    }

    ful::PackStation station(*store, orders, "pack1", {}, [](const ful::StationReply&) {});
    ful::ScanRules rules;
    rules.this_year = 2026;
    const ful::ScanCatalogue catalogue = ful::catalogue_of(inventory);
    auto scan = [&](const std::string& data) {
        ful::ScanEvent ev;
        ev.station = "pack1";
        ev.device = "bench";
        ev.raw = data;
        ev.meaning = ful::interpret_scan(data, {}, rules, catalogue);
        return ev;
    };

    std::map<std::string, std::vector<double>> times;
    int refused = 0;
    for (int i = 0; i < orders_n; ++i) {
        const std::vector<std::pair<std::string, std::string>> steps = {
            {"open", "ORD-" + std::to_string(10000 + i)},
            {"item", "MUG-CODE"},
            {"item", "TEE-CODE"},
            {"item", "MUG-CODE"},
            {"last item", "CAP-CODE"},
            {"wrong item", "TEE-CODE"},
            {"DONE (ships)", "DONE"}};
        for (const auto& [kind, data] : steps) {
            // The interpretation is part of what the packer waits for, so it is inside the timing.
            ful::StationReply reply;
            times[kind].push_back(ms_of([&] { reply = station.on_scan(scan(data)); }));
            refused += reply.ok ? 0 : 1;
        }
    }
    require(refused == orders_n,
            "expected exactly the wrong items to be refused, got " + std::to_string(refused));

    std::vector<double> floor;
    store->db().exec("CREATE TABLE bench_floor (id INTEGER PRIMARY KEY, v TEXT)");
    for (int i = 0; i < orders_n; ++i) {
        floor.push_back(ms_of([&] {
            ful::Transaction tx(store->db());
            store->db().exec("INSERT INTO bench_floor (v) VALUES ('x')");
            tx.commit();
        }));
    }

    std::cout << "pack station: " << orders_n << " orders of 4 items at one station, store in "
              << folder.string() << "\n";
    std::vector<Row> rows;
    int id = 0;
    rows.push_back({"F", "floor: one durable commit", std::to_string(floor.size()), "",
                    ms_text(percentile(floor, 0.5)), ms_text(percentile(floor, 0.99)),
                    "BEGIN; INSERT; COMMIT"});
    for (const char* kind : {"open", "item", "last item", "wrong item", "DONE (ships)"}) {
        const auto& v = times[kind];
        rows.push_back({std::to_string(++id), std::string("scan to reply: ") + kind, std::to_string(v.size()),
                        "", ms_text(percentile(v, 0.5)), ms_text(percentile(v, 0.99)),
                        std::string(kind) == "wrong item" ? "refused: reads only, no commit" : ""});
    }
    print_table(rows);
    store.reset();
    std::filesystem::remove_all(folder);
    return 0;
}
