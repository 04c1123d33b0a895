#pragma once
// The local inventory: catalogue, locations, stock per SKU and location (with optional lot and
// expiry), the append-only movements ledger and order reservations. On hand always equals the
// sum of movements; reservations never exceed what is on hand unless overselling is allowed.
//
// Functions marked "in a transaction" must be called inside a Transaction on the store: they
// check first and write second, and a failure they return leaves the caller to roll back.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "packd/common/result.hpp"
#include "packd/fulfillment/domain/topics.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace packd::fulfillment {

/// One article the warehouse stocks.
struct Product {
    std::string sku;
    std::string name;
    int64_t unit_weight_g = 0;
    std::optional<int64_t> length_mm;
    std::optional<int64_t> width_mm;
    std::optional<int64_t> height_mm;
    int64_t reorder_point = 0;
    int64_t reorder_qty = 0;
    bool active = true;
};

/// A code printed on an article or its case; a GTIN-14 case code carries its pack quantity.
struct Barcode {
    std::string code;
    std::string sku;
    std::string kind;  ///< gtin8, gtin12, gtin13, gtin14 or internal
    int64_t pack_qty = 1;
};

/// A date written YYYY-MM-DD that exists in the calendar.
bool is_calendar_date(std::string_view text);

/// Why on-hand stock changed.
enum class MovementReason { receive, pick, ship, adjust, count, return_, transfer };
const char* to_string(MovementReason reason);
bool parse_movement_reason(std::string_view text, MovementReason& out);

/// One change of on-hand stock, as the ledger records it.
struct Movement {
    std::string sku;
    std::string location;
    std::string lot;
    std::string expiry;  ///< YYYY-MM-DD or empty
    int64_t delta = 0;
    MovementReason reason = MovementReason::adjust;
    std::string reference;  ///< order id, RMA, import file ...
    std::string station;
    std::string operator_name;
    std::string note;
};

struct StockRow {
    std::string location;
    std::string lot;
    std::string expiry;
    int64_t on_hand = 0;
};

/// One stock row of a location.
struct StockAt {
    std::string sku;
    std::string lot;
    std::string expiry;
    int64_t on_hand = 0;
};

/// A SKU's stock: per location rows and totals. Available counts sellable locations (bins,
/// receiving, packing) minus reservations; returns and quarantine are not for sale.
struct StockLevel {
    std::string sku;
    std::string name;
    int64_t on_hand = 0;
    int64_t sellable = 0;
    int64_t reserved = 0;
    int64_t available = 0;
    int64_t reorder_point = 0;
    std::vector<StockRow> rows;
};

struct OrderQuantity {
    std::string sku;
    int64_t quantity = 0;
};

/// A product a searched text matched: by its SKU in any case ("sku"), by one of its barcodes ("barcode") or
/// by the start of its SKU ("sku_prefix"); with its codes and stock totals.
struct ProductMatch {
    std::string sku;
    std::string name;
    std::vector<std::string> barcodes;
    int64_t on_hand = 0;
    int64_t reserved = 0;
    int64_t available = 0;
    std::string matched;
};

/// A location a searched text matched: by its code in any case ("code") or by its start ("code_prefix").
struct LocationMatch {
    std::string code;
    std::string kind;
    std::string matched;
};

/// One stock row of a location, with its product's name.
struct LocationStock {
    std::string sku;
    std::string name;
    std::string lot;
    std::string expiry;
    int64_t on_hand = 0;
};

/// One row of the movements ledger as it was written.
struct LedgerEntry {
    int64_t id = 0;
    std::string at;     ///< UTC, as the store writes times
    int64_t at_ms = 0;  ///< the same in milliseconds since the epoch
    Movement movement;
};

/// Which rows of the ledger to read, newest first: of one SKU, of one location, of both or of any.
struct LedgerQuery {
    std::string sku;       ///< empty: any SKU
    std::string location;  ///< empty: any location
    int limit = 50;
};

