#include "packd/fulfillment/inventory/stock_import.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>

#include "packd/fulfillment/inventory/csv.hpp"

namespace packd::fulfillment {
namespace {

constexpr size_t kMaxReportedProblems = 50;

std::string lower_trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return std::string(s);
}

std::optional<int64_t> whole_number(std::string_view s) {
    const std::string t = trimmed(s);
    int64_t v = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size()) {
        return std::nullopt;
    }
    return v;
}

/// Collects problems with line numbers; keeps the report readable for a file with thousands.
class Problems {
  public:
    void add(int line, const std::string& what) {
        ++count_;
        if (items_.size() < kMaxReportedProblems) {
            items_.push_back("line " + std::to_string(line) + ": " + what);
        }
    }
    bool empty() const { return count_ == 0; }
    std::string report(const std::string& what) const {
        std::string out = what + ": " + std::to_string(count_) + (count_ == 1 ? " problem" : " problems") +
                          ", nothing was applied";
        for (const auto& i : items_) {
            out += "\n  " + i;
        }
        if (count_ > items_.size()) {
            out += "\n  ... and " + std::to_string(count_ - items_.size()) + " more";
        }
        return out;
    }

  private:
    std::vector<std::string> items_;
    size_t count_ = 0;
};

/// Maps header names to column indexes.
class Header {
  public:
    explicit Header(const CsvRow& row) {
        for (size_t i = 0; i < row.fields.size(); ++i) {
            index_.emplace(lower_trimmed(row.fields[i]), i);
        }
    }
    std::optional<size_t> find(const std::string& name) const {
        auto it = index_.find(lower_trimmed(name));
        return it == index_.end() ? std::nullopt : std::optional<size_t>(it->second);
    }

  private:
    std::map<std::string, size_t> index_;
};

std::string field(const CsvRow& row, std::optional<size_t> column) {
    if (!column || *column >= row.fields.size()) {
        return {};
    }
    return trimmed(row.fields[*column]);
}

Result<std::vector<CsvRow>> parse_with_header(std::string_view csv, char delimiter) {
    CsvOptions options;
    options.delimiter = delimiter;
    auto rows = parse_csv(csv, options);
    if (!rows) {
        return fail("not a valid CSV file: " + rows.error().message);
    }
    if (rows->empty()) {
        return fail("the file is empty (a header line is expected)");
    }
    return rows;
}

}  // namespace

bool gs1_check_digit_ok(std::string_view digits) {
    if (digits.size() < 8 || digits.size() > 18) {
        return false;
    }
    int sum = 0;
    // Weights 3,1,3,1... from the digit left of the check digit (GS1 General Specifications 7.9.1).
    for (size_t i = 0; i + 1 < digits.size(); ++i) {
        const char c = digits[digits.size() - 2 - i];
        if (c < '0' || c > '9') {
            return false;
        }
        sum += (c - '0') * (i % 2 == 0 ? 3 : 1);
    }
    const char check = digits.back();
    return check >= '0' && check <= '9' && (10 - sum % 10) % 10 == check - '0';
}

