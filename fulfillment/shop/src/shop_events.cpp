#include "packd/fulfillment/shop/shop_events.hpp"

#include <nlohmann/json.hpp>

#include "packd/common/text.hpp"
#include "packd/fulfillment/orders/order_event.hpp"

namespace packd::fulfillment {
namespace {

using nlohmann::json;

constexpr int64_t kMaxUnits = 1'000'000;

/// A text field: absent is empty when optional; present must be a string within `max_len`.
Result<std::string> text(const json& doc, const char* key, bool required, size_t max_len) {
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) {
        if (required) {
            return fail(std::string(key) + " is missing");
        }
        return std::string();
    }
    if (!it->is_string()) {
        return fail(std::string(key) + " must be a string");
    }
    std::string value = it->get<std::string>();
    if (required && value.empty()) {
        return fail(std::string(key) + " is empty");
    }
    if (value.size() > max_len || !is_valid_utf8(value)) {
        return fail(std::string(key) + " must be UTF-8 text of at most " + std::to_string(max_len) +
                    " bytes");
    }
    return value;
}

Result<int64_t> units(const json& doc, const char* key, int64_t min) {
    auto it = doc.find(key);
    if (it == doc.end()) {
        return fail(std::string(key) + " is missing");
    }
    if (!it->is_number_integer()) {
        return fail(std::string(key) + " must be a whole number");
    }
    const auto value = it->get<int64_t>();
    if (value < min || value > kMaxUnits || value < -kMaxUnits) {
        return fail(std::string(key) + " must be from " + std::to_string(min < 0 ? -kMaxUnits : min) +
                    " to " + std::to_string(kMaxUnits));
    }
    return value;
}

bool is_date(const std::string& s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') {
        return false;
    }
    for (const size_t i : {0U, 1U, 2U, 3U, 5U, 6U, 8U, 9U}) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    const int month = std::stoi(s.substr(5, 2));
    const int day = std::stoi(s.substr(8, 2));
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/// "lines": 1 to 1000 objects of a SKU and a quantity of at least one.
Result<std::vector<OrderQuantity>> read_lines(const json& doc) {
    std::vector<OrderQuantity> out;
    auto lines = doc.find("lines");
    if (lines == doc.end() || !lines->is_array() || lines->empty() || lines->size() > 1000) {
        return fail("lines must be an array of 1 to 1000 lines");
    }
    for (size_t i = 0; i < lines->size(); ++i) {
        const json& line = (*lines)[i];
        const std::string where = "lines[" + std::to_string(i) + "]";
        if (!line.is_object()) {
            return fail(where + " must be an object");
        }
        auto sku = text(line, "sku", true, 64);
        if (!sku) {
            return fail(where + "." + sku.error().message);
        }
        auto quantity = units(line, "quantity", 1);
        if (!quantity) {
            return fail(where + "." + quantity.error().message);
        }
        out.push_back({*sku, *quantity});
    }
    return out;
}

}  // namespace

Result<StockEvent> parse_stock_event(std::string_view payload, size_t max_bytes) {
    auto parsed = parse_json_object(payload, max_bytes);
    if (!parsed) {
        return parsed.error();
    }
    const json& doc = *parsed;
    StockEvent ev;
    auto event_id = text(doc, "event_id", true, 128);
    if (!event_id) {
        return event_id.error();
    }
    ev.event_id = *event_id;
    auto type = text(doc, "type", true, 32);
    if (!type) {
        return type.error();
    }
    ev.type = *type;
    if (ev.type != "stock.adjusted" && ev.type != "stock.counted") {
        return fail("type \"" + printable(ev.type) +
                    "\" is not a stock event (stock.adjusted, stock.counted)");
    }
    Movement& m = ev.movement;
    for (auto [key, field, required, max_len] :
         {std::tuple{"sku", &m.sku, true, size_t{64}}, std::tuple{"location", &m.location, true, size_t{64}},
          std::tuple{"lot", &m.lot, false, size_t{64}}, std::tuple{"expiry", &m.expiry, false, size_t{10}},
          std::tuple{"note", &m.note, false, size_t{500}}}) {
        auto value = text(doc, key, required, max_len);
        if (!value) {
            return value.error();
        }
        *field = std::move(*value);
    }
    if (!m.expiry.empty() && !is_date(m.expiry)) {
        return fail("expiry must be a date as YYYY-MM-DD");
    }
    if (ev.type == "stock.adjusted") {
        auto delta = units(doc, "delta", -kMaxUnits);
        if (!delta) {
            return delta.error();
        }
        if (*delta == 0) {
            return fail("delta must not be 0");
        }
        m.delta = *delta;
        auto reason = text(doc, "reason", false, 16);
        if (!reason) {
            return reason.error();
        }
        const std::string r = reason->empty() ? "adjust" : *reason;
        if (!parse_movement_reason(r, m.reason) || m.reason == MovementReason::ship ||
            m.reason == MovementReason::pick || m.reason == MovementReason::count) {
            return fail("reason \"" + printable(r) +
                        "\" is not one for a correction (adjust, receive, return, transfer)");
        }
    } else {
        auto counted = units(doc, "quantity", 0);
        if (!counted) {
            return counted.error();
        }
        ev.counted = *counted;
        m.reason = MovementReason::count;
    }
    m.reference = ev.event_id;
    m.station = "shop";
    return ev;
}

