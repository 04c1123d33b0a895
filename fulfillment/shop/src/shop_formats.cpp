#include "packd/fulfillment/shop/shop_formats.hpp"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "packd/common/text.hpp"

namespace packd::fulfillment {
namespace {

using nlohmann::json;

// The limits of docs/mqtt.md, as parse_order_event applies them.
constexpr size_t kMaxText = 200;
constexpr size_t kMaxShort = 64;  // SKU, carrier, service
constexpr size_t kMaxPostalCode = 16;
constexpr size_t kMaxLines = 1000;
constexpr int64_t kMaxQuantity = 1000000;
// A shop's modification time, e.g. "2024-03-05T14:12:09-05:00" (Shopify) or "2024-03-05T19:12:09"
// (WooCommerce, GMT); it becomes part of the event id, so it is kept short and plain.
constexpr size_t kMaxTimestamp = 40;
// How much of a product title an error quotes.
constexpr size_t kMaxQuotedTitle = 60;

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

/// Reads the fields of one JSON object, remembering the first problem (as order_event.cpp does).
class Fields {
  public:
    Fields(const json& object, std::string path) : object_(object), path_(std::move(path)) {}

    /// The value at `key`, or null when it is absent or JSON null: shops send null for empty parts.
    const json* find(const char* key) const {
        auto it = object_.find(key);
        return it == object_.end() || it->is_null() ? nullptr : &*it;
    }

    std::string text(const char* key, bool required, size_t max_len = kMaxText) {
        const std::string where = at(key);
        const json* value = find(key);
        if (value == nullptr) {
            if (required) {
                note(where + " is missing");
            }
            return {};
        }
        std::string s;
        if (value->is_number_integer()) {
            // A bridge may turn a postcode into a number; it is text to us, with the same limits.
            s = value->is_number_unsigned() ? std::to_string(value->get<uint64_t>())
                                            : std::to_string(value->get<int64_t>());
        } else if (value->is_string()) {
            s = value->get<std::string>();
        } else {
            note(where + " must be a string, found " + type_of(*value));
            return {};
        }
        if (required && s.empty()) {
            note(where + " is empty");
        } else if (s.size() > max_len) {
            note(where + " is " + std::to_string(s.size()) + " bytes, at most " + std::to_string(max_len) +
                 " allowed");
        } else if (!is_valid_utf8(s)) {
            note(where + " is not valid UTF-8");
        } else if (s.find('\0') != std::string::npos) {
            note(where + " contains a NUL byte");
        }
        return s;
    }

    /// Optional text that only names something (a carrier, a service): cut to `max_len` bytes rather than
    /// refused, because a long shipping rate title is no reason to leave an order unshipped.
    std::string name_text(const char* key, size_t max_len = kMaxShort) {
        std::string s = text(key, false, SIZE_MAX);
        return cut_utf8(s, max_len);
    }

    const json* child(const char* key, json::value_t type, bool required) {
        const json* value = find(key);
        if (value == nullptr) {
            if (required) {
                note(at(key) + " is missing");
            }
            return nullptr;
        }
        if (value->type() != type) {
            note(at(key) + " must be " + (type == json::value_t::object ? "an object" : "an array") +
                 ", found " + type_of(*value));
            return nullptr;
        }
        return value;
    }

    std::string at(const char* key) const { return path_.empty() ? std::string(key) : path_ + "." + key; }
    const std::string& path() const { return path_; }
    void note(std::string problem) {
        if (problem_.empty()) {
            problem_ = std::move(problem);
        }
    }
    bool ok() const { return problem_.empty(); }
    const std::string& problem() const { return problem_; }

