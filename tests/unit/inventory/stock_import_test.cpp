#include "packd/fulfillment/inventory/stock_import.hpp"

#include <gtest/gtest.h>

#include "test_env.hpp"

namespace packd::fulfillment {
namespace {

class StockImportTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto opened = Store::open(dir.file("packd.db"));
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        store = std::move(*opened);
        inventory = std::make_unique<Inventory>(*store, Topics("packd/v1", "t"));
        Transaction tx(store->db());
        ASSERT_TRUE(inventory->put_location("A-01", "bin").ok());
        tx.commit();
        auto products = import_products(*store, *inventory,
                                        test::read_file(test::source_dir() + "/config/samples/products.csv"));
        ASSERT_TRUE(products.ok()) << products.error().message;
    }

    test::TempDir dir;
    std::unique_ptr<Store> store;
    std::unique_ptr<Inventory> inventory;
};

TEST_F(StockImportTest, SampleCatalogueHasProductsBarcodesAndCases) {
    auto mug = inventory->product("MUG-RED");
    ASSERT_TRUE(mug.has_value());
    EXPECT_EQ(mug->name, "Mug, red, 330 ml");
    EXPECT_EQ(mug->unit_weight_g, 350);
    EXPECT_EQ(mug->reorder_point, 10);
    EXPECT_EQ(inventory->product("POSTER-A2")->name, "Poster \"Harbour\" A2, rolled");
    EXPECT_EQ(inventory->barcode("4006381333931")->kind, "gtin13");
    EXPECT_EQ(inventory->barcode("14006381333938")->pack_qty, 12);
    EXPECT_EQ(inventory->barcode("036000291452")->kind, "gtin12");
    EXPECT_EQ(inventory->barcode("TEE-BLK-L")->kind, "internal");
}

TEST_F(StockImportTest, ReceiveAddsEveryRowInOneGo) {
    auto r = import_stock(
        *store, *inventory,
        "SKU;Menge;Lagerplatz;Charge;MHD\r\nMUG-RED;12;A-01;L1;2027-06-30\r\nTEE-BLK-L;3;RECEIVING;;\r\n",
        {"sku", "menge", "lagerplatz", "charge", "mhd", ';'}, StockImportMode::receive, "delivery.csv",
        "ann");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->rows, 2);
    EXPECT_EQ(r->units, 15);
    const auto mug = inventory->level("MUG-RED");
    EXPECT_EQ(mug.on_hand, 12);
    ASSERT_EQ(mug.rows.size(), 1u);
    EXPECT_EQ(mug.rows[0].lot, "L1");
    EXPECT_EQ(mug.rows[0].expiry, "2027-06-30");
}

TEST_F(StockImportTest, ABadRowMeansNothingIsAppliedAndEveryProblemIsReportedByLine) {
    const std::string csv =
        "sku,qty,location\n"
        "MUG-RED,5,A-01\n"
        "GHOST,1,A-01\n"
        "TEE-BLK-L,many,A-01\n"
        "TEE-BLK-L,2,NOWHERE\n"
        "POSTER-A2,0,A-01\n";
    auto r = import_stock(*store, *inventory, csv, {}, StockImportMode::receive, "bad.csv", "ann");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message,
              "stock import refused: 4 problems, nothing was applied\n"
              "  line 3: unknown SKU \"GHOST\"\n"
              "  line 4: quantity \"many\" is not a whole number\n"
              "  line 5: unknown location \"NOWHERE\"\n"
              "  line 6: a received quantity must be from 1 to 10000000, found 0");
    EXPECT_EQ(inventory->level("MUG-RED").on_hand, 0) << "the good row must not be applied either";
    EXPECT_EQ(inventory->verify().movements, 0);
}

TEST_F(StockImportTest, MissingColumnNamesTheConfigKeys) {
    auto r = import_stock(*store, *inventory, "article,qty,location\nMUG-RED,1,A-01\n", {},
                          StockImportMode::receive, "x", "");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message,
              "line 1: the header has no column \"sku\" (set the names under [import] in packd.toml)");
}

TEST_F(StockImportTest, MalformedCsvIsRefusedWithItsLine) {
    auto r = import_stock(*store, *inventory, "sku,qty,location\nMUG-RED,\"1,A-01\n", {},
                          StockImportMode::receive, "x", "");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("not a valid CSV file: line 2"), std::string::npos) << r.error().message;
}

TEST_F(StockImportTest, CountReplacesOnHandAndRefusesTheSameRowTwice) {
    ASSERT_TRUE(import_stock(*store, *inventory, "sku,qty,location\nMUG-RED,10,A-01\n", {},
                             StockImportMode::receive, "in", "")
                    .ok());
    auto twice = import_stock(*store, *inventory, "sku,qty,location\nMUG-RED,7,A-01\nMUG-RED,8,A-01\n", {},
                              StockImportMode::count, "count.csv", "");
    ASSERT_FALSE(twice.ok());
    EXPECT_NE(twice.error().message.find("line 3: counts MUG-RED at A-01 again (first on line 2)"),
              std::string::npos);
    auto r = import_stock(*store, *inventory, "sku,qty,location\nMUG-RED,7,A-01\n", {},
                          StockImportMode::count, "count.csv", "");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->units, -3);
    EXPECT_EQ(inventory->level("MUG-RED").on_hand, 7);
    EXPECT_TRUE(inventory->verify().problems.empty());
}

TEST_F(StockImportTest, ProductFileWithBadCheckDigitIsRefusedWhole) {
    auto r = import_products(*store, *inventory,
                             "sku,name,barcodes\nNEW-1,New one,\nNEW-2,New two,4006381333932\n");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message,
              "product import refused: 1 problem, nothing was applied\n"
              "  line 3: barcode 4006381333932 has a wrong GS1 check digit");
    EXPECT_FALSE(inventory->product("NEW-1").has_value());
}

TEST_F(StockImportTest, ExportListsEveryStockRowWithTotals) {
    Transaction tx(store->db());
    ASSERT_TRUE(
        inventory->record({"MUG-RED", "A-01", "", "", 4, MovementReason::receive, "", "", "", ""}).ok());
    tx.commit();
    const std::string csv = export_stock_csv(*inventory);
    EXPECT_EQ(csv.substr(0, csv.find("\r\n")), "sku,name,location,lot,expiry,on_hand,reserved,available");
    EXPECT_NE(csv.find("MUG-RED,\"Mug, red, 330 ml\",A-01,,,"), std::string::npos) << csv;
    EXPECT_NE(csv.find("POSTER-A2,\"Poster \"\"Harbour\"\" A2, rolled\","), std::string::npos) << csv;
}

TEST(Gs1CheckDigit, KnownGoodAndBadCodes) {
    EXPECT_TRUE(gs1_check_digit_ok("4006381333931"));       // EAN-13
    EXPECT_TRUE(gs1_check_digit_ok("036000291452"));        // UPC-A
    EXPECT_TRUE(gs1_check_digit_ok("96385074"));            // EAN-8
    EXPECT_TRUE(gs1_check_digit_ok("14006381333938"));      // GTIN-14
    EXPECT_TRUE(gs1_check_digit_ok("106141411234567897"));  // SSCC-18 from GS1 General Specifications
    EXPECT_FALSE(gs1_check_digit_ok("4006381333932"));
    EXPECT_FALSE(gs1_check_digit_ok("40063813339x1"));
    EXPECT_FALSE(gs1_check_digit_ok("123"));
}

}  // namespace
}  // namespace packd::fulfillment
