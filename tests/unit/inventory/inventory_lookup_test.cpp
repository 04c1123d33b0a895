// The inventory's look-ups on a real store: products by SKU in any case, by barcode and by the start of the
// SKU, where `%` and `_` are only themselves; locations; a location's stock; the newest rows of the ledger.

#include <gtest/gtest.h>

#include "packd/fulfillment/inventory/inventory.hpp"
#include "test_env.hpp"

namespace packd::fulfillment {
namespace {

class InventoryLookupTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = Store::open(dir.file("packd.db"));
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        store = std::move(*opened);
        inventory = std::make_unique<Inventory>(*store, Topics("packd/v1", "t"));
        Transaction tx(store->db());
        for (const char* sku : {"MUG-RED", "MUG-BLUE", "MUGGLE", "TEE-BLK-L", "A_B", "AXB", "100%", "1000",
                                "BACK\\SLASH", "BACKXSLASH"}) {
            ASSERT_TRUE(
                inventory->put_product({sku, std::string("Product ") + sku, 0, {}, {}, {}, 0, 0, true}).ok())
                << sku;
        }
        ASSERT_TRUE(inventory->put_barcode({"4006381333931", "MUG-RED", "gtin13", 1}).ok());
        ASSERT_TRUE(inventory->put_barcode({"14006381333938", "MUG-RED", "gtin14", 12}).ok());
        ASSERT_TRUE(inventory->put_barcode({"TEE-CODE", "TEE-BLK-L", "internal", 1}).ok());
        for (const char* bin : {"A-01-01", "A-01-02", "B-01"}) {
            ASSERT_TRUE(inventory->put_location(bin, "bin").ok());
        }
        ASSERT_TRUE(move("MUG-RED", "A-01-01", 60, "", "").ok());
        ASSERT_TRUE(move("MUG-BLUE", "A-01-01", 5, "L7", "2027-03-31").ok());
        ASSERT_TRUE(move("MUG-BLUE", "A-01-01", 2, "L8", "2027-06-30").ok());
        ASSERT_TRUE(move("TEE-BLK-L", "B-01", 3, "", "").ok());
        tx.commit();
    }

    Result<int64_t> move(const std::string& sku, const std::string& location, int64_t delta,
                         const std::string& lot, const std::string& expiry, const std::string& note = "") {
        return inventory->record(
            {sku, location, lot, expiry, delta, MovementReason::receive, "PO-1", "desk", "alice", note});
    }

    std::vector<std::string> skus(const std::string& text, int limit = 20) {
        std::vector<std::string> out;
        for (const auto& p : inventory->find_products(text, limit)) {
            out.push_back(p.sku + " by " + p.matched);
        }
        return out;
    }

    test::TempDir dir;
    std::unique_ptr<Store> store;
    std::unique_ptr<Inventory> inventory;
};

TEST_F(InventoryLookupTest, ASkuInAnyCaseFirstThenItsBarcodesThenSkusThatStartWithIt) {
    EXPECT_EQ(skus("mug-red"), (std::vector<std::string>{"MUG-RED by sku"}));
    EXPECT_EQ(skus("mug"), (std::vector<std::string>{"MUG-BLUE by sku_prefix", "MUG-RED by sku_prefix",
                                                     "MUGGLE by sku_prefix"}));
    EXPECT_EQ(skus("MUGGLE"), (std::vector<std::string>{"MUGGLE by sku"})) << "listed once";
    EXPECT_EQ(skus("14006381333938"), (std::vector<std::string>{"MUG-RED by barcode"}));
    EXPECT_EQ(skus("TEE-CODE"), (std::vector<std::string>{"TEE-BLK-L by barcode"}));
    EXPECT_TRUE(skus("400638133393").empty()) << "barcodes are matched whole";
    EXPECT_EQ(skus("mug", 2).size(), 2u);

    const auto found = inventory->find_products("MUG-RED", 20);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].name, "Product MUG-RED");
    EXPECT_EQ(found[0].barcodes, (std::vector<std::string>{"14006381333938", "4006381333931"}));
    EXPECT_EQ(found[0].on_hand, 60);
    EXPECT_EQ(found[0].available, 60);
}

TEST_F(InventoryLookupTest, WildcardsInTheTextAreOnlyThemselves) {
    EXPECT_TRUE(skus("%").empty()) << "a % must not match every SKU";
    EXPECT_TRUE(skus("_").empty());
    EXPECT_TRUE(skus("%%%").empty());
    EXPECT_TRUE(skus("M_G").empty()) << "_ is not any one character";
    EXPECT_EQ(skus("A_"), (std::vector<std::string>{"A_B by sku_prefix"})) << "AXB is not A_";
    EXPECT_EQ(skus("100%"), (std::vector<std::string>{"100% by sku"})) << "1000 does not start with 100%";
    EXPECT_EQ(skus("BACK\\"), (std::vector<std::string>{"BACK\\SLASH by sku_prefix"}));
    EXPECT_TRUE(skus("' OR 1=1 --").empty());
    std::vector<std::string> locations;
    for (const auto& l : inventory->find_locations("%", 20)) {
        locations.push_back(l.code);
    }
    EXPECT_TRUE(locations.empty());
}

