// The field readers both shops' order mappings use.

#include "shop_fields.hpp"

namespace packd::fulfillment::shop_fields {

bool topic_ends_with(std::string_view hint, std::string_view topic) {
    if (hint == topic) {
        return true;
    }
    return hint.size() > topic.size() && hint.substr(hint.size() - topic.size()) == topic &&
           hint[hint.size() - topic.size() - 1] == '/';
}

/// At most `max_len` bytes of `s`, cut before a UTF-8 sequence rather than inside one.
std::string cut_utf8(std::string_view s, size_t max_len) {
    if (s.size() <= max_len) {
        return std::string(s);
    }
    size_t end = max_len;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) {
        --end;
    }
    return std::string(s.substr(0, end));
}

std::string type_of(const json& value) {
    return value.type_name();
}

Hint classify(std::string_view hint) {
    if (topic_ends_with(hint, "orders/create") || topic_ends_with(hint, "order.created")) {
        return Hint::created;
    }
    if (topic_ends_with(hint, "orders/cancelled")) {
        return Hint::cancelled;
    }
    if (topic_ends_with(hint, "orders/delete") || topic_ends_with(hint, "order.deleted")) {
        return Hint::deleted;
    }
    return Hint::none;  // orders/updated, order.updated, orders/paid, ... or nothing
}

/// The shop's order id: a positive whole number (or a string of one), as text.
std::string read_order_id(Fields& top) {
    const json* id = top.find("id");
    if (id == nullptr) {
        top.note("id is missing");
        return {};
    }
    if (id->is_number_unsigned() && id->get<uint64_t>() > 0) {
        return std::to_string(id->get<uint64_t>());
    }
    if (id->is_number_integer() && !id->is_number_unsigned() && id->get<int64_t>() > 0) {
        return std::to_string(id->get<int64_t>());  // built in code rather than parsed
    }
    if (id->is_string()) {
        const auto& s = id->get_ref<const std::string&>();
        bool digits = !s.empty() && s.size() <= 20 && s.front() != '0';
        for (char c : s) {
            digits = digits && c >= '0' && c <= '9';
        }
        if (digits) {
            return s;
        }
        top.note("id \"" + cut_utf8(s, kMaxShort) + "\" must be a positive whole number");
        return {};
    }
    top.note("id must be a positive whole number, found " +
             (id->is_number() ? id->dump() : std::string(id->type_name())));
    return {};
}

/// The shop's modification time, checked to be a plain date and time; empty when absent and not required.
std::string read_timestamp(Fields& top, const char* key, bool required) {
    if (const json* raw = top.find(key); raw != nullptr && !raw->is_string()) {
        top.note(std::string(key) + " must be a string, found " + type_of(*raw));
        return {};
    }
    std::string value = top.text(key, required, kMaxTimestamp);
    if (!top.ok() || value.empty()) {
        return {};
    }
    bool plain = value.front() >= '0' && value.front() <= '9';
    for (char c : value) {
        plain = plain && ((c >= '0' && c <= '9') || c == '-' || c == ':' || c == '+' || c == '.' ||
                          c == 'T' || c == 'Z' || c == ' ');
    }
    if (!plain) {
        top.note(std::string(key) + " \"" + value + "\" is not a date and time");
        return {};
    }
    return value;
}

/// Shop line items -> order lines. Shopify lines that need no shipping are left out (requires_shipping is
/// false for gift cards and digital goods), and so are lines of either shop with quantity 0.
void read_lines(Fields& top, bool shopify, std::vector<OrderLine>& out) {
    const json* items = top.child("line_items", json::value_t::array, true);
    if (items == nullptr) {
        return;
    }
    if (items->empty()) {
        top.note("line_items is empty");
        return;
    }
    if (items->size() > kMaxLines) {
        top.note("line_items has " + std::to_string(items->size()) + " lines, at most " +
                 std::to_string(kMaxLines) + " allowed");
        return;
    }
    size_t n = 0;
    for (const auto& item : *items) {
        const std::string path = "line_items[" + std::to_string(n++) + "]";
        if (!item.is_object()) {
            top.note(path + " must be an object");
            return;
        }
        Fields line(item, path);
        if (shopify) {
            if (const json* ships = line.find("requires_shipping")) {
                if (!ships->is_boolean()) {
                    top.note(path + ".requires_shipping must be true or false, found " + type_of(*ships));
                    return;
                }
                if (!ships->get<bool>()) {
                    continue;
                }
            }
        }
        const json* quantity = line.find("quantity");
        if (quantity == nullptr || !quantity->is_number_integer()) {
            top.note(path + ".quantity must be a whole number");
            return;
        }
        const bool in_range = quantity->is_number_unsigned()
                                  ? quantity->get<uint64_t>() <= static_cast<uint64_t>(kMaxQuantity)
                                  : quantity->get<int64_t>() >= 0 && quantity->get<int64_t>() <= kMaxQuantity;
        if (!in_range) {
            top.note(path + ".quantity must be from 0 to " + std::to_string(kMaxQuantity));
            return;
        }
        if (quantity->get<int64_t>() == 0) {
            continue;
        }
        OrderLine ol;
        ol.sku = line.text("sku", false, kMaxShort);
        if (!line.ok()) {
            top.note(line.problem());
            return;
        }
        if (ol.sku.empty()) {
            // The title says which line it is to the merchant; Shopify calls it title, WooCommerce name.
            const json* title = line.find(shopify ? "title" : "name");
            if (title == nullptr && shopify) {
                title = line.find("name");
            }
            if (title != nullptr && title->is_string() && !title->get_ref<const std::string&>().empty()) {
                top.note(path + " (\"" + cut_utf8(title->get_ref<const std::string&>(), kMaxQuotedTitle) +
                         "\") has no SKU");
            } else {
                top.note(path + " has no SKU");
            }
            return;
        }
        ol.quantity = quantity->get<int64_t>();
        out.push_back(std::move(ol));
    }
    if (out.empty()) {
        top.note(shopify ? "line_items has no line to ship (each needs no shipping or has quantity 0)"
                         : "line_items has no line to ship (each has quantity 0)");
    }
}

