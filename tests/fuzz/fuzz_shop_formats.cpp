// Inbound orders of any shape (fulfillment/shop/src/shop_formats.cpp): packd's own order JSON, Shopify's
// order webhook body and WooCommerce's order JSON, under the MQTT topic hints a merchant's bridge may publish
// to. Every payload gives either an event the store can take as it is, or an error that is safe to log and to
// publish as JSON on the dead-letter topic.
//
// The first byte picks the hint. JSON may begin with whitespace, so a seed chooses its hint with a leading
// space, tab, line feed or carriage return, and mutations of the first byte reach the others.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/shop/shop_formats.hpp"

namespace {

using packd::fulfillment::ShopFormat;
using packd::fuzz::check;

constexpr std::size_t kMaxPayload = 256 * 1024;  // the default of broker.max_payload_bytes
constexpr std::int64_t kMaxQuantity = 1000000;
constexpr std::size_t kMaxLines = 1000;
constexpr std::size_t kMaxEventId = 128;

// Eight hints, so that '{' (123), ' ' (32), '\t' (9), '\n' (10) and '\r' (13) each pick a different one.
constexpr std::array<std::string_view, 8> kHints{
    "",                  // 0: ' '
    "orders/create",     // 1: '\t'
    "orders/updated",    // 2: '\n'
    "order.created",     // 3: '{'
    "orders/cancelled",  // 4
    "order.deleted",     // 5: '\r'
    "order.updated",     // 6
    "orders/delete",     // 7
};

void check_error(const packd::Error& error) {
    const std::string& message = error.message;
    check(!message.empty(), "an inbound order error says what is wrong");
    check(packd::fuzz::is_strict_utf8(message), "an inbound order error is valid UTF-8", message);
    check(!packd::fuzz::has_control_character(message), "an inbound order error holds no control character",
          message);
}

void check_text(const std::string& text) {
    check(packd::fuzz::is_strict_utf8(text), "accepted text is valid UTF-8", text);
    check(text.find('\0') == std::string::npos, "accepted text holds no NUL byte", text);
}

void check_event(const packd::fulfillment::OrderEvent& event, ShopFormat format) {
    check(packd::fulfillment::is_safe_id(event.order_id), "an accepted order id is a safe id",
          event.order_id);
    check(!event.event_id.empty(), "an accepted event has an event id");
    check(event.event_id.size() <= kMaxEventId, "an event id is at most 128 bytes", event.event_id);
    check_text(event.event_id);
    check(event.type == packd::fulfillment::OrderEventType::created ||
              event.type == packd::fulfillment::OrderEventType::updated ||
              event.type == packd::fulfillment::OrderEventType::cancelled,
          "an accepted event is order.created, order.updated or order.cancelled",
          std::string(to_string(event.type)));
    if (event.type == packd::fulfillment::OrderEventType::cancelled) {
        check(event.lines.empty(), "a cancel carries no lines");
        return;
    }
    check(!event.lines.empty(), "an accepted order has lines");
    check(event.lines.size() <= kMaxLines, "an accepted order has at most 1000 lines");
    for (const auto& line : event.lines) {
        check(line.quantity >= 1 && line.quantity <= kMaxQuantity, "a quantity is from 1 to 1000000",
              std::to_string(line.quantity));
        check(!line.sku.empty() && line.sku.size() <= 64, "an order line has a SKU of at most 64 bytes",
              line.sku);
        check_text(line.sku);
    }
    if (format == ShopFormat::canonical) {
        return;  // its address is parse_order_event's, whose own properties fuzz_order_event checks
    }
    const auto& to = event.ship_to;
    for (const std::string* text : {&to.name, &to.street1, &to.city, &to.postal_code, &to.country}) {
        check(!text->empty(), "a required address part is there");
    }
    for (const std::string* text : {&to.name, &to.company, &to.street1, &to.street2, &to.city, &to.region,
                                    &to.postal_code, &to.country}) {
        check(text->size() <= 200, "address text is at most 200 bytes", *text);
        check_text(*text);
    }
    check(to.postal_code.size() <= 16, "a postal code is at most 16 bytes", to.postal_code);
    check(to.country.size() == 2, "a country from a shop is two letters", to.country);
    for (const std::string* text : {&event.carrier, &event.service, &event.tracking_number}) {
        check(text->size() <= 64, "carrier, service and tracking number are at most 64 bytes", *text);
        check_text(*text);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view payload(reinterpret_cast<const char*>(data), size);
    const std::string_view hint = size > 0 ? kHints[data[0] % kHints.size()] : std::string_view();
    try {
        ShopFormat format = ShopFormat::unknown;
        const auto parsed = packd::fulfillment::parse_inbound_order(payload, kMaxPayload, hint, &format);
        if (parsed) {
            check(format != ShopFormat::unknown, "an accepted payload has a known shape",
                  packd::fulfillment::to_string(format));
            check_event(*parsed, format);
            if (format != ShopFormat::canonical &&
                parsed->type != packd::fulfillment::OrderEventType::cancelled) {
                // A cancel needs less than an order: the same body under the shop's cancel hint is its
                // cancel.
                const std::string_view cancel =
                    format == ShopFormat::shopify ? "orders/cancelled" : "order.deleted";
                const auto cancelled =
                    packd::fulfillment::parse_inbound_order(payload, kMaxPayload, cancel, nullptr);
                check(cancelled.ok() && cancelled->type == packd::fulfillment::OrderEventType::cancelled &&
                          cancelled->order_id == parsed->order_id &&
                          cancelled->event_id == parsed->event_id + ":cancelled",
                      "a shop order under its cancel hint is the cancel of that order", parsed->event_id);
            }
        } else {
            check_error(parsed.error());
        }
        if (size > 0) {
            // One byte over the limit is refused before it is parsed.
            const auto over = packd::fulfillment::parse_inbound_order(payload, size - 1, hint, nullptr);
            check(!over.ok(), "a payload over the limit is refused");
            check_error(over.error());
        }
    } catch (const std::exception& e) {
        check(false, "parse_inbound_order reports failures as values and never throws", e.what());
    }
    return 0;
}
