// Stock corrections, returns, expected deliveries, commands and labels as the shop publishes them
// (fulfillment/shop/src/shop_events.cpp). Every payload gives
// either a movement the inventory can take as it is, or an error that is safe to log and to publish as JSON
// on the dead-letter topic.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/orders/order_event.hpp"
#include "packd/fulfillment/shop/shop_events.hpp"

namespace {

using packd::fuzz::check;

constexpr std::size_t kMaxPayload = 256 * 1024;  // the default of broker.max_payload_bytes

void check_error(const packd::Error& error) {
    const std::string& message = error.message;
    check(!message.empty(), "a stock event error says what is wrong");
    check(packd::is_valid_utf8(message), "a stock event error is valid UTF-8", message);
    check(!packd::fuzz::has_control_character(message), "a stock event error holds no control character",
          message);
}

void check_event(const packd::fulfillment::StockEvent& event) {
    using packd::fulfillment::MovementReason;
    const auto& m = event.movement;
    check(!event.event_id.empty() && !m.sku.empty() && !m.location.empty(),
          "an accepted correction has an event id, a SKU and a location");
    if (event.type == "stock.counted") {
        check(m.reason == MovementReason::count, "a count is booked as a count");
        check(event.counted >= 0 && event.counted <= 1000000, "a count is from 0 to 1000000",
              std::to_string(event.counted));
    } else {
        check(event.type == "stock.adjusted", "an accepted event is stock.adjusted or stock.counted",
              event.type);
        check(m.delta != 0 && m.delta >= -1000000 && m.delta <= 1000000,
              "a change is from -1000000 to 1000000", std::to_string(m.delta));
        check(m.reason == MovementReason::adjust || m.reason == MovementReason::receive ||
                  m.reason == MovementReason::return_ || m.reason == MovementReason::transfer,
              "the shop cannot book picks, shipments or counts as a change");
    }
    check(m.expiry.empty() || m.expiry.size() == 10, "an expiry is empty or a date", m.expiry);
    for (const std::string* text : {&event.event_id, &m.sku, &m.location, &m.lot, &m.note}) {
        check(packd::is_valid_utf8(*text), "accepted text is valid UTF-8", *text);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view payload(reinterpret_cast<const char*>(data), size);
    try {
        const auto parsed = packd::fulfillment::parse_stock_event(payload, kMaxPayload);
        if (parsed) {
            check_event(*parsed);
        } else {
            check_error(parsed.error());
        }
        if (size > 0) {
            const auto over = packd::fulfillment::parse_stock_event(payload, size - 1);
            check(!over.ok(), "a payload over the limit is refused");
        }
        if (auto ret = packd::fulfillment::parse_return_event(payload, kMaxPayload); !ret) {
            check_error(ret.error());
        } else {
            check(packd::fulfillment::is_safe_id(ret->rma), "an accepted RMA is a safe id", ret->rma);
            check(ret->type == "return.approved" || !ret->lines.empty(), "a requested return has lines");
        }
        if (auto receipt = packd::fulfillment::parse_receipt_event(payload, kMaxPayload); !receipt) {
            check_error(receipt.error());
        } else {
            check(packd::fulfillment::is_safe_id(receipt->receipt), "an accepted receipt id is a safe id",
                  receipt->receipt);
            check(receipt->type == "receipt.cancelled" || !receipt->lines.empty(),
                  "an expected delivery has lines");
            for (const auto& line : receipt->lines) {
                check(!line.sku.empty() && line.quantity >= 1 && line.quantity <= 1000000,
                      "a delivery line has a SKU and 1 to 1000000 units", line.sku);
            }
        }
        if (auto cmd = packd::fulfillment::parse_operator_command(payload, kMaxPayload); !cmd) {
            check_error(cmd.error());
        } else {
            check(cmd->command == "recount" || (cmd->command == "reprint" && !cmd->order_id.empty()),
                  "an accepted command is recount or a reprint of an order", cmd->command);
        }
        if (auto label = packd::fulfillment::parse_label_event(payload, kMaxPayload); !label) {
            check_error(label.error());
        } else {
            check(!label->data.empty(), "an accepted label has bytes");
        }
        // The decoder takes any text, and what it gives back encodes to the same text (without breaks).
        if (auto bytes = packd::base64_decode(payload)) {
            std::string compact;
            for (const char c : payload) {
                if (c != '\r' && c != '\n') {
                    compact += c;
                }
            }
            check(packd::base64_encode(*bytes) == compact, "base64 decoding round-trips", payload);
        } else {
            check_error(bytes.error());
        }
    } catch (const std::exception& e) {
        check(false, "parse_stock_event reports failures as values and never throws", e.what());
    }
    return 0;
}
