#include "packd/fulfillment/stations/scan_code.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "packd/common/text.hpp"
#include "packd/fulfillment/barcodes/carrier_tracking.hpp"

namespace packd::fulfillment {
namespace {

constexpr char kGroupSeparator = '\x1d';

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "YYMMDD" as "YYYY-MM-DD" (General Specifications 7.12): the century is the one that puts the year at
// most 49 years ahead of or 50 years behind this year; a day of 00 is the last day of the month.
std::string gs1_date(std::string_view yymmdd, int this_year) {
    const int yy = (yymmdd[0] - '0') * 10 + (yymmdd[1] - '0');
    const int difference = yy - this_year % 100;
    int century = this_year / 100;
    if (difference >= 51) {
        --century;
    } else if (difference <= -50) {
        ++century;
    }
    const int year = century * 100 + yy;
    const int month = (yymmdd[2] - '0') * 10 + (yymmdd[3] - '0');
    int day = (yymmdd[4] - '0') * 10 + (yymmdd[5] - '0');
    if (day == 0) {
        constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        day = month == 2 && leap ? 29 : kDays[month - 1];
    }
    char out[16];
    std::snprintf(out, sizeof out, "%04d-%02d-%02d", year, month, day);
    return out;
}

bool looks_like_gs1(std::string_view data) {
    if (data.empty()) {
        return false;
    }
    if (data.front() == '(') {
        return data.size() > 3 && data[1] >= '0' && data[1] <= '9';
    }
    return data.find(kGroupSeparator) != std::string_view::npos;
}

ScanMeaning invalid(std::string reason) {
    ScanMeaning m;
    m.reason = std::move(reason);
    return m;
}

// The catalogue may hold a GTIN as printed (8, 12 or 13 digits) or as GTIN-14: try each form.
std::optional<Barcode> find_gtin(const ScanCatalogue& catalogue, std::string_view gtin) {
    if (!catalogue.barcode) {
        return std::nullopt;
    }
    std::string_view digits = gtin;
    while (digits.size() > 8 && digits.front() == '0') {
        if (auto b = catalogue.barcode(std::string(digits))) {
            return b;
        }
        digits.remove_prefix(1);
    }
    for (const std::size_t length : {8u, 12u, 13u, 14u}) {
        if (length >= digits.size()) {
            const std::string padded = std::string(length - digits.size(), '0') + std::string(digits);
            if (auto b = catalogue.barcode(padded)) {
                return b;
            }
        }
    }
    return std::nullopt;
}

ScanMeaning product(std::string gtin, const ScanCatalogue& catalogue) {
    ScanMeaning m;
    m.kind = ScanKind::product;
    if (auto b = find_gtin(catalogue, gtin)) {
        m.sku = b->sku;
        m.pack_qty = b->pack_qty;
    } else {
        m.note = "GTIN " + gtin + " is not in the catalogue";
    }
    m.code = std::move(gtin);
    return m;
}

ScanMeaning from_gs1(Gs1Fields fields, const ScanCatalogue& catalogue) {
    ScanMeaning m;
    if (!fields.sscc.empty()) {
        m.kind = ScanKind::shipping_unit;
        m.code = fields.sscc;
    } else if (!fields.gtin.empty() || !fields.content_gtin.empty()) {
        m = product(!fields.gtin.empty() ? fields.gtin : fields.content_gtin, catalogue);
    } else if (!fields.order_number.empty()) {
        m.kind = ScanKind::order;
        m.code = fields.order_number;
    } else {
        m.kind = ScanKind::gs1;
        m.code = gs1_human_readable(fields.elements);
    }
    m.gs1 = std::move(fields);
    return m;
}

bool has_prefix(std::string_view text, const std::string& prefix) {
    return !prefix.empty() && text.size() > prefix.size() && text.substr(0, prefix.size()) == prefix;
}

/// The commands that carry a value: a quantity (QTY12), a keypad key (KEY7), a station mode (MODE-COUNT).
bool is_parameter_command(std::string_view code) {
    const auto digits = [](std::string_view s) {
        return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (code.starts_with("QTY")) {
        return code.size() <= 9 && digits(code.substr(3));
    }
    if (code.starts_with("KEY")) {
        return code.size() == 4 && digits(code.substr(3));
    }
    if (code.starts_with("MODE-")) {
        const std::string_view mode = code.substr(5);
        return !mode.empty() && mode.size() <= 16 &&
               std::all_of(mode.begin(), mode.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    }
    return false;
}

// A carrier's tracking number whose check digit holds (or whose scheme has none). The note names the
// scheme, which names the carrier, and what else the code says; `also` adds why it was read this way.
ScanMeaning tracking(const CarrierNumber& c, const std::string& also = {}) {
    ScanMeaning m;
    m.kind = ScanKind::tracking;
    m.code = c.number;
    m.note = c.scheme;
    if (!c.postal_code.empty()) {
        m.note += ", routed to ZIP code " + c.postal_code;
    }
    if (!c.has_check_digit) {
        m.note += " (a number without a check digit)";
    }
    if (!also.empty()) {
        m.note += "; " + also;
    }
    return m;
}

// Twelve digits are a GTIN-12 (UPC-A) by shape and a FedEx Express tracking number too. The catalogue
// decides first; then the check digits, at least one of which holds for a right reading. When both hold,
// the code is taken for the tracking number: a GTIN the catalogue does not know cannot be packed anyway,
// and the note says it reads as one. A UPC-A or EAN symbol (AIM "]E") carries only GTINs; FedEx prints its
// numbers in Code 128.
ScanMeaning twelve_digits(const std::string& code, const Symbology& symbol, const ScanCatalogue& catalogue) {
    const bool gtin_ok = gs1_check_digit_holds(code);
    const bool ean_symbol = symbol.id.starts_with("]E");
    const std::optional<CarrierNumber> fedex = ean_symbol ? std::nullopt : carrier_number(code);
    const bool fedex_ok = fedex && fedex->check_ok;
    const std::optional<Barcode> known = gtin_ok             ? find_gtin(catalogue, code)
                                         : catalogue.barcode ? catalogue.barcode(code)
                                                             : std::nullopt;
    if (known) {
        ScanMeaning m;
        m.kind = ScanKind::product;
        m.code = code;
        m.sku = known->sku;
        m.pack_qty = known->pack_qty;
        if (fedex_ok) {
            m.note = "a catalogue barcode, though it also reads as a " + fedex->scheme + " tracking number";
        }
        return m;
    }
    if (gtin_ok && !fedex_ok) {
        ScanMeaning m = product(code, catalogue);
        if (fedex) {
            m.note +=
                " (read as a GTIN-12: as a " + fedex->scheme + " tracking number its check digit is wrong)";
        }
        return m;
    }
    if (fedex_ok && !gtin_ok) {
        return tracking(*fedex, "not a GTIN-12: its GTIN check digit is wrong");
    }
    if (fedex_ok) {
        return tracking(*fedex, "it also reads as GTIN-12 " + code + ", which is not in the catalogue");
    }
    std::string reason = "check digit of GTIN-12 " + code + " is wrong";
    if (fedex) {
        reason += ", and it is no " + fedex->scheme + " tracking number either: " + fedex->reason;
    }
    return invalid(std::move(reason));
}

}  // namespace

Symbology describe_symbology(std::string_view id) {
    // AIM identifiers of the warehouse symbologies (ISO/IEC 15424 table 1; GS1 General Specifications
    // figure 5.1.2-1 for the ones that announce GS1 data).
    struct Known {
        std::string_view id, name;
        bool gs1;
    };
    static constexpr Known kKnown[] = {
        {"]C0", "Code 128", false},     {"]C1", "GS1-128", true},          {"]C2", "Code 128 (AIM)", false},
        {"]E0", "EAN-13/UPC-A", false}, {"]E4", "EAN-8", false},           {"]E1", "EAN add-on", false},
        {"]E2", "EAN add-on", false},   {"]E3", "EAN with add-on", false}, {"]I0", "ITF", false},
        {"]I1", "ITF-14", false},       {"]d1", "Data Matrix", false},     {"]d2", "GS1 DataMatrix", true},
        {"]Q1", "QR Code", false},      {"]Q3", "GS1 QR Code", true},      {"]L0", "PDF417", false},
        {"]L2", "PDF417", false},       {"]e0", "GS1 DataBar", true},      {"]A0", "Code 39", false},
        {"]F0", "Codabar", false},      {"]J1", "GS1 DotCode", true},      {"]z0", "Aztec", false},
    };
    for (const Known& k : kKnown) {
        if (k.id == id) {
            return {std::string(k.id), std::string(k.name), k.gs1};
        }
    }
    return {std::string(id), "unknown", false};
}

std::pair<Symbology, std::string_view> split_symbology(std::string_view data) {
    if (data.size() >= 3 && data[0] == ']' && std::isalpha(static_cast<unsigned char>(data[1])) &&
        std::isalnum(static_cast<unsigned char>(data[2]))) {
        return {describe_symbology(data.substr(0, 3)), data.substr(3)};
    }
    return {Symbology{}, data};
}

Result<Gs1Fields> read_gs1_fields(std::string_view element_string, int this_year) {
    // A leading GS is a transmitted FNC1 in first position; some scanners send it.
    while (!element_string.empty() && element_string.front() == kGroupSeparator) {
        element_string.remove_prefix(1);
    }
    auto elements = parse_gs1(element_string);
    if (!elements) {
        return elements.error();
    }
    Gs1Fields f;
    for (const Gs1Element& e : *elements) {
        const std::string& ai = e.ai;
        std::string* text = ai == "00"    ? &f.sscc
                            : ai == "01"  ? &f.gtin
                            : ai == "02"  ? &f.content_gtin
                            : ai == "10"  ? &f.lot
                            : ai == "21"  ? &f.serial
                            : ai == "400" ? &f.order_number
                            : ai == "420" ? &f.ship_to_postal_code
                                          : nullptr;
        if (text != nullptr) {
            if (!text->empty()) {
                return fail("GS1 data holds (" + ai + ") twice");
            }
            *text = e.data;
        } else if (ai == "11" || ai == "15" || ai == "17") {
            (ai == "11"   ? f.production_date
             : ai == "15" ? f.best_before
                          : f.expiry) = gs1_date(e.data, this_year);
        } else if (ai == "30" || ai == "37") {
            (ai == "30" ? f.count : f.content_count) = std::stoll(e.data);  // at most 8 digits, checked
        } else if (ai.size() == 4 && ai.substr(0, 3) == "310") {
            // Net weight in kg with (last AI digit) decimals, 0 to 5 (checked by parse_gs1).
            int64_t mg = std::stoll(e.data);
            for (int i = ai[3] - '0'; i < 6; ++i) {
                mg *= 10;
            }
            f.net_weight_mg = mg;
        } else if (ai == "421") {
            f.ship_to_country = e.data.substr(0, 3);
            f.ship_to_postal_code = e.data.substr(3);
        }
    }
    f.elements = std::move(*elements);
    return f;
}

const char* to_string(ScanKind kind) {
    switch (kind) {
        case ScanKind::product:
            return "product";
        case ScanKind::shipping_unit:
            return "shipping_unit";
        case ScanKind::location:
            return "location";
        case ScanKind::order:
            return "order";
        case ScanKind::tote:
            return "tote";
        case ScanKind::tracking:
            return "tracking";
        case ScanKind::rma:
            return "rma";
        case ScanKind::badge:
            return "badge";
        case ScanKind::command:
            return "command";
        case ScanKind::gs1:
            return "gs1";
        case ScanKind::invalid:
            return "invalid";
    }
    return "invalid";
}

ScanCatalogue catalogue_of(Inventory& inventory) {
    return {[&inventory](const std::string& code) { return inventory.barcode(code); },
            [&inventory](const std::string& code) { return inventory.location_exists(code); }};
}

ScanMeaning interpret_scan(std::string_view data, std::string_view symbology, const ScanRules& rules,
                           const ScanCatalogue& catalogue) {
    auto [symbol, text] = split_symbology(data);
    if (!symbology.empty() && symbol.id.empty()) {
        symbol = describe_symbology(symbology);
    }
    // Keyboard scanners end some scans with a CR or LF of their own.
    while (!text.empty() && (text.back() == '\r' || text.back() == '\n')) {
        text.remove_suffix(1);
    }
    if (text.empty()) {
        return invalid("empty scan");
    }
    if (!is_valid_utf8(text)) {
        return invalid("scan is not text (bytes that are not UTF-8): '" + printable(text) + "'");
    }
    if (symbol.gs1 || looks_like_gs1(text)) {
        auto fields = read_gs1_fields(text, rules.this_year);
        if (!fields) {
            return invalid(fields.error().message);
        }
        return from_gs1(std::move(*fields), catalogue);
    }
    if (all_digits(text)) {
        const std::size_t n = text.size();
        if (n == 12) {
            return twelve_digits(std::string(text), symbol, catalogue);
        }
        if (n == 8 || n == 13 || n == 14 || n == 18) {
            if (!gs1_check_digit_holds(text)) {
                return invalid("check digit of " + std::string(n == 18 ? "SSCC " : "GTIN-") +
                               (n == 18 ? "" : std::to_string(n) + " ") + std::string(text) + " is wrong");
            }
            if (n == 18) {
                ScanMeaning m;
                m.kind = ScanKind::shipping_unit;
                m.code = std::string(text);
                return m;
            }
            return product(std::string(text), catalogue);
        }
        // An element string without its symbology identifier, as some keyboard scanners send it.
        if (n > 14 && (text.substr(0, 2) == "00" || text.substr(0, 2) == "01")) {
            if (auto fields = read_gs1_fields(text, rules.this_year)) {
                return from_gs1(std::move(*fields), catalogue);
            }
        }
    }
    const std::string code(text);
    if (std::find(rules.commands.begin(), rules.commands.end(), code) != rules.commands.end() ||
        is_parameter_command(code)) {
        ScanMeaning m;
        m.kind = ScanKind::command;
        m.code = code;
        return m;
    }
    if (catalogue.barcode) {
        if (auto b = catalogue.barcode(code)) {
            ScanMeaning m;
            m.kind = ScanKind::product;
            m.code = code;
            m.sku = b->sku;
            m.pack_qty = b->pack_qty;
            return m;
        }
    }
    if (catalogue.location && catalogue.location(code)) {
        ScanMeaning m;
        m.kind = ScanKind::location;
        m.code = code;
        return m;
    }
    for (const auto& [prefix, kind] :
         {std::pair{&rules.order_prefix, ScanKind::order}, std::pair{&rules.tote_prefix, ScanKind::tote},
          std::pair{&rules.rma_prefix, ScanKind::rma}, std::pair{&rules.badge_prefix, ScanKind::badge}}) {
        if (has_prefix(code, *prefix)) {
            ScanMeaning m;
            m.kind = kind;
            m.code = code;
            return m;
        }
    }
    // Carriers' numbers come last: our own formats and the catalogue know their codes for sure. A bare
    // "420..." digit string that reads as a USPS IMpb lands here too: only a GS1 symbology identifier
    // (]C1, handled above) makes it a GS1 element string.
    if (auto carrier = carrier_number(code)) {
        if (!carrier->check_ok) {
            return invalid(carrier->reason);
        }
        return tracking(*carrier);
    }
    return invalid("unknown code '" + printable(code) +
                   "': not a GTIN, SSCC, GS1 string, catalogue barcode, location, order, tote, RMA, tracking "
                   "number or command");
}

bool scan_is_verifiable(std::string_view text, const ScanRules& rules, const ScanCatalogue& catalogue) {
    const ScanMeaning m = interpret_scan(text, {}, rules, catalogue);
    switch (m.kind) {
        case ScanKind::invalid:
            return false;
        case ScanKind::product:
            // A GTIN proves itself by its check digit; an internal code by being in the catalogue.
            return all_digits(m.code) || !m.sku.empty();
        case ScanKind::tracking: {
            // A carrier's number proves itself by its check digit; a DHL eCommerce number has none.
            const auto carrier = carrier_number(m.code);
            return carrier && carrier->check_ok && carrier->has_check_digit;
        }
        default:
            return true;
    }
}

nlohmann::json to_json(const ScanEvent& event) {
    nlohmann::json out = {{"station", event.station},
                          {"device", event.device},
                          {"raw", printable(event.raw)},
                          {"symbology", event.symbology},
                          {"kind", to_string(event.meaning.kind)},
                          {"valid", event.meaning.kind != ScanKind::invalid}};
    const ScanMeaning& m = event.meaning;
    if (m.kind == ScanKind::invalid) {
        out["reason"] = m.reason;
    } else {
        out["code"] = printable(m.code);
    }
    if (!m.sku.empty()) {
        out["sku"] = m.sku;
        out["pack_qty"] = m.pack_qty;
    }
    if (!m.note.empty()) {
        out["note"] = m.note;
    }
    if (!event.warning.empty()) {
        out["warning"] = event.warning;
    }
    if (m.gs1) {
        nlohmann::json ais = nlohmann::json::object();
        for (const Gs1Element& e : m.gs1->elements) {
            ais[e.ai] = e.data;
        }
        out["gs1"] = ais;
        const Gs1Fields& f = *m.gs1;
        for (const auto& [key, value] :
             {std::pair{"lot", &f.lot}, std::pair{"serial", &f.serial}, std::pair{"expiry", &f.expiry},
              std::pair{"best_before", &f.best_before}, std::pair{"production_date", &f.production_date}}) {
            if (!value->empty()) {
                out[key] = *value;
            }
        }
        if (f.net_weight_mg) {
            out["net_weight_mg"] = *f.net_weight_mg;
        }
    }
    return out;
}

}  // namespace packd::fulfillment