Result<ImportSummary> import_stock(Store& store, Inventory& inventory, std::string_view csv,
                                   const StockColumns& columns, StockImportMode mode,
                                   const std::string& reference, const std::string& operator_name) {
    auto rows = parse_with_header(csv, columns.delimiter);
    if (!rows) {
        return rows.error();
    }
    const Header header(rows->front());
    const auto sku_col = header.find(columns.sku);
    const auto qty_col = header.find(columns.quantity);
    const auto loc_col = header.find(columns.location);
    const auto lot_col = header.find(columns.lot);
    const auto exp_col = header.find(columns.expiry);
    std::string missing;
    for (const auto& [col, name] : {std::pair{sku_col, columns.sku}, std::pair{qty_col, columns.quantity},
                                    std::pair{loc_col, columns.location}}) {
        if (!col) {
            missing += (missing.empty() ? "\"" : ", \"") + name + "\"";
        }
    }
    if (!missing.empty()) {
        return fail("line " + std::to_string(rows->front().line) + ": the header has no column " + missing +
                    " (set the names under [import] in packd.toml)");
    }

    Problems problems;
    std::vector<std::pair<Movement, int64_t>> planned;
    std::map<std::string, int> seen;  // count mode: one row per stock row
    for (size_t i = 1; i < rows->size(); ++i) {
        const CsvRow& row = (*rows)[i];
        Movement m;
        m.sku = field(row, sku_col);
        m.location = field(row, loc_col);
        m.lot = field(row, lot_col);
        m.expiry = field(row, exp_col);
        m.reference = reference;
        m.operator_name = operator_name;
        m.reason = mode == StockImportMode::receive ? MovementReason::receive : MovementReason::count;
        const std::string qty_text = field(row, qty_col);
        const auto qty = whole_number(qty_text);
        bool ok = true;
        if (m.sku.empty()) {
            problems.add(row.line, "the SKU is empty");
            ok = false;
        } else if (!inventory.product(m.sku)) {
            problems.add(row.line, "unknown SKU \"" + m.sku.substr(0, 64) + "\"");
            ok = false;
        }
        if (!inventory.location_exists(m.location)) {
            problems.add(row.line, "unknown location \"" + m.location.substr(0, 32) + "\"");
            ok = false;
        }
        if (!qty) {
            problems.add(row.line, "quantity \"" + qty_text.substr(0, 20) + "\" is not a whole number");
            ok = false;
        } else if (mode == StockImportMode::receive && (*qty < 1 || *qty > 10000000)) {
            problems.add(row.line,
                         "a received quantity must be from 1 to 10000000, found " + std::to_string(*qty));
            ok = false;
        } else if (mode == StockImportMode::count && (*qty < 0 || *qty > 10000000)) {
            problems.add(row.line,
                         "a counted quantity must be from 0 to 10000000, found " + std::to_string(*qty));
            ok = false;
        }
        if (m.lot.size() > 20) {
            problems.add(row.line, "lot \"" + m.lot.substr(0, 24) + "...\" is longer than 20 characters");
            ok = false;
        }
        if (!m.expiry.empty()) {
            if (!is_calendar_date(m.expiry)) {
                problems.add(row.line,
                             "expiry \"" + m.expiry.substr(0, 16) + "\" is not a date as YYYY-MM-DD");
                ok = false;
            }
        }
        if (ok && mode == StockImportMode::count) {
            const std::string key = m.sku + '\x1f' + m.location + '\x1f' + m.lot + '\x1f' + m.expiry;
            if (auto [it, fresh] = seen.emplace(key, row.line); !fresh) {
                problems.add(row.line, "counts " + m.sku + " at " + m.location + " again (first on line " +
                                           std::to_string(it->second) + ")");
                ok = false;
            }
        }
        if (ok) {
            planned.emplace_back(std::move(m), *qty);
        }
    }
    if (!problems.empty()) {
        return fail(problems.report("stock import refused"));
    }

    ImportSummary summary;
    try {
        Transaction tx(store.db());
        for (size_t i = 0; i < planned.size(); ++i) {
            auto& [m, qty] = planned[i];
            Result<int64_t> applied = int64_t{0};
            if (mode == StockImportMode::receive) {
                m.delta = qty;
                applied = inventory.record(m);
                summary.units += qty;
                summary.movements += 1;
            } else {
                const int64_t before = inventory.level(m.sku).on_hand;
                applied = inventory.count(m, qty);
                const int64_t diff = inventory.level(m.sku).on_hand - before;
                summary.units += diff;
                summary.movements += diff != 0 ? 1 : 0;
            }
            if (!applied) {
                // Checked above, so this is a rule the pre-check does not know (e.g. a bad date).
                return fail("stock import refused, nothing was applied: line " +
                            std::to_string((*rows)[i + 1].line) + ": " + applied.error().message);
            }
            ++summary.rows;
        }
        tx.commit();
    } catch (const SqliteError& e) {
        return fail(std::string("stock import failed, nothing was applied: ") + e.what());
    }
    return summary;
}

