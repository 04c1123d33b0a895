#include "packd/host/store_commands.hpp"

#include "packd/common/log.hpp"
#include "packd/common/text.hpp"

namespace packd::host {

using nlohmann::json;
namespace ful = packd::fulfillment;

namespace {

json refused(const std::string& why) {
    return {{"ok", false}, {"error", why}};
}

std::string text_field(const json& request, const char* key) {
    auto it = request.find(key);
    return it != request.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json level_json(const ful::StockLevel& l) {
    json rows = json::array();
    for (const auto& r : l.rows) {
        rows.push_back(
            {{"location", r.location}, {"lot", r.lot}, {"expiry", r.expiry}, {"on_hand", r.on_hand}});
    }
    return {{"sku", l.sku},
            {"name", l.name},
            {"on_hand", l.on_hand},
            {"sellable", l.sellable},
            {"reserved", l.reserved},
            {"available", l.available},
            {"reorder_point", l.reorder_point},
            {"rows", rows}};
}

json summary_json(const ful::ImportSummary& s) {
    return {{"ok", true}, {"rows", s.rows}, {"units", s.units}, {"movements", s.movements}};
}

char delimiter_of(const std::string& d) {
    return d.empty() ? ',' : d.front();
}

}  // namespace

StoreCommands::StoreCommands(ful::Store& store, ful::Inventory& inventory, ful::OrderBook& orders)
    : store_(store), inventory_(inventory), orders_(orders) {}

std::optional<json> StoreCommands::handle(const std::string& verb, const json& request) {
    try {
        if (verb == "stock") {
            return stock(request);
        }
        if (verb == "adjust") {
            return adjust(request);
        }
        if (verb == "verify") {
            return verify();
        }
        if (verb == "import_stock") {
            return import_stock(request);
        }
        if (verb == "import_products") {
            return import_products(request);
        }
        if (verb == "export_stock") {
            return export_stock();
        }
        if (verb == "location_add") {
            return add_location(request);
        }
        if (verb == "order") {
            return order(request);
        }
        if (verb == "ship") {
            return ship(request);
        }
        if (verb == "reprint") {
            return reprint(request);
        }
        if (verb == "find") {
            return find(request);
        }
        if (verb == "movements") {
            return movements(request);
        }
    } catch (const ful::SqliteError& e) {
        log::error(verb + ": " + e.what());
        return refused(std::string("store: ") + e.what());
    }
    return std::nullopt;
}

json StoreCommands::stock(const json& request) {
    const std::string sku = text_field(request, "sku");
    if (const std::string location = text_field(request, "location"); !location.empty()) {
        return stock_in_location(location, sku);
    }
    if (!sku.empty()) {
        if (!inventory_.product(sku)) {
            return refused("unknown SKU \"" + sku.substr(0, 64) + "\"");
        }
        return {{"ok", true}, {"stock", json::array({level_json(inventory_.level(sku))})}};
    }
    json all = json::array();
    for (const auto& l : inventory_.levels()) {
        all.push_back(level_json(l));
    }
    return {{"ok", true}, {"stock", all}};
}

json StoreCommands::stock_in_location(const std::string& location, const std::string& sku) {
    const auto kind = inventory_.location_kind(location);
    if (!kind) {
        return refused("unknown location \"" + printable(location.substr(0, 64)) +
                       "\" (codes are exact; packctl find looks them up by their start)");
    }
    json rows = json::array();
    int64_t on_hand = 0;
    for (const auto& r : inventory_.stock_in(location)) {
        if (sku.empty() || r.sku == sku) {
            rows.push_back({{"sku", r.sku},
                            {"name", r.name},
                            {"lot", r.lot},
                            {"expiry", r.expiry},
                            {"on_hand", r.on_hand}});
            on_hand += r.on_hand;
        }
    }
    return {{"ok", true},
            {"location", {{"code", location}, {"kind", *kind}, {"on_hand", on_hand}}},
            {"rows", rows}};
}

json StoreCommands::adjust(const json& request) {
    ful::Movement m;
    m.sku = text_field(request, "sku");
    m.location = text_field(request, "location");
    m.lot = text_field(request, "lot");
    m.expiry = text_field(request, "expiry");
    m.note = text_field(request, "note");
    m.operator_name = text_field(request, "operator");
    m.station = "packctl";
    auto delta = request.find("delta");
    if (delta == request.end() || !delta->is_number_integer()) {
        return refused("adjust needs a whole-number delta");
    }
    m.delta = delta->get<int64_t>();
    const std::string reason = text_field(request, "reason");
    if (!ful::parse_movement_reason(reason.empty() ? "adjust" : reason, m.reason) ||
        m.reason == ful::MovementReason::ship || m.reason == ful::MovementReason::pick) {
        return refused("reason \"" + reason.substr(0, 32) +
                       "\" is not one for a manual adjustment (adjust, receive, count, return, transfer)");
    }
    ful::Transaction tx(store_.db());
    auto id = inventory_.record(m);
    if (!id) {
        return refused(id.error().message);
    }
    tx.commit();
    log::notice("stock adjusted by " + (m.operator_name.empty() ? std::string("packctl") : m.operator_name) +
                ": " + m.sku + " at " + m.location + " " + (m.delta > 0 ? "+" : "") +
                std::to_string(m.delta) + " (" + ful::to_string(m.reason) + ")");
    return {{"ok", true}, {"movement_id", *id}, {"stock", level_json(inventory_.level(m.sku))}};
}

json StoreCommands::verify() {
    const auto report = inventory_.verify();
    return {{"ok", true},
            {"skus", report.skus},
            {"stock_rows", report.stock_rows},
            {"movements", report.movements},
            {"problems", report.problems}};
}

json StoreCommands::import_stock(const json& request) {
    const std::string mode = text_field(request, "mode");
    if (!mode.empty() && mode != "receive" && mode != "count") {
        return refused("mode \"" + mode.substr(0, 16) + "\" must be receive or count");
    }
    ful::StockColumns columns{import_.sku, import_.quantity, import_.location,
                              import_.lot, import_.expiry,   delimiter_of(import_.delimiter)};
    auto summary =
        ful::import_stock(store_, inventory_, text_field(request, "csv"), columns,
                          mode == "count" ? ful::StockImportMode::count : ful::StockImportMode::receive,
                          text_field(request, "reference"), text_field(request, "operator"));
    if (!summary) {
        return refused(summary.error().message);
    }
    log::notice("stock import " + text_field(request, "reference") + ": " + std::to_string(summary->rows) +
                " rows, " + std::to_string(summary->units) + " units");
    return summary_json(*summary);
}

json StoreCommands::import_products(const json& request) {
    auto summary =
        ful::import_products(store_, inventory_, text_field(request, "csv"), delimiter_of(import_.delimiter));
    if (!summary) {
        return refused(summary.error().message);
    }
    log::notice("product import: " + std::to_string(summary->rows) + " products");
    return summary_json(*summary);
}

json StoreCommands::export_stock() {
    return {{"ok", true}, {"csv", ful::export_stock_csv(inventory_, delimiter_of(import_.delimiter))}};
}

json StoreCommands::add_location(const json& request) {
    const std::string kind = text_field(request, "kind");
    ful::Transaction tx(store_.db());
    if (auto st = inventory_.put_location(text_field(request, "code"), kind.empty() ? "bin" : kind); !st) {
        return refused(st.error().message);
    }
    tx.commit();
    return {{"ok", true}};
}

json StoreCommands::ship(const json& request) {
    ful::ShipmentInfo s;
    s.carrier = text_field(request, "carrier");
    s.tracking_number = text_field(request, "tracking_number");
    s.station = "packctl";
    s.operator_name = text_field(request, "operator");
    if (auto w = request.find("weight_g"); w != request.end() && w->is_number_integer()) {
        s.weight_g = w->get<int64_t>();
    }
    const std::string id = text_field(request, "id");
    ful::Transaction tx(store_.db());
    auto shipped = orders_.ship(id, s);
    if (!shipped) {
        return refused(shipped.error().message);
    }
    tx.commit();
    log::notice("order " + id + " shipped by " +
                (s.operator_name.empty() ? std::string("packctl") : s.operator_name));
    return {{"ok", true}, {"shipment_id", *shipped}};
}

json StoreCommands::reprint(const json& request) {
    const std::string order_id = text_field(request, "order");
    std::string kind = text_field(request, "kind");
    if (kind.empty()) {
        kind = "shipping";
    }
    if (order_id.empty()) {
        return refused("reprint needs an order id");
    }
    auto job = store_.print_job_reprint(order_id, kind);
    if (!job) {
        return refused(job.error().message);
    }
    const std::string who = text_field(request, "operator");
    // The operator's request is the only way a label prints twice, so it is always in the journal.
    log::notice("reprint of the " + kind + " label of order " + order_id + " asked by " +
                (who.empty() ? std::string("packctl") : who) + ": job " + std::to_string(job->id) +
                " on printer " + job->printer);
    return {{"ok", true}, {"job_id", job->id}, {"printer", job->printer}, {"kind", kind}};
}

}  // namespace packd::host
