#pragma once
// What a scan means: the AIM symbology identifier in front of the data, GS1 element strings read
// into the fields a warehouse uses, and the kind of code (product, location, order, tote, tracking
// number, RMA, command). Pure apart from the catalogue questions the caller answers.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "packd/common/result.hpp"
#include "packd/fulfillment/barcodes/gs1.hpp"
#include "packd/fulfillment/inventory/inventory.hpp"

namespace packd::fulfillment {

/// An AIM symbology identifier (ISO/IEC 15424: "]" + code character + modifier) and what it says.
struct Symbology {
    std::string id;    ///< "]C1"; empty when the scanner sent none
    std::string name;  ///< "GS1-128"; "unknown" for an identifier we do not know
    bool gs1 = false;  ///< the data is a GS1 element string (FNC1 in first position)
};

/// Splits a leading "]Xm" off scan data; without one, the symbology is empty and the data whole.
std::pair<Symbology, std::string_view> split_symbology(std::string_view data);
Symbology describe_symbology(std::string_view id);

/// A GS1 element string read into the fields the warehouse uses.
struct Gs1Fields {
    std::vector<Gs1Element> elements;
    std::string sscc;                      ///< (00)
    std::string gtin;                      ///< (01)
    std::string content_gtin;              ///< (02) GTIN of the trade items inside a logistic unit
    std::string lot;                       ///< (10)
    std::string production_date;           ///< (11) YYYY-MM-DD
    std::string best_before;               ///< (15) YYYY-MM-DD
    std::string expiry;                    ///< (17) YYYY-MM-DD
    std::string serial;                    ///< (21)
    std::optional<int64_t> count;          ///< (30) variable count of items
    std::optional<int64_t> content_count;  ///< (37) count of trade items in a logistic unit
    std::optional<int64_t> net_weight_mg;  ///< (310n) net weight, kg with n decimals
    std::string order_number;              ///< (400) customer's purchase order number
    std::string ship_to_postal_code;       ///< (420), or the postal code of (421)
    std::string ship_to_country;           ///< (421) ISO 3166-1 numeric country code
};

/// Parses an element string (raw with GS separators, or in parentheses) and reads its fields.
/// `this_year` places two-digit years in their century (General Specifications 7.12).
Result<Gs1Fields> read_gs1_fields(std::string_view element_string, int this_year);

enum class ScanKind {
    product,
    shipping_unit,
    location,
    order,
    tote,
    tracking,
    rma,
    badge,
    command,
    gs1,
    invalid
};
const char* to_string(ScanKind kind);

/// The meaning of one scan, or why it has none.
struct ScanMeaning {
    ScanKind kind = ScanKind::invalid;
    std::string code;  ///< the code itself: GTIN, SSCC, location, order id, command word ...
    std::string sku;   ///< product: the catalogue's SKU, empty when the code is not in the catalogue
    int64_t pack_qty = 1;
    std::optional<Gs1Fields> gs1;
    std::string note;    ///< e.g. "not in the catalogue"
    std::string reason;  ///< invalid: why
};

/// Our own code formats and today's year (for GS1 dates).
struct ScanRules {
    int this_year = 0;
    std::string order_prefix = "ORD-";
    std::string tote_prefix = "TOTE-";
    std::string rma_prefix = "RMA-";
    std::string badge_prefix = "OP-";
    /// Command words; "QTY" with up to six digits, "KEY" with one and "MODE-" with a mode are commands too.
    std::vector<std::string> commands = {"DONE",  "CANCEL",  "REPRINT",    "UNDO",  "SKIP",
                                         "CLOSE", "RESTOCK", "QUARANTINE", "SCRAP", "SHORT"};
};

/// The catalogue questions interpretation asks; `catalogue_of` answers them from the inventory.
struct ScanCatalogue {
    std::function<std::optional<Barcode>(const std::string&)> barcode;
    std::function<bool(const std::string&)> location;
};
ScanCatalogue catalogue_of(Inventory& inventory);

/// What `data` (with or without its symbology identifier) means. `symbology` is the identifier the
/// driver reported separately, if any. A carrier's tracking number (carrier_tracking.hpp) is `tracking`
/// with the number itself as its code, routing prefix taken off, and its scheme in the note; twelve digits
/// are a GTIN-12 or a FedEx Express number by the catalogue and their check digits (the note says which).
ScanMeaning interpret_scan(std::string_view data, std::string_view symbology, const ScanRules& rules,
                           const ScanCatalogue& catalogue);

/// True when the text can only be a right reading of a scan: a GTIN or SSCC with a valid check digit,
/// a valid GS1 element string, a carrier's tracking number with a valid check digit (not a DHL eCommerce
/// number, which has none), or a code the catalogue or our own formats know. Keyboard scanners in
/// layout-proof mode use it to pick the layout.
bool scan_is_verifiable(std::string_view text, const ScanRules& rules, const ScanCatalogue& catalogue);

/// One scan as an event: station, device, raw data, symbology, and its meaning or why it is invalid.
struct ScanEvent {
    std::string station;
    std::string device;
    std::string raw;
    std::string symbology;
    ScanMeaning meaning;
    std::string warning;  ///< from the driver, e.g. the keyboard layout looks wrong
};
nlohmann::json to_json(const ScanEvent& event);

}  // namespace packd::fulfillment
