#include "packd/fulfillment/inventory/inventory.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_env.hpp"
#include "test_result.hpp"

namespace packd::fulfillment {
namespace {

/// A store in a temporary folder with two products and a bin.
class InventoryTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = Store::open(dir.file("packd.db"));
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        store = std::move(*opened);
        inventory = std::make_unique<Inventory>(*store, Topics("packd/v1", "t"));
        Transaction tx(store->db());
        ASSERT_TRUE(inventory->put_product({"MUG", "Mug", 350, {}, {}, {}, 10, 48, true}).ok());
        ASSERT_TRUE(inventory->put_product({"TEE", "Tee", 180, {}, {}, {}, 0, 0, true}).ok());
        ASSERT_TRUE(inventory->put_location("A-01", "bin").ok());
        ASSERT_TRUE(inventory->put_location("A-02", "bin").ok());
        tx.commit();
    }

    Result<int64_t> move(const std::string& sku, const std::string& loc, int64_t delta,
                         MovementReason reason = MovementReason::receive, const std::string& lot = "",
                         const std::string& expiry = "") {
        Transaction tx(store->db());
        Movement m{sku, loc, lot, expiry, delta, reason, "test", "", "", ""};
        auto r = inventory->record(m);
        if (r) {
            tx.commit();
        }
        return r;
    }

    std::vector<nlohmann::json> outbox(const std::string& suffix) {
        std::vector<nlohmann::json> out;
        for (const auto& m : test::value_of(store->outbox_pending(0, 1000))) {
            if (m.topic.size() >= suffix.size() &&
                m.topic.compare(m.topic.size() - suffix.size(), suffix.size(), suffix) == 0) {
                out.push_back(nlohmann::json::parse(m.payload));
            }
        }
        return out;
    }

    test::TempDir dir;
    std::unique_ptr<Store> store;
    std::unique_ptr<Inventory> inventory;
};

TEST_F(InventoryTest, OnHandFollowsTheLedgerPerLocationAndLot) {
    ASSERT_TRUE(move("MUG", "A-01", 20).ok());
    ASSERT_TRUE(move("MUG", "A-02", 5, MovementReason::receive, "L7", "2027-03-31").ok());
    ASSERT_TRUE(move("MUG", "A-01", -3, MovementReason::adjust).ok());
    const auto l = inventory->level("MUG");
    EXPECT_EQ(l.on_hand, 22);
    EXPECT_EQ(l.available, 22);
    ASSERT_EQ(l.rows.size(), 2u);
    EXPECT_EQ(l.rows[0].location, "A-01");
    EXPECT_EQ(l.rows[0].on_hand, 17);
    EXPECT_EQ(l.rows[1].lot, "L7");
    EXPECT_EQ(l.rows[1].expiry, "2027-03-31");
    EXPECT_TRUE(inventory->verify().problems.empty());
}

TEST_F(InventoryTest, RefusesUnknownSkuLocationAndNegativeStockAndChangesNothing) {
    ASSERT_TRUE(move("MUG", "A-01", 2).ok());
    auto r = move("NOPE", "A-01", 1);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "unknown SKU \"NOPE\"");
    r = move("MUG", "Z-99", 1);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "unknown location \"Z-99\"");
    r = move("MUG", "A-01", -3, MovementReason::adjust);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "SKU MUG at A-01: on hand 2, a change of -3 would go below zero");
    EXPECT_EQ(inventory->level("MUG").on_hand, 2);
    EXPECT_EQ(inventory->verify().movements, 1);
}

TEST_F(InventoryTest, BadLotOrExpiryIsRefused) {
    EXPECT_EQ(move("MUG", "A-01", 1, MovementReason::receive, "", "2027-02-30").error().message,
              "expiry \"2027-02-30\" must be a date as YYYY-MM-DD");
    EXPECT_EQ(
        move("MUG", "A-01", 1, MovementReason::receive, std::string(21, 'L')).error().message.substr(0, 4),
        "lot ");
    EXPECT_TRUE(move("MUG", "A-01", 1, MovementReason::receive, "", "2028-02-29").ok())
        << "a leap day is a date";
}

TEST_F(InventoryTest, TheLedgerIsAppendOnly) {
    ASSERT_TRUE(move("MUG", "A-01", 2).ok());
    EXPECT_THROW(store->db().exec("UPDATE movements SET delta = 100"), SqliteError);
    EXPECT_THROW(store->db().exec("DELETE FROM movements"), SqliteError);
    EXPECT_EQ(inventory->verify().movements, 1);
}

TEST_F(InventoryTest, VerifyReportsDriftBetweenStockAndLedger) {
    ASSERT_TRUE(move("MUG", "A-01", 5).ok());
    store->db().exec("UPDATE stock SET on_hand = 7 WHERE sku = 'MUG'");
    const auto report = inventory->verify();
    ASSERT_EQ(report.problems.size(), 1u);
    EXPECT_EQ(report.problems[0], "stock drift: MUG at A-01: on hand 7, movements sum to 5");
}