TEST_F(InventoryLookupTest, AtMostTheLimitOfMany) {
    Transaction tx(store->db());
    for (int i = 0; i < 30; ++i) {
        ASSERT_TRUE(
            inventory->put_product({"P-" + std::to_string(100 + i), "Part", 0, {}, {}, {}, 0, 0, true}).ok());
    }
    tx.commit();
    const auto found = skus("p-", 20);
    ASSERT_EQ(found.size(), 20u);
    EXPECT_EQ(found.front(), "P-100 by sku_prefix");
    EXPECT_EQ(found.back(), "P-119 by sku_prefix");
}

TEST_F(InventoryLookupTest, LocationsByCodeInAnyCaseAndByTheirStart) {
    std::vector<std::string> out;
    for (const auto& l : inventory->find_locations("a-01", 20)) {
        out.push_back(l.code + " " + l.kind + " by " + l.matched);
    }
    EXPECT_EQ(out, (std::vector<std::string>{"A-01-01 bin by code_prefix", "A-01-02 bin by code_prefix"}));
    const auto receiving = inventory->find_locations("receiving", 20);
    ASSERT_EQ(receiving.size(), 1u);
    EXPECT_EQ(receiving[0].code, "RECEIVING");
    EXPECT_EQ(receiving[0].kind, "receiving");
    EXPECT_EQ(receiving[0].matched, "code");
}

TEST_F(InventoryLookupTest, ALocationsStockHasEachSkuLotAndExpiry) {
    std::vector<std::string> rows;
    for (const auto& r : inventory->stock_in("A-01-01")) {
        rows.push_back(r.sku + "|" + r.name + "|" + r.lot + "|" + r.expiry + "|" + std::to_string(r.on_hand));
    }
    EXPECT_EQ(rows, (std::vector<std::string>{"MUG-BLUE|Product MUG-BLUE|L7|2027-03-31|5",
                                              "MUG-BLUE|Product MUG-BLUE|L8|2027-06-30|2",
                                              "MUG-RED|Product MUG-RED|||60"}));
    EXPECT_TRUE(inventory->stock_in("A-01-02").empty());
}

TEST_F(InventoryLookupTest, TheLedgerNewestFirstBySkuLocationAndLimit) {
    {
        Transaction tx(store->db());
        for (int i = 1; i <= 60; ++i) {
            ASSERT_TRUE(
                move("TEE-BLK-L", i % 2 == 0 ? "A-01-02" : "B-01", 1, "", "", "n" + std::to_string(i)).ok());
        }
        tx.commit();
    }
    const auto newest = inventory->ledger({"", "", 50});
    ASSERT_EQ(newest.size(), 50u);
    for (size_t i = 1; i < newest.size(); ++i) {
        EXPECT_GT(newest[i - 1].id, newest[i].id) << "newest first";
    }
    EXPECT_EQ(newest.front().movement.note, "n60");
    EXPECT_EQ(newest.front().movement.reference, "PO-1");
    EXPECT_EQ(newest.front().movement.operator_name, "alice");
    EXPECT_FALSE(newest.front().at.empty());
    EXPECT_GT(newest.front().at_ms, 1'700'000'000'000);

    const auto blue = inventory->ledger({"MUG-BLUE", "", 50});
    ASSERT_EQ(blue.size(), 2u);
    EXPECT_EQ(blue[0].movement.lot, "L8");
    EXPECT_EQ(blue[0].movement.expiry, "2027-06-30");
    EXPECT_EQ(blue[0].movement.reason, MovementReason::receive);
    EXPECT_EQ(blue[1].movement.lot, "L7");

    EXPECT_EQ(inventory->ledger({"", "A-01-02", 500}).size(), 30u);
    EXPECT_EQ(inventory->ledger({"TEE-BLK-L", "B-01", 500}).size(), 31u) << "30 and the first receipt";
    EXPECT_EQ(inventory->ledger({"TEE-BLK-L", "", 5}).size(), 5u);
    EXPECT_TRUE(inventory->ledger({"MUG-RED", "B-01", 50}).empty());
    EXPECT_TRUE(inventory->ledger({"", "", 0}).empty());
}

}  // namespace
}  // namespace packd::fulfillment
