// packctl: orders, stock and the look-ups (find, movements) as an operator reads them.

#include <iostream>

#include "packctl_print.hpp"

namespace packd::host::packctl::print {

using nlohmann::json;

namespace {

/// " (pack1, alice)": who moved something, when the answer says.
std::string by_whom(const json& j) {
    const std::string station = text(j, "station");
    const std::string who = text(j, "operator");
    if (station.empty() && who.empty()) {
        return "";
    }
    return " (" + station + (station.empty() || who.empty() ? "" : ", ") + who + ")";
}

std::string lot_and_expiry(const json& j) {
    std::string out;
    if (!text(j, "lot").empty()) {
        out += " lot " + text(j, "lot");
    }
    if (!text(j, "expiry").empty()) {
        out += " exp " + text(j, "expiry");
    }
    return out;
}

/// `word` and blanks up to `width`, so the columns after it line up.
std::string padded(const std::string& word, size_t width) {
    return word.size() >= width ? word + " " : word + std::string(width - word.size(), ' ');
}

}  // namespace

void print_orders(const json& orders) {
    if (orders.empty()) {
        std::cout << "no orders\n";
        return;
    }
    for (const auto& o : orders) {
        std::cout << text(o, "id") << "  " << text(o, "state") << "  " << text(o, "lines") << " lines  "
                  << text(o, "carrier") << " " << text(o, "service") << "  " << text(o, "created_at") << "\n";
    }
}

void print_stock(const json& levels) {
    for (const auto& l : levels) {
        std::cout << text(l, "sku") << "  " << text(l, "name") << "\n  on hand " << text(l, "on_hand")
                  << ", reserved " << text(l, "reserved") << ", available " << text(l, "available");
        if (l.value("reorder_point", int64_t{0}) > 0) {
            std::cout << " (reorder point " << text(l, "reorder_point") << ")";
        }
        std::cout << "\n";
        for (const auto& r : l.value("rows", json::array())) {
            std::cout << "    " << text(r, "location") << lot_and_expiry(r) << ": " << text(r, "on_hand")
                      << "\n";
        }
    }
}

void print_location_stock(const json& answer) {
    const json location = answer.value("location", json::object());
    const json rows = answer.value("rows", json::array());
    std::cout << text(location, "code") << " (" << text(location, "kind")
              << "): " << text(location, "on_hand") << " on hand\n";
    if (rows.empty()) {
        std::cout << "  nothing in stock here\n";
    }
    for (const auto& r : rows) {
        std::cout << "  " << text(r, "sku") << "  " << text(r, "name") << lot_and_expiry(r) << ": "
                  << text(r, "on_hand") << "\n";
    }
}

void print_order(const json& o) {
    std::cout << "order " << text(o, "id") << ": " << text(o, "state");
    if (!text(o, "hold_reason").empty()) {
        std::cout << " (" << text(o, "hold_reason") << ")";
    }
    std::cout << "\n  " << text(o, "carrier") << " " << text(o, "service") << ", received "
              << text(o, "created_at") << " (event " << text(o, "event_id") << ", " << text(o, "source")
              << ")\n";
    if (!text(o, "late_cancel_event").empty()) {
        std::cout << "  a cancel arrived after shipping (event " << text(o, "late_cancel_event")
                  << "): recorded, not applied\n";
    }
    for (const auto& l : o.value("lines", json::array())) {
        std::cout << "  line " << text(l, "sku") << " x " << text(l, "quantity") << "\n";
    }
    for (const auto& r : o.value("reserved", json::array())) {
        std::cout << "  reserved " << text(r, "sku") << " x " << text(r, "quantity") << "\n";
    }
    for (const auto& sh : o.value("shipments", json::array())) {
        std::cout << "  shipped " << text(sh, "carrier") << " " << text(sh, "tracking_number") << ", "
                  << text(sh, "weight_g") << " g\n";
    }
    const json labels = o.value("labels", json::array());
    if (!labels.empty()) {
        std::cout << "labels:\n";
    }
    for (const auto& l : labels) {
        std::cout << "  job " << text(l, "job") << "  " << padded(text(l, "kind"), 9)
                  << padded(text(l, "state"), 10) << "printer " << text(l, "printer");
        if (!text(l, "tracking_number").empty()) {
            std::cout << "  tracking " << text(l, "tracking_number");
        }
        std::cout << (l.value("reprint", false) ? "  (reprint)" : "") << "\n";
    }
    const json timeline = o.value("timeline", json::array());
    if (!timeline.empty()) {
        std::cout << "timeline:\n";
    }
    for (const auto& h : timeline) {
        const std::string who = by_whom(h);
        const std::string rest =
            text(h, "detail").empty() ? (who.empty() ? "" : who.substr(1)) : text(h, "detail") + who;
        std::cout << "  " << local_time(h.value("at", int64_t{0})) << "  "
                  << (rest.empty() ? text(h, "state") : padded(text(h, "state"), 10) + rest) << "\n";
    }
}

int print_found(const json& answer) {
    const json products = answer.value("products", json::array());
    const json locations = answer.value("locations", json::array());
    const json orders = answer.value("orders", json::array());
    if (products.empty() && locations.empty() && orders.empty()) {
        std::cout << "nothing matches \"" << text(answer, "query") << "\"\n";
        return 1;
    }
    for (const auto& p : products) {
        std::cout << "product   " << text(p, "sku") << "  " << text(p, "name") << "\n          on hand "
                  << text(p, "on_hand") << ", reserved " << text(p, "reserved") << ", available "
                  << text(p, "available");
        std::string codes;
        for (const auto& code : p.value("barcodes", json::array())) {
            codes += (codes.empty() ? "" : " ") + (code.is_string() ? code.get<std::string>() : code.dump());
        }
        std::cout << (codes.empty() ? "" : "; barcodes " + codes) << "\n";
    }
    for (const auto& l : locations) {
        std::cout << "location  " << text(l, "code") << " (" << text(l, "kind") << ")\n";
    }
    for (const auto& o : orders) {
        std::cout << "order     " << text(o, "id") << "  " << text(o, "state") << ", received "
                  << text(o, "created_at") << "\n";
    }
    return 0;
}

void print_movements(const json& movements) {
    if (movements.empty()) {
        std::cout << "no movements\n";
    }
    for (const auto& m : movements) {
        const int64_t delta = m.value("delta", int64_t{0});
        std::cout << "#" << text(m, "id") << "  " << local_time(m.value("at_ms", int64_t{0})) << "  "
                  << text(m, "sku") << " at " << text(m, "location") << lot_and_expiry(m) << "  "
                  << (delta > 0 ? "+" : "") << delta << " " << text(m, "reason");
        if (!text(m, "reference").empty()) {
            std::cout << "  ref " << text(m, "reference");
        }
        std::cout << by_whom(m);
        if (!text(m, "note").empty()) {
            std::cout << "  \"" << text(m, "note") << "\"";
        }
        std::cout << "\n";
    }
}

}  // namespace packd::host::packctl::print
