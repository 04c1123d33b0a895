#pragma once
// Supplier CSV files into the inventory: stock (received quantities or counted levels) and the
// catalogue (products with their barcodes). A file is validated as a whole before any row is
// applied; any bad row means nothing is applied and every problem is reported by line number.

#include <string>
#include <string_view>
#include <vector>

#include "packd/common/result.hpp"
#include "packd/fulfillment/inventory/inventory.hpp"

namespace packd::fulfillment {

/// Which supplier column holds what; names match case-insensitively.
struct StockColumns {
    std::string sku = "sku";
    std::string quantity = "qty";
    std::string location = "location";
    std::string lot = "lot";        ///< optional column
    std::string expiry = "expiry";  ///< optional column, YYYY-MM-DD
    char delimiter = ',';
};

/// receive: quantities arrive and are added. count: quantities are what was counted and replace
/// what the store holds for that SKU, location, lot and expiry.
enum class StockImportMode { receive, count };

struct ImportSummary {
    int rows = 0;
    int64_t units = 0;  ///< sum of quantities applied (receive) or of count differences (count)
    int movements = 0;
};

/// Validates and applies a stock file in one transaction. `reference` goes on every movement
/// (e.g. the file name).
Result<ImportSummary> import_stock(Store& store, Inventory& inventory, std::string_view csv,
                                   const StockColumns& columns, StockImportMode mode,
                                   const std::string& reference, const std::string& operator_name);

/// Validates and applies a catalogue file in one transaction. Columns (header names):
/// sku, name (required); unit_weight_g, length_mm, width_mm, height_mm, reorder_point,
/// reorder_qty, barcodes (codes separated by spaces), case_barcode and case_qty (a GTIN-14 for a
/// case of case_qty units) optional.
Result<ImportSummary> import_products(Store& store, Inventory& inventory, std::string_view csv,
                                      char delimiter = ',');

/// The stock of every SKU and location as CSV (sku,name,location,lot,expiry,on_hand,reserved,
/// available), SKU totals in the reserved and available columns of each SKU's rows.
std::string export_stock_csv(Inventory& inventory, char delimiter = ',');

/// GS1 check digit (mod 10) of an all-digit GTIN-8/12/13/14 or SSCC-18 is right.
bool gs1_check_digit_ok(std::string_view digits);

}  // namespace packd::fulfillment
