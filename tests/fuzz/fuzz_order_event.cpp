// Order events as the shop publishes them (fulfillment/orders/src/order_event.cpp). Every payload gives
// either an order the store can take as it is, or an error that is safe to log and to publish as JSON on the
// dead-letter topic.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/orders/order_event.hpp"

namespace {

using packd::fuzz::check;

constexpr std::size_t kMaxPayload = 256 * 1024;  // the default of broker.max_payload_bytes
constexpr std::int64_t kMaxQuantity = 1000000;
constexpr std::size_t kMaxLines = 1000;

void check_error(const packd::Error& error) {
    const std::string& message = error.message;
    check(!message.empty(), "an order event error says what is wrong");
    check(packd::is_valid_utf8(message), "an order event error is valid UTF-8", message);
    check(!packd::fuzz::has_control_character(message), "an order event error holds no control character",
          message);
}

void check_event(const packd::fulfillment::OrderEvent& event) {
    check(packd::fulfillment::is_safe_id(event.order_id), "an accepted order id is a safe id",
          event.order_id);
    check(!event.event_id.empty(), "an accepted event has an event id");
    check(event.type == packd::fulfillment::OrderEventType::created ||
              event.type == packd::fulfillment::OrderEventType::cancelled,
          "an accepted event is order.created or order.cancelled", std::string(to_string(event.type)));
    if (event.type == packd::fulfillment::OrderEventType::cancelled) {
        check(event.lines.empty(), "a cancel carries no lines");
        return;
    }
    check(!event.lines.empty(), "an accepted order has lines");
    check(event.lines.size() <= kMaxLines, "an accepted order has at most 1000 lines");
    for (const auto& line : event.lines) {
        check(line.quantity >= 1 && line.quantity <= kMaxQuantity, "a quantity is from 1 to 1000000",
              std::to_string(line.quantity));
        check(!line.sku.empty(), "an order line has a SKU");
    }
    for (const std::string* text :
         {&event.event_id, &event.ship_to.name, &event.ship_to.street1, &event.ship_to.city,
          &event.ship_to.postal_code, &event.ship_to.country}) {
        check(packd::is_valid_utf8(*text), "accepted text is valid UTF-8", *text);
        check(text->find('\0') == std::string::npos, "accepted text holds no NUL byte", *text);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view payload(reinterpret_cast<const char*>(data), size);
    try {
        const auto parsed = packd::fulfillment::parse_order_event(payload, kMaxPayload);
        if (parsed) {
            check_event(*parsed);
        } else {
            check_error(parsed.error());
        }
        if (size > 0) {
            // One byte over the limit is refused before it is parsed.
            const auto over = packd::fulfillment::parse_order_event(payload, size - 1);
            check(!over.ok(), "a payload over the limit is refused");
            check_error(over.error());
        }
    } catch (const std::exception& e) {
        check(false, "parse_order_event reports failures as values and never throws", e.what());
    }
    return 0;
}
