// The store verbs that only read, for packctl and an operator's screen alike: one order with its timeline and
// labels, what a typed or scanned text names (find), the newest movements of the ledger.

#include "packd/common/text.hpp"
#include "packd/host/store_commands.hpp"

namespace packd::host {

using nlohmann::json;
namespace ful = packd::fulfillment;

namespace {

constexpr size_t kFindMaxBytes = 128;
constexpr int kFindLimit = 20;
constexpr int kMovementsDefault = 50;
constexpr int kMovementsMax = 500;

json refused(const std::string& why) {
    return {{"ok", false}, {"error", why}};
}

std::string text_field(const json& request, const char* key) {
    auto it = request.find(key);
    return it != request.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// Why `text` cannot be looked up, or empty. A scanner's or a copy's surrounding blanks are gone already.
std::string find_refusal(const std::string& text) {
    if (text.empty()) {
        return "find needs a text: a SKU, barcode, location, order id or tracking number";
    }
    if (text.size() > kFindMaxBytes) {
        return "the text to find is " + std::to_string(text.size()) + " bytes; at most " +
               std::to_string(kFindMaxBytes) + " are looked up";
    }
    if (!is_valid_utf8(text)) {
        return "the text to find is not UTF-8";
    }
    for (const char c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            return "the text to find holds a control character";
        }
    }
    return {};
}

std::string trimmed(const std::string& text) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    size_t begin = 0;
    size_t end = text.size();
    while (begin < end && blank(text[begin])) {
        ++begin;
    }
    while (end > begin && blank(text[end - 1])) {
        --end;
    }
    return text.substr(begin, end - begin);
}

json timeline_json(const std::vector<ful::OrderHistoryEntry>& timeline) {
    json out = json::array();
    for (const auto& h : timeline) {
        out.push_back({{"at", h.at_ms},
                       {"state", ful::to_string(h.state)},
                       {"detail", h.detail},
                       {"station", h.station},
                       {"operator", h.operator_name}});
    }
    return out;
}

json labels_json(const std::vector<ful::OrderLabel>& labels) {
    json out = json::array();
    for (const auto& l : labels) {
        json label{{"job", l.job},     {"kind", l.kind},       {"printer", l.printer},
                   {"state", l.state}, {"reprint", l.reprint}, {"created_at", l.created_at}};
        if (!l.done_at.empty()) {
            label["done_at"] = l.done_at;
        }
        if (!l.tracking_number.empty()) {
            label["tracking_number"] = l.tracking_number;
        }
        out.push_back(std::move(label));
    }
    return out;
}

}  // namespace

json StoreCommands::order(const json& request) {
    const std::string id = text_field(request, "id");
    auto d = orders_.detail(id);
    if (!d) {
        return refused("unknown order \"" + printable(id.substr(0, 64)) + "\"");
    }
    auto labels = store_.order_labels(id);
    if (!labels) {
        return refused(labels.error().message);
    }
    json lines = json::array();
    for (const auto& l : d->lines) {
        lines.push_back({{"sku", l.sku}, {"quantity", l.quantity}});
    }
    json reserved = json::array();
    for (const auto& r : d->reserved) {
        reserved.push_back({{"sku", r.sku}, {"quantity", r.quantity}});
    }
    json shipments = json::array();
    for (const auto& s : d->shipments) {
        shipments.push_back(
            {{"carrier", s.carrier}, {"tracking_number", s.tracking_number}, {"weight_g", s.weight_g}});
    }
    return {{"ok", true},
            {"order",
             {{"id", d->row.id},
              {"state", to_string(d->row.state)},
              {"hold_reason", d->hold_reason},
              {"late_cancel_event", d->late_cancel_event},
              {"carrier", d->row.carrier},
              {"service", d->row.service},
              {"created_at", d->row.created_at},
              {"event_id", d->event_id},
              {"source", d->source},
              {"ship_to", json::parse(d->ship_to_json, nullptr, false)},
              {"lines", lines},
              {"reserved", reserved},
              {"shipments", shipments},
              {"timeline", timeline_json(d->timeline)},
              {"labels", labels_json(*labels)}}}};
}

json StoreCommands::find(const json& request) {
    const auto field = request.find("query");
    if (field == request.end() || !field->is_string()) {
        return refused("find needs \"query\": the text to look up");
    }
    const std::string query = trimmed(field->get<std::string>());
    if (const std::string why = find_refusal(query); !why.empty()) {
        return refused(why);
    }
    json products = json::array();
    for (const auto& p : inventory_.find_products(query, kFindLimit)) {
        products.push_back({{"sku", p.sku},
                            {"name", p.name},
                            {"barcodes", p.barcodes},
                            {"on_hand", p.on_hand},
                            {"reserved", p.reserved},
                            {"available", p.available},
                            {"matched", p.matched}});
    }
    json locations = json::array();
    for (const auto& l : inventory_.find_locations(query, kFindLimit)) {
        locations.push_back({{"code", l.code}, {"kind", l.kind}, {"matched", l.matched}});
    }
    json orders = json::array();
    for (const auto& o : orders_.find(query, kFindLimit)) {
        orders.push_back({{"id", o.id},
                          {"state", ful::to_string(o.state)},
                          {"created_at", o.created_at},
                          {"matched", o.matched}});
    }
    return {
        {"ok", true}, {"query", query}, {"products", products}, {"locations", locations}, {"orders", orders}};
}

json StoreCommands::movements(const json& request) {
    ful::LedgerQuery query;
    for (const char* key : {"sku", "location"}) {
        if (auto it = request.find(key); it != request.end() && !it->is_null() && !it->is_string()) {
            return refused(std::string("movements: \"") + key + "\" must be a text");
        }
    }
    query.sku = text_field(request, "sku");
    query.location = text_field(request, "location");
    query.limit = kMovementsDefault;
    if (auto it = request.find("limit"); it != request.end() && !it->is_null()) {
        if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > kMovementsMax) {
            return refused("movements: limit must be a whole number from 1 to " +
                           std::to_string(kMovementsMax));
        }
        query.limit = static_cast<int>(it->get<int64_t>());
    }
    if (!query.sku.empty() && !inventory_.product(query.sku)) {
        return refused("unknown SKU \"" + printable(query.sku.substr(0, 64)) + "\"");
    }
    if (!query.location.empty() && !inventory_.location_exists(query.location)) {
        return refused("unknown location \"" + printable(query.location.substr(0, 64)) + "\"");
    }
    json rows = json::array();
    for (const auto& e : inventory_.ledger(query)) {
        const ful::Movement& m = e.movement;
        rows.push_back({{"id", e.id},
                        {"at", e.at},
                        {"at_ms", e.at_ms},
                        {"sku", m.sku},
                        {"location", m.location},
                        {"delta", m.delta},
                        {"reason", ful::to_string(m.reason)},
                        {"lot", m.lot},
                        {"expiry", m.expiry},
                        {"reference", m.reference},
                        {"station", m.station},
                        {"operator", m.operator_name},
                        {"note", m.note}});
    }
    return {{"ok", true},
            {"sku", query.sku},
            {"location", query.location},
            {"limit", query.limit},
            {"movements", rows}};
}

}  // namespace packd::host