TEST_F(InventoryTest, CountSetsOnHandWithOneMovementOfTheDifference) {
    ASSERT_TRUE(move("MUG", "A-01", 5).ok());
    Transaction tx(store->db());
    auto r = inventory->count({"MUG", "A-01", "", "", 0, MovementReason::count, "", "", "", ""}, 3);
    ASSERT_TRUE(r.ok());
    auto same = inventory->count({"MUG", "A-01", "", "", 0, MovementReason::count, "", "", "", ""}, 3);
    ASSERT_TRUE(same.ok());
    EXPECT_EQ(*same, 0) << "a count that matches writes no movement";
    tx.commit();
    EXPECT_EQ(inventory->level("MUG").on_hand, 3);
    EXPECT_EQ(inventory->verify().movements, 2);
}

TEST_F(InventoryTest, ReservationNeverExceedsAvailable) {
    ASSERT_TRUE(move("MUG", "A-01", 5).ok());
    Transaction tx(store->db());
    store->db().exec(
        "INSERT INTO orders (id, state, event_id, source, ship_to, original, created_at, updated_at) VALUES "
        "('o1','accepted','e1','test','{}','','now','now'), "
        "('o2','accepted','e2','test','{}','','now','now')");
    ASSERT_TRUE(inventory->reserve("o1", {{"MUG", 3}}).ok());
    auto second = inventory->reserve("o2", {{"MUG", 2}, {"MUG", 1}});
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error().message, "not enough stock of MUG: 3 wanted, 2 available");
    auto unknown = inventory->reserve("o2", {{"GHOST", 1}, {"SPOOK", 1}});
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.error().message, "unknown SKU: GHOST, SPOOK");
    tx.commit();
    const auto l = inventory->level("MUG");
    EXPECT_EQ(l.reserved, 3);
    EXPECT_EQ(l.available, 2);
}

// The reserved total per SKU is kept by triggers (schema 8): it follows reservations made, changed and
// released, and verify reports a total that drifted from the reservations.
TEST_F(InventoryTest, TheReservedTotalFollowsReservationsAndVerifyChecksIt) {
    ASSERT_TRUE(move("MUG", "A-01", 10).ok());
    Transaction tx(store->db());
    store->db().exec(
        "INSERT INTO orders (id, state, event_id, source, ship_to, original, created_at, updated_at) VALUES "
        "('o1','accepted','e1','test','{}','','now','now'), "
        "('o2','accepted','e2','test','{}','','now','now')");
    ASSERT_TRUE(inventory->reserve("o1", {{"MUG", 3}}).ok());
    ASSERT_FALSE(inventory->reserve("o2", {{"MUG", 2}, {"TEE", 1}}).ok())
        << "TEE has no stock: nothing of o2 is reserved";
    ASSERT_TRUE(inventory->reserve("o2", {{"MUG", 4}}).ok());
    EXPECT_EQ(inventory->level("MUG").reserved, 7);
    inventory->release("o1");
    EXPECT_EQ(inventory->level("MUG").reserved, 4);
    store->db().exec("UPDATE reservations SET quantity = 5 WHERE order_id = 'o2'");
    EXPECT_EQ(inventory->level("MUG").reserved, 5);
    tx.commit();
    EXPECT_TRUE(inventory->verify().problems.empty());
    store->db().exec("UPDATE reserved_by_sku SET quantity = 9 WHERE sku = 'MUG'");
    const auto report = inventory->verify();
    ASSERT_EQ(report.problems.size(), 1u);
    EXPECT_EQ(report.problems[0], "reserved total of MUG is 9 but its reservations add up to 5");
}

TEST_F(InventoryTest, OversellingWhenConfiguredGoesNegativeAndVerifyAllowsIt) {
    inventory->set_settings({true});
    Transaction tx(store->db());
    store->db().exec(
        "INSERT INTO orders (id, state, event_id, source, ship_to, original, created_at, updated_at) VALUES "
        "('o1','accepted','e1','test','{}','','now','now')");
    ASSERT_TRUE(inventory->reserve("o1", {{"TEE", 4}}).ok());
    ASSERT_TRUE(inventory->ship("o1", "", "").ok());
    tx.commit();
    EXPECT_EQ(inventory->level("TEE").on_hand, -4);
    EXPECT_TRUE(inventory->verify().problems.empty());
}

