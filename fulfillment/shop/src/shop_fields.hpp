#pragma once
// The field readers the shop order mappings share (shopify_order.cpp, woocommerce_order.cpp,
// shop_formats.cpp): limits, one JSON object's fields with the first problem kept, order ids, times, lines
// and addresses. Private to the shop area.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "packd/common/result.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/orders/order_event.hpp"

namespace packd::fulfillment::shop_fields {

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
std::string cut_utf8(std::string_view s, size_t max_len);

std::string type_of(const json& value);

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

struct AddressKeys {
    const char* object;
    const char* street1;
    const char* street2;
    const char* region;
    const char* postal_code;
    const char* country;
    bool has_full_name;  // Shopify's "name"
};

inline constexpr AddressKeys kShopifyAddress{
    "shipping_address", "address1", "address2", "province_code", "zip", "country_code", true};
inline constexpr AddressKeys kWooAddress{"shipping", "address_1", "address_2", "state",
                                         "postcode", "country",   false};

/// True when the topic `hint` is `topic` or ends in "/" + `topic`.
bool topic_ends_with(std::string_view hint, std::string_view topic);

Hint classify(std::string_view hint);

/// The shop's order id: a positive whole number (or a string of one), as text.
std::string read_order_id(Fields& top);

/// The shop's modification time, checked to be a plain date and time; empty when absent and not required.
std::string read_timestamp(Fields& top, const char* key, bool required);

/// Shop line items -> order lines. Shopify lines that need no shipping are left out (requires_shipping is
/// false for gift cards and digital goods), and so are lines of either shop with quantity 0.
void read_lines(Fields& top, bool shopify, std::vector<OrderLine>& out);

void read_address(Fields& top, const AddressKeys& keys, Address& out);

/// What both shops' mappings do once the order id, its version and whether it is cancelled are read: the
/// event id ("<shop>:<id>:<version>", ":cancelled" for a cancel) and type, and for an order that stands its
/// lines (`shopify`: Shopify's line rules) and shipping address. The first problem is noted in `top`.
void read_order_body(Fields& top, std::string_view shop, const std::string& version, bool cancelled,
                     Hint hint, bool shopify, const AddressKeys& address, OrderEvent& ev);

/// The first shipping line, if the order has one; the shop's choice of carrier and service is there.
const json* first_shipping_line(Fields& top);

bool is_one_of(std::string_view value, std::initializer_list<std::string_view> options);

/// Reasons quote the payload; they are logged and published, so they carry no raw bytes.
Result<OrderEvent> made_safe(Result<OrderEvent> result);

Result<OrderEvent> map_shopify_unchecked(const json& doc, std::string_view topic_hint);

Result<OrderEvent> map_woocommerce_unchecked(const json& doc, std::string_view topic_hint);

}  // namespace packd::fulfillment::shop_fields