void read_address(Fields& top, const AddressKeys& keys, Address& out) {
    const json* object = top.child(keys.object, json::value_t::object, true);
    if (object == nullptr) {
        return;
    }
    Fields a(*object, keys.object);
    const std::string first = a.text("first_name", false);
    const std::string last = a.text("last_name", false);
    const std::string full = keys.has_full_name ? a.text("name", false) : std::string();
    out.company = a.text("company", false);
    out.name = first.empty() || last.empty() ? first + last : first + " " + last;
    if (out.name.empty()) {
        out.name = full;
    }
    if (a.ok() && out.name.empty()) {
        if (!out.company.empty()) {
            out.name = std::move(out.company);  // a business address with nobody named
            out.company.clear();
        } else {
            a.note(std::string(keys.object) + " has no name (first_name, last_name" +
                   (keys.has_full_name ? ", name" : "") + " or company)");
        }
    } else if (a.ok() && out.name.size() > kMaxText) {
        a.note(std::string(keys.object) + " name is " + std::to_string(out.name.size()) + " bytes, at most " +
               std::to_string(kMaxText) + " allowed");
    }
    out.street1 = a.text(keys.street1, true);
    out.street2 = a.text(keys.street2, false);
    out.city = a.text("city", true);
    out.region = a.text(keys.region, false);
    out.postal_code = a.text(keys.postal_code, true, kMaxPostalCode);
    std::string country = a.text(keys.country, true, kMaxShort);
    if (a.ok()) {
        const bool letters =
            country.size() == 2 &&
            ((country[0] >= 'A' && country[0] <= 'Z') || (country[0] >= 'a' && country[0] <= 'z')) &&
            ((country[1] >= 'A' && country[1] <= 'Z') || (country[1] >= 'a' && country[1] <= 'z'));
        if (!letters) {
            a.note(a.at(keys.country) + " \"" + country + "\" must be a two-letter ISO 3166-1 code");
        }
        for (char& c : country) {
            if (c >= 'a' && c <= 'z') {
                c = static_cast<char>(c - 'a' + 'A');
            }
        }
    }
    out.country = std::move(country);
    top.note(a.problem());
}

void read_order_body(Fields& top, std::string_view shop, const std::string& version, bool cancelled,
                     Hint hint, bool shopify, const AddressKeys& address, OrderEvent& ev) {
    ev.event_id =
        std::string(shop) + ":" + ev.order_id + ":" + (version.empty() ? std::string("deleted") : version);
    if (cancelled) {
        ev.type = OrderEventType::cancelled;
        ev.event_id += ":cancelled";
        return;
    }
    ev.type = hint == Hint::created ? OrderEventType::created : OrderEventType::updated;
    read_lines(top, shopify, ev.lines);
    if (!top.ok()) {
        return;
    }
    read_address(top, address, ev.ship_to);
}

/// The first shipping line, if the order has one; the shop's choice of carrier and service is there.
const json* first_shipping_line(Fields& top) {
    const json* lines = top.child("shipping_lines", json::value_t::array, false);
    if (lines == nullptr || lines->empty()) {
        return nullptr;
    }
    const json& first = lines->front();
    if (!first.is_object()) {
        top.note("shipping_lines[0] must be an object");
        return nullptr;
    }
    return &first;
}

bool is_one_of(std::string_view value, std::initializer_list<std::string_view> options) {
    for (std::string_view option : options) {
        if (value == option) {
            return true;
        }
    }
    return false;
}

/// Reasons quote the payload; they are logged and published, so they carry no raw bytes.
Result<OrderEvent> made_safe(Result<OrderEvent> result) {
    if (!result) {
        return fail(printable(result.error().message));
    }
    return result;
}

}  // namespace packd::fulfillment::shop_fields