TEST_F(InventoryTest, ShipTakesFromPackingFirstThenEarliestExpiry) {
    ASSERT_TRUE(move("MUG", "A-01", 10, MovementReason::receive, "LATE", "2028-01-01").ok());
    ASSERT_TRUE(move("MUG", "A-02", 10, MovementReason::receive, "EARLY", "2027-01-01").ok());
    ASSERT_TRUE(move("MUG", "PACKING", 2, MovementReason::pick).ok());
    Transaction tx(store->db());
    store->db().exec(
        "INSERT INTO orders (id, state, event_id, source, ship_to, original, created_at, updated_at) VALUES "
        "('o1','accepted','e1','test','{}','','now','now')");
    ASSERT_TRUE(inventory->reserve("o1", {{"MUG", 5}}).ok());
    ASSERT_TRUE(inventory->ship("o1", "pack1", "ann").ok());
    tx.commit();
    const auto l = inventory->level("MUG");
    EXPECT_EQ(l.on_hand, 17);
    EXPECT_EQ(l.reserved, 0);
    std::map<std::string, int64_t> by_location;
    for (const auto& r : l.rows) {
        by_location[r.location + "/" + r.lot] = r.on_hand;
    }
    EXPECT_EQ(by_location.count("PACKING/"), 0u) << "packing was emptied first";
    EXPECT_EQ(by_location["A-02/EARLY"], 7);
    EXPECT_EQ(by_location["A-01/LATE"], 10);
}

TEST_F(InventoryTest, LowStockAlertAndReorderOncePerCrossingThenBackInStock) {
    EXPECT_TRUE(outbox("/out/alerts").empty()) << "a new product with no stock yet raises nothing";
    ASSERT_TRUE(move("MUG", "A-01", 12).ok());  // reorder point 10: in stock
    auto alerts = outbox("/out/alerts");
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0]["kind"], "back_in_stock");
    ASSERT_TRUE(move("MUG", "A-01", -3, MovementReason::adjust).ok());  // 9: crosses
    ASSERT_TRUE(move("MUG", "A-01", -1, MovementReason::adjust).ok());  // 8: still below, no repeat
    ASSERT_TRUE(move("MUG", "A-01", -1, MovementReason::adjust).ok());  // 7
    alerts = outbox("/out/alerts");
    ASSERT_EQ(alerts.size(), 2u);
    EXPECT_EQ(alerts[1]["kind"], "low_stock");
    EXPECT_EQ(alerts[1]["available"], 9);
    auto reorders = outbox("/out/reorders");
    ASSERT_EQ(reorders.size(), 1u);
    EXPECT_EQ(reorders[0]["sku"], "MUG");
    EXPECT_EQ(reorders[0]["quantity"], 48);
    ASSERT_TRUE(move("MUG", "A-01", 5).ok());  // 12: back
    alerts = outbox("/out/alerts");
    ASSERT_EQ(alerts.size(), 3u);
    EXPECT_EQ(alerts[2]["kind"], "back_in_stock");
    ASSERT_TRUE(move("MUG", "A-01", -4, MovementReason::adjust).ok());  // 8: crosses again
    EXPECT_EQ(outbox("/out/alerts").size(), 4u);
    EXPECT_EQ(outbox("/out/reorders").size(), 2u);
}

TEST_F(InventoryTest, ReturnsAndQuarantineAreNotAvailable) {
    ASSERT_TRUE(move("TEE", "A-01", 2).ok());
    ASSERT_TRUE(move("TEE", "RETURNS", 1, MovementReason::return_).ok());
    ASSERT_TRUE(move("TEE", "QUARANTINE", 1, MovementReason::return_).ok());
    const auto l = inventory->level("TEE");
    EXPECT_EQ(l.on_hand, 4);
    EXPECT_EQ(l.sellable, 2);
    EXPECT_EQ(l.available, 2);
}

TEST_F(InventoryTest, CatalogueRulesAreEnforced) {
    Transaction tx(store->db());
    EXPECT_FALSE(inventory->put_product({" MUG", "x", 0, {}, {}, {}, 0, 0, true}).ok());
    EXPECT_FALSE(inventory->put_product({"X", "x", -1, {}, {}, {}, 0, 0, true}).ok());
    EXPECT_FALSE(inventory->put_location("bad code!", "bin").ok());
    EXPECT_EQ(inventory->put_location("A-01", "quarantine").error().message,
              "location A-01 exists already as bin");
    EXPECT_TRUE(inventory->put_barcode({"14006381333938", "MUG", "gtin14", 12}).ok());
    EXPECT_EQ(inventory->put_barcode({"14006381333938", "TEE", "gtin14", 1}).error().message,
              "barcode 14006381333938 belongs to SKU MUG already");
    tx.commit();
    auto case_code = inventory->barcode("14006381333938");
    ASSERT_TRUE(case_code.has_value());
    EXPECT_EQ(case_code->pack_qty, 12);
}

TEST(CalendarDate, OnlyRealDates) {
    EXPECT_TRUE(is_calendar_date("2026-11-23"));
    EXPECT_TRUE(is_calendar_date("2000-02-29"));
    EXPECT_FALSE(is_calendar_date("1900-02-29"));
    EXPECT_FALSE(is_calendar_date("2026-13-01"));
    EXPECT_FALSE(is_calendar_date("2026-04-31"));
    EXPECT_FALSE(is_calendar_date("26-11-23"));
    EXPECT_FALSE(is_calendar_date("2026/11/23"));
}

}  // namespace
}  // namespace packd::fulfillment