Result<ReturnEvent> parse_return_event(std::string_view payload, size_t max_bytes) {
    auto parsed = parse_json_object(payload, max_bytes);
    if (!parsed) {
        return parsed.error();
    }
    const json& doc = *parsed;
    ReturnEvent ev;
    for (auto [key, field, required, max_len] :
         {std::tuple{"event_id", &ev.event_id, true, size_t{128}},
          std::tuple{"type", &ev.type, true, size_t{32}}, std::tuple{"rma", &ev.rma, true, size_t{64}}}) {
        auto value = text(doc, key, required, max_len);
        if (!value) {
            return value.error();
        }
        *field = std::move(*value);
    }
    if (!is_safe_id(ev.rma)) {
        return fail("rma may hold only letters, digits, '-', '_' and '.'");
    }
    if (ev.type == "return.approved") {
        for (auto [key, field] :
             {std::pair{"carrier", &ev.carrier}, std::pair{"tracking_number", &ev.tracking_number}}) {
            auto value = text(doc, key, false, 64);
            if (!value) {
                return value.error();
            }
            *field = std::move(*value);
        }
        return ev;
    }
    if (ev.type != "return.requested") {
        return fail("type \"" + printable(ev.type) +
                    "\" is not a return event (return.requested, return.approved)");
    }
    auto order_id = text(doc, "order_id", true, 64);
    if (!order_id) {
        return order_id.error();
    }
    ev.order_id = *order_id;
    auto lines = read_lines(doc);
    if (!lines) {
        return lines.error();
    }
    ev.lines = std::move(*lines);
    return ev;
}

Result<ReceiptEvent> parse_receipt_event(std::string_view payload, size_t max_bytes) {
    auto parsed = parse_json_object(payload, max_bytes);
    if (!parsed) {
        return parsed.error();
    }
    const json& doc = *parsed;
    ReceiptEvent ev;
    for (auto [key, field, required, max_len] : {std::tuple{"event_id", &ev.event_id, true, size_t{128}},
                                                 std::tuple{"type", &ev.type, true, size_t{32}},
                                                 std::tuple{"receipt", &ev.receipt, true, size_t{64}},
                                                 std::tuple{"supplier", &ev.supplier, false, size_t{128}}}) {
        auto value = text(doc, key, required, max_len);
        if (!value) {
            return value.error();
        }
        *field = std::move(*value);
    }
    if (!is_safe_id(ev.receipt)) {
        return fail("receipt may hold only letters, digits, '-', '_' and '.'");
    }
    if (ev.type == "receipt.cancelled") {
        return ev;
    }
    if (ev.type != "receipt.expected") {
        return fail("type \"" + printable(ev.type) +
                    "\" is not a receipt event (receipt.expected, receipt.cancelled)");
    }
    auto lines = read_lines(doc);
    if (!lines) {
        return lines.error();
    }
    ev.lines = std::move(*lines);
    return ev;
}

Result<LabelEvent> parse_label_event(std::string_view payload, size_t max_bytes) {
    auto parsed = parse_json_object(payload, max_bytes);
    if (!parsed) {
        return parsed.error();
    }
    const json& doc = *parsed;
    LabelEvent ev;
    std::string format;
    for (auto [key, field, required, max_len] :
         {std::tuple{"event_id", &ev.event_id, true, size_t{128}},
          std::tuple{"order_id", &ev.order_id, true, size_t{64}},
          std::tuple{"format", &format, true, size_t{8}},
          std::tuple{"carrier", &ev.carrier, false, size_t{64}},
          std::tuple{"tracking_number", &ev.tracking_number, false, size_t{64}}}) {
        auto value = text(doc, key, required, max_len);
        if (!value) {
            return value.error();
        }
        *field = std::move(*value);
    }
    auto kind = parse_supplied_label_format(format);
    if (!kind) {
        return fail("format: " + kind.error().message);
    }
    ev.format = *kind;
    auto data = doc.find("data_base64");
    if (data == doc.end() || !data->is_string() || data->get_ref<const std::string&>().empty()) {
        return fail("data_base64 must be the label's bytes as base64 text");
    }
    auto bytes = base64_decode(data->get_ref<const std::string&>());
    if (!bytes) {
        return fail("data_base64: " + bytes.error().message);
    }
    ev.data = std::move(*bytes);
    return ev;
}

Result<OperatorCommand> parse_operator_command(std::string_view payload, size_t max_bytes) {
    auto parsed = parse_json_object(payload, max_bytes);
    if (!parsed) {
        return parsed.error();
    }
    const json& doc = *parsed;
    OperatorCommand cmd;
    for (auto [key, field, required, max_len] : {std::tuple{"event_id", &cmd.event_id, true, size_t{128}},
                                                 std::tuple{"command", &cmd.command, true, size_t{32}},
                                                 std::tuple{"order_id", &cmd.order_id, false, size_t{64}},
                                                 std::tuple{"sku", &cmd.sku, false, size_t{64}},
                                                 std::tuple{"reason", &cmd.reason, false, size_t{200}}}) {
        auto value = text(doc, key, required, max_len);
        if (!value) {
            return value.error();
        }
        *field = std::move(*value);
    }
    if (cmd.command == "reprint") {
        if (cmd.order_id.empty()) {
            return fail("order_id is missing: reprint needs the order whose label to print again");
        }
        return cmd;
    }
    if (cmd.command == "recount") {
        return cmd;
    }
    return fail("command \"" + printable(cmd.command) + "\" is not one packd takes (reprint, recount)");
}

}  // namespace packd::fulfillment