  private:
    const json& object_;
    std::string path_;
    std::string problem_;
};

/// What the MQTT topic says happened. Either shop's spelling is taken for either shop's body: a merchant's
/// bridge may name its topics after one shop while the body comes from the other.
enum class Hint { none, created, cancelled, deleted };

bool topic_ends_with(std::string_view hint, std::string_view topic) {
    if (hint == topic) {
        return true;
    }
    return hint.size() > topic.size() && hint.substr(hint.size() - topic.size()) == topic &&
           hint[hint.size() - topic.size() - 1] == '/';
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

struct AddressKeys {
    const char* object;
    const char* street1;
    const char* street2;
    const char* region;
    const char* postal_code;
    const char* country;
    bool has_full_name;  // Shopify's "name"
};

constexpr AddressKeys kShopifyAddress{"shipping_address", "address1", "address2", "province_code", "zip",
                                      "country_code",     true};
constexpr AddressKeys kWooAddress{"shipping", "address_1", "address_2", "state",
                                  "postcode", "country",   false};

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

Result<OrderEvent> map_shopify_unchecked(const json& doc, std::string_view topic_hint) {
    if (!doc.is_object()) {
        return fail("payload must be a JSON object, found " + type_of(doc));
    }
    Fields top(doc, "");
    OrderEvent ev;
    ev.order_id = read_order_id(top);
    if (!top.ok()) {
        return fail(top.problem());
    }
    const Hint hint = classify(topic_hint);
    const bool cancelled =
        top.find("cancelled_at") != nullptr || hint == Hint::cancelled || hint == Hint::deleted;
    // orders/delete sends {"id": ...} only (Shopify webhook topics); every other body is a whole order.
    std::string version = read_timestamp(top, "updated_at", hint != Hint::deleted);
    if (!top.ok()) {
        return fail(top.problem());
    }
    ev.event_id = "shopify:" + ev.order_id + ":" + (version.empty() ? std::string("deleted") : version);
    if (cancelled) {
        ev.type = "order.cancelled";
        ev.event_id += ":cancelled";
        return ev;
    }
    ev.type = hint == Hint::created ? "order.created" : "order.updated";
    read_lines(top, true, ev.lines);
    if (!top.ok()) {
        return fail(top.problem());
    }
    read_address(top, kShopifyAddress, ev.ship_to);
    if (!top.ok()) {
        return fail(top.problem());
    }
    if (const json* line = first_shipping_line(top)) {
        Fields s(*line, "shipping_lines[0]");
        const std::string source = s.name_text("source");
        ev.carrier = !source.empty() && source != "shopify" ? source : s.name_text("carrier_identifier");
        ev.service = s.name_text("title");
        if (ev.service.empty()) {
            ev.service = s.name_text("code");
        }
        top.note(s.problem());
    }
    if (!top.ok()) {
        return fail(top.problem());
    }
    return ev;
}

bool is_one_of(std::string_view value, std::initializer_list<std::string_view> options) {
    for (std::string_view option : options) {
        if (value == option) {
            return true;
        }
    }
    return false;
}

Result<OrderEvent> map_woocommerce_unchecked(const json& doc, std::string_view topic_hint) {
    if (!doc.is_object()) {
        return fail("payload must be a JSON object, found " + type_of(doc));
    }
    Fields top(doc, "");
    OrderEvent ev;
    ev.order_id = read_order_id(top);
    if (!top.ok()) {
        return fail(top.problem());
    }
    const Hint hint = classify(topic_hint);
    // order.deleted sends {"id": ...} only (WC_Webhook::build_payload); every other body is a whole order.
    const bool whole = hint != Hint::deleted;
    const std::string status = top.text("status", whole, kMaxShort);
    if (!top.ok()) {
        return fail(top.problem());
    }
    // The statuses of the REST API v3 "Orders" page; a refund of the whole order sets "refunded".
    const bool cancelled =
        !whole || hint == Hint::cancelled || is_one_of(status, {"cancelled", "refunded", "failed", "trash"});
    if (!cancelled && is_one_of(status, {"checkout-draft", "auto-draft", "draft"})) {
        // The block checkout saves a draft order while the customer is still typing, and such drafts can
        // reach order webhooks; none of them is an order yet.
        return fail("status \"" + status + "\" is a checkout in progress, not an order to ship");
    }
    std::string version = read_timestamp(top, "date_modified_gmt", whole);
    if (!top.ok()) {
        return fail(top.problem());
    }
    ev.event_id = "woocommerce:" + ev.order_id + ":" + (version.empty() ? std::string("deleted") : version);
    if (cancelled) {
        ev.type = "order.cancelled";
        ev.event_id += ":cancelled";
        return ev;
    }
    ev.type = hint == Hint::created ? "order.created" : "order.updated";
    read_lines(top, false, ev.lines);
    if (!top.ok()) {
        return fail(top.problem());
    }
    read_address(top, kWooAddress, ev.ship_to);
    if (!top.ok()) {
        return fail(top.problem());
    }
    if (const json* line = first_shipping_line(top)) {
        Fields s(*line, "shipping_lines[0]");
        ev.carrier = s.name_text("method_id");
        ev.service = s.name_text("method_title");
        top.note(s.problem());
    }
    if (!top.ok()) {
        return fail(top.problem());
    }
    return ev;
}

bool has_address_1(const json& doc, const char* key) {
    auto it = doc.find(key);
    return it != doc.end() && it->is_object() && it->contains("address_1");
}

/// detect_shop_format, with the reason when the answer is unknown.
ShopFormat detect(const json& doc, std::string* why) {
    if (!doc.is_object()) {
        if (why != nullptr) {
            *why = "it is " + std::string(doc.type_name()) + ", not an object";
        }
        return ShopFormat::unknown;
    }
    if (doc.contains("event_id") && doc.contains("order")) {
        return ShopFormat::canonical;
    }
    if (doc.contains("line_items")) {
        const bool shopify = doc.contains("admin_graphql_api_id") || doc.contains("financial_status") ||
                             doc.contains("order_number");
        const bool woo =
            doc.contains("order_key") || has_address_1(doc, "billing") || has_address_1(doc, "shipping");
        if (shopify && !woo) {
            return ShopFormat::shopify;
        }
        if (woo && !shopify) {
            return ShopFormat::woocommerce;
        }
        if (why != nullptr) {
            *why = std::string("it has \"line_items\" and ") +
                   (shopify
                        ? "keys of both Shopify and WooCommerce"
                        : "neither Shopify's keys (admin_graphql_api_id, financial_status, order_number) nor "
                          "WooCommerce's (order_key, billing or shipping with address_1)");
        }
        return ShopFormat::unknown;
    }
    if (doc.contains("event_id") || doc.contains("type") || doc.contains("order")) {
        return ShopFormat::canonical;
    }
    if (why != nullptr) {
        *why = "it has neither \"event_id\" and \"order\" nor \"line_items\"";
    }
    return ShopFormat::unknown;
}

Result<OrderEvent> parse_inbound_unchecked(std::string_view payload, size_t max_bytes,
                                           std::string_view topic_hint, ShopFormat& format) {
    format = ShopFormat::unknown;
    auto parsed = parse_json_object(payload, max_bytes);
    if (!parsed) {
        return parsed.error();
    }
    const json& doc = *parsed;
    std::string why;
    format = detect(doc, &why);
    if (format == ShopFormat::unknown && classify(topic_hint) == Hint::deleted && doc.contains("id") &&
        !doc.contains("line_items")) {
        // A delete body is only {"id": ...}: the topic says which shop sent it.
        format = topic_ends_with(topic_hint, "order.deleted") ? ShopFormat::woocommerce : ShopFormat::shopify;
    }
    switch (format) {
        case ShopFormat::canonical:
            return parse_order_document(doc);
        case ShopFormat::shopify:
            return map_shopify_unchecked(doc, topic_hint);
        case ShopFormat::woocommerce:
            return map_woocommerce_unchecked(doc, topic_hint);
        case ShopFormat::unknown:
            break;
    }
    return fail("payload is neither packd's order JSON nor a Shopify or WooCommerce order: " + why);
}

/// Reasons quote the payload; they are logged and published, so they carry no raw bytes.
Result<OrderEvent> made_safe(Result<OrderEvent> result) {
    if (!result) {
        return fail(printable(result.error().message));
    }
    return result;
}

}  // namespace

const char* to_string(ShopFormat format) {
    switch (format) {
        case ShopFormat::canonical:
            return "canonical";
        case ShopFormat::shopify:
            return "shopify";
        case ShopFormat::woocommerce:
            return "woocommerce";
        case ShopFormat::unknown:
            break;
    }
    return "unknown";
}

ShopFormat detect_shop_format(const nlohmann::json& doc) {
    return detect(doc, nullptr);
}

Result<OrderEvent> map_shopify_order(const nlohmann::json& doc, std::string_view topic_hint) {
    return made_safe(map_shopify_unchecked(doc, topic_hint));
}

Result<OrderEvent> map_woocommerce_order(const nlohmann::json& doc, std::string_view topic_hint) {
    return made_safe(map_woocommerce_unchecked(doc, topic_hint));
}

Result<OrderEvent> parse_inbound_order(std::string_view payload, size_t max_bytes,
                                       std::string_view topic_hint, ShopFormat* detected) {
    ShopFormat format = ShopFormat::unknown;
    auto parsed = made_safe(parse_inbound_unchecked(payload, max_bytes, topic_hint, format));
    if (detected != nullptr) {
        *detected = format;
    }
    return parsed;
}

}  // namespace packd::fulfillment