/// What `verify` found; empty `problems` means every invariant holds.
struct VerifyReport {
    int64_t skus = 0;
    int64_t stock_rows = 0;
    int64_t movements = 0;
    std::vector<std::string> problems;
};

struct InventorySettings {
    bool allow_oversell = false;
};

class Inventory {
  public:
    Inventory(Store& store, Topics topics, InventorySettings settings = {});

    void set_settings(InventorySettings settings) { settings_ = settings; }
    const InventorySettings& settings() const { return settings_; }

    // Catalogue and locations; in a transaction.
    Status put_product(const Product& product);
    Status put_barcode(const Barcode& barcode);
    Status put_location(const std::string& code, const std::string& kind);

    std::optional<Product> product(const std::string& sku);
    std::optional<Barcode> barcode(const std::string& code);
    bool location_exists(const std::string& code);
    /// What the books say lies in `location`: its rows with stock, by SKU, lot and expiry.
    std::vector<StockAt> stock_at(const std::string& location);
    /// "bin", "receiving", "packing", "returns" or "quarantine"; nothing for an unknown location.
    std::optional<std::string> location_kind(const std::string& code);

    /// Records one movement and updates stock; in a transaction. Refuses unknown SKUs and
    /// locations and, unless overselling is allowed, a result below zero.
    Result<int64_t> record(const Movement& movement);
    /// Sets on hand of one stock row to `counted` with a count movement of the difference (no
    /// movement when it already matches); in a transaction.
    Result<int64_t> count(const Movement& where, int64_t counted);

    /// Reserves an order's quantities; in a transaction. Fails naming every unknown SKU, or the
    /// first SKU short of stock (unless overselling is allowed), and then reserves nothing.
    Status reserve(const std::string& order_id, const std::vector<OrderQuantity>& lines);
    /// Releases what an order reserved; in a transaction.
    void release(const std::string& order_id);
    /// Turns an order's reservations into ship movements, taking from the packing location
    /// first, then bins in expiry order (first expiry first out); in a transaction.
    Status ship(const std::string& order_id, const std::string& station, const std::string& operator_name);

    StockLevel level(const std::string& sku);
    std::vector<StockLevel> levels();

    // Look-ups for people (packctl, an operator's screen), each through an index (inventory_lookup.cpp).
    /// Products whose SKU is `text` in any case, then those with `text` as a barcode, then those whose SKU
    /// starts with it in any case (`%` and `_` in `text` are themselves, not wildcards); at most `limit`.
    std::vector<ProductMatch> find_products(const std::string& text, int limit);
    /// Locations whose code is `text` in any case, then those whose code starts with it; at most `limit`.
    std::vector<LocationMatch> find_locations(const std::string& text, int limit);
    /// Every stock row of `location` with stock, by SKU, lot and expiry, with the products' names.
    std::vector<LocationStock> stock_in(const std::string& location);
    /// The newest rows of the ledger, newest first, as `query` narrows them.
    std::vector<LedgerEntry> ledger(const LedgerQuery& query);

    /// Checks on hand against the ledger, reservations against stock and orders.
    VerifyReport verify();
    /// Marks the SKU's level for publishing again, unchanged (a recount asked by the shop); in a
    /// transaction.
    void republish(const std::string& sku);

  private:
    int64_t reserved(const std::string& sku);
    /// Marks the SKU's level for publishing and checks its reorder point; after every change of
    /// on hand or reservations.
    void stock_changed(const std::string& sku);
    /// Queues a low-stock alert and reorder request when available falls below the reorder
    /// point, and a back-in-stock event when it climbs back; once per crossing.
    void check_reorder(const std::string& sku);
    /// Emits "stock.out" when available falls to zero and "stock.back" when it rises again, once per
    /// crossing (products.out_of_stock); only while a rule listens to either.
    void check_out_of_stock(const std::string& sku);

    Store& store_;
    Topics topics_;
    InventorySettings settings_;
};

}  // namespace packd::fulfillment