Result<ImportSummary> import_products(Store& store, Inventory& inventory, std::string_view csv,
                                      char delimiter) {
    auto rows = parse_with_header(csv, delimiter);
    if (!rows) {
        return rows.error();
    }
    const Header header(rows->front());
    const auto sku_col = header.find("sku");
    const auto name_col = header.find("name");
    if (!sku_col || !name_col) {
        return fail("line " + std::to_string(rows->front().line) +
                    ": the header needs columns \"sku\" and \"name\"");
    }
    const auto weight_col = header.find("unit_weight_g");
    const auto len_col = header.find("length_mm");
    const auto wid_col = header.find("width_mm");
    const auto hei_col = header.find("height_mm");
    const auto rp_col = header.find("reorder_point");
    const auto rq_col = header.find("reorder_qty");
    const auto codes_col = header.find("barcodes");
    const auto case_col = header.find("case_barcode");
    const auto case_qty_col = header.find("case_qty");

    struct Planned {
        int line;
        Product product;
        std::vector<Barcode> barcodes;
    };
    Problems problems;
    std::vector<Planned> planned;
    std::map<std::string, int> sku_lines;
    std::map<std::string, std::string> code_owner;
    for (size_t i = 1; i < rows->size(); ++i) {
        const CsvRow& row = (*rows)[i];
        Planned p{row.line, {}, {}};
        p.product.sku = field(row, sku_col);
        p.product.name = field(row, name_col);
        const auto number = [&](std::optional<size_t> col, const char* what,
                                int64_t max) -> std::optional<int64_t> {
            const std::string text = field(row, col);
            if (text.empty()) {
                return std::nullopt;
            }
            auto v = whole_number(text);
            if (!v || *v < 0 || *v > max) {
                problems.add(row.line, std::string(what) + " \"" + text.substr(0, 20) +
                                           "\" must be a whole number from 0 to " + std::to_string(max));
                return std::nullopt;
            }
            return v;
        };
        p.product.unit_weight_g = number(weight_col, "unit_weight_g", 1000000).value_or(0);
        p.product.length_mm = number(len_col, "length_mm", 100000);
        p.product.width_mm = number(wid_col, "width_mm", 100000);
        p.product.height_mm = number(hei_col, "height_mm", 100000);
        p.product.reorder_point = number(rp_col, "reorder_point", 10000000).value_or(0);
        p.product.reorder_qty = number(rq_col, "reorder_qty", 10000000).value_or(0);
        if (p.product.sku.empty()) {
            problems.add(row.line, "the SKU is empty");
            continue;
        }
        if (auto [it, fresh] = sku_lines.emplace(p.product.sku, row.line); !fresh) {
            problems.add(row.line, "SKU " + p.product.sku + " appears again (first on line " +
                                       std::to_string(it->second) + ")");
        }
        const auto add_code = [&](const std::string& code, int64_t pack_qty, bool is_case) {
            const bool digits = !code.empty() && std::all_of(code.begin(), code.end(),
                                                             [](char c) { return c >= '0' && c <= '9'; });
            std::string kind = "internal";
            if (digits && (code.size() == 8 || code.size() == 12 || code.size() == 13 || code.size() == 14)) {
                if (!gs1_check_digit_ok(code)) {
                    problems.add(row.line, "barcode " + code + " has a wrong GS1 check digit");
                    return;
                }
                kind = "gtin" + std::to_string(code.size());
            } else if (is_case) {
                problems.add(row.line, "case_barcode " + code.substr(0, 20) + " must be a GTIN-14");
                return;
            }
            if (auto [it, fresh] = code_owner.emplace(code, p.product.sku);
                !fresh && it->second != p.product.sku) {
                problems.add(row.line, "barcode " + code + " is given to " + it->second + " as well");
                return;
            }
            if (auto existing = inventory.barcode(code); existing && existing->sku != p.product.sku) {
                problems.add(row.line, "barcode " + code + " belongs to SKU " + existing->sku + " already");
                return;
            }
            p.barcodes.push_back({code, p.product.sku, kind, pack_qty});
        };
        std::string codes = field(row, codes_col);
        for (size_t pos = 0; pos < codes.size();) {
            size_t end = codes.find(' ', pos);
            if (end == std::string::npos) {
                end = codes.size();
            }
            if (end > pos) {
                add_code(codes.substr(pos, end - pos), 1, false);
            }
            pos = end + 1;
        }
        if (const std::string case_code = field(row, case_col); !case_code.empty()) {
            auto qty = number(case_qty_col, "case_qty", 100000);
            if (!qty || *qty < 1) {
                problems.add(row.line, "case_barcode needs case_qty of at least 1");
            } else {
                add_code(case_code, *qty, true);
            }
        }
        planned.push_back(std::move(p));
    }
    if (!problems.empty()) {
        return fail(problems.report("product import refused"));
    }
    ImportSummary summary;
    try {
        Transaction tx(store.db());
        for (const auto& p : planned) {
            if (auto st = inventory.put_product(p.product); !st) {
                return fail("product import refused, nothing was applied: line " + std::to_string(p.line) +
                            ": " + st.error().message);
            }
            for (const auto& b : p.barcodes) {
                if (auto st = inventory.put_barcode(b); !st) {
                    return fail("product import refused, nothing was applied: line " +
                                std::to_string(p.line) + ": " + st.error().message);
                }
            }
            ++summary.rows;
        }
        tx.commit();
    } catch (const SqliteError& e) {
        return fail(std::string("product import failed, nothing was applied: ") + e.what());
    }
    return summary;
}

std::string export_stock_csv(Inventory& inventory, char delimiter) {
    std::string out =
        csv_line({"sku", "name", "location", "lot", "expiry", "on_hand", "reserved", "available"}, delimiter);
    for (const auto& level : inventory.levels()) {
        if (level.rows.empty()) {
            out += csv_line({level.sku, level.name, "", "", "", "0", std::to_string(level.reserved),
                             std::to_string(level.available)},
                            delimiter);
            continue;
        }
        for (const auto& row : level.rows) {
            out += csv_line(
                {level.sku, level.name, row.location, row.lot, row.expiry, std::to_string(row.on_hand),
                 std::to_string(level.reserved), std::to_string(level.available)},
                delimiter);
        }
    }
    return out;
}

}  // namespace packd::fulfillment
