#pragma once
// What the tests of the task stations (receive, put-away, count) share: a real store in a temporary folder
// with a small catalogue (a mug with its unit and case GTINs, a T-shirt) and two bins, scans read by the
// interpretation the daemon uses, and reads of what the store holds afterwards.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "packd/fulfillment/inventory/inventory.hpp"
#include "packd/fulfillment/inventory/receipts.hpp"
#include "packd/fulfillment/stations/task_station.hpp"
#include "packd/fulfillment/store/sqlite.hpp"
#include "test_env.hpp"
#include "test_result.hpp"

namespace packd::fulfillment {

class TaskStationTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = Store::open(dir.file("packd.db"));
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        store = std::move(*opened);
        inventory = std::make_unique<Inventory>(*store, topics);
        receipts = std::make_unique<Receipts>(*store, *inventory, topics);
        Transaction tx(store->db());
        ASSERT_TRUE(inventory->put_product({"MUG", "Mug", 350, {}, {}, {}, 0, 0, true}).ok());
        ASSERT_TRUE(inventory->put_product({"TEE", "Tee", 180, {}, {}, {}, 0, 0, true}).ok());
        ASSERT_TRUE(inventory->put_barcode({"4006381333931", "MUG", "gtin13", 1}).ok());
        ASSERT_TRUE(inventory->put_barcode({"14006381333938", "MUG", "gtin14", 12}).ok());
        ASSERT_TRUE(inventory->put_barcode({"TEE-BLK", "TEE", "internal", 1}).ok());
        ASSERT_TRUE(inventory->put_location("A-01", "bin").ok());
        ASSERT_TRUE(inventory->put_location("A-02", "bin").ok());
        tx.commit();
    }

    StationReply scan(TaskStation& at, const std::string& data) {
        ScanRules rules;
        rules.this_year = 2026;
        ScanEvent ev;
        ev.station = at.name();
        ev.device = "gun";
        ev.raw = data;
        ev.meaning = interpret_scan(data, {}, rules, catalogue_of(*inventory));
        return at.on_scan(ev);
    }

    void stock(const std::string& sku, const std::string& location, int64_t units,
               const std::string& lot = "", const std::string& expiry = "") {
        Transaction tx(store->db());
        ASSERT_TRUE(
            inventory->record({sku, location, lot, expiry, units, MovementReason::adjust, "", "", "", ""})
                .ok());
        tx.commit();
    }

    /// On hand of one stock row; 0 when there is none.
    int64_t on_hand(const std::string& sku, const std::string& location, const std::string& lot = "",
                    const std::string& expiry = "") {
        auto st = store->db().prepare(
            "SELECT on_hand FROM stock WHERE sku = ? AND location = ? AND lot = ? AND expiry = ?");
        st.bind(1, sku).bind(2, location).bind(3, lot).bind(4, expiry);
        return st.step() ? st.int64(0) : 0;
    }

    struct LedgerRow {
        std::string sku, location, lot, reason, reference, station, operator_name;
        int64_t delta = 0;
    };
    /// The movements a station made, oldest first.
    std::vector<LedgerRow> ledger(const std::string& station) {
        auto st = store->db().prepare(
            "SELECT sku, location, lot, reason, reference, station, operator, delta FROM movements WHERE "
            "station = ? "
            "ORDER BY id");
        st.bind(1, station);
        std::vector<LedgerRow> out;
        while (st.step()) {
            out.push_back({st.text(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6),
                           st.int64(7)});
        }
        return out;
    }

    std::vector<nlohmann::json> outbox(const std::string& topic_end) {
        std::vector<nlohmann::json> out;
        for (const auto& m : test::value_of(store->outbox_pending(0, 1000))) {
            if (m.topic.ends_with(topic_end)) {
                out.push_back(nlohmann::json::parse(m.payload));
            }
        }
        return out;
    }

    int64_t outbox_size() {
        return static_cast<int64_t>(test::value_of(store->outbox_pending(0, 1000)).size());
    }

    void expect_books_hold() {
        const VerifyReport report = inventory->verify();
        EXPECT_TRUE(report.problems.empty()) << report.problems.front();
    }

    Topics topics{"packd/v1", "t"};
    test::TempDir dir;
    std::unique_ptr<Store> store;
    std::unique_ptr<Inventory> inventory;
    std::unique_ptr<Receipts> receipts;
};

}  // namespace packd::fulfillment
