#pragma once
// The MQTT topic names of one site: "<prefix>/<site>/...". See docs/mqtt.md.

#include <optional>
#include <string>

namespace packd::fulfillment {

class Topics {
  public:
    Topics(const std::string& prefix, const std::string& site) : base_(prefix + "/" + site) {}

    /// Order events from the shop (created, updated, cancelled).
    std::string orders_in() const { return base_ + "/in/orders"; }
    /// Stock corrections from the shop (stock.adjusted, stock.counted).
    std::string stock_in() const { return base_ + "/in/stock"; }
    /// Carrier labels the shop bought for an order (ZPL, PNG or PDF).
    std::string labels_in() const { return base_ + "/in/labels"; }
    /// Operator commands from the shop's back office (reprint, recount).
    std::string commands_in() const { return base_ + "/in/commands"; }
    /// Returns from the shop (return.requested, return.approved).
    std::string returns_in() const { return base_ + "/in/returns"; }
    /// State changes of one return (requested, approved, received: with the items, for the refund).
    std::string return_status(const std::string& rma) const {
        return base_ + "/out/returns/" + rma + "/status";
    }
    /// The return label of an approved return, as PNG and PDF, for the shop to send its customer.
    std::string return_label(const std::string& rma) const {
        return base_ + "/out/returns/" + rma + "/label";
    }
    /// Deliveries the shop expects from a supplier (receipt.expected, receipt.cancelled): purchase orders
    /// and advance shipping notices, received against at a receive station.
    std::string receipts_in() const { return base_ + "/in/receipts"; }
    /// What a receive station took in against one expected delivery, with each line's difference.
    std::string receipt_status(const std::string& receipt) const {
        return base_ + "/out/receipts/" + receipt + "/status";
    }
    /// Camera or image scans for one station: the payload is the image itself (PNG, JPEG or PGM).
    std::string scans_in(const std::string& station) const { return base_ + "/in/scans/" + station; }
    /// The station an image scan topic names, or nullopt when the topic is not an image scan.
    std::optional<std::string> scan_station(const std::string& topic) const {
        const std::string prefix = base_ + "/in/scans/";
        if (topic.compare(0, prefix.size(), prefix) != 0) {
            return std::nullopt;
        }
        return topic.substr(prefix.size());
    }
    /// What packd subscribes to: everything the shop sends to this site.
    std::string in_filter() const { return base_ + "/in/#"; }
    /// True for the order topic and anything below it. A shop bridge may append the shop's own
    /// event name, e.g. ".../in/orders/orders/create" or ".../in/orders/order.updated".
    bool is_order_topic(const std::string& topic) const {
        return topic == orders_in() || topic.compare(0, orders_in().size() + 1, orders_in() + "/") == 0;
    }
    /// The shop's event name a bridge appended to the order topic; empty when there is none.
    std::string order_hint(const std::string& topic) const {
        const std::string prefix = orders_in() + "/";
        return topic.compare(0, prefix.size(), prefix) == 0 ? topic.substr(prefix.size()) : std::string();
    }
    /// Retained "online"/"offline" with version and device summary; "offline" is the Last Will.
    std::string status() const { return base_ + "/status"; }
    /// Status changes of one order (accepted, labelled, ...).
    std::string order_status(const std::string& order_id) const {
        return base_ + "/out/orders/" + order_id + "/status";
    }
    /// The retained stock level of one SKU. Characters a topic level cannot hold ('/', '+', '#',
    /// '%', controls) are percent-encoded.
    std::string stock(const std::string& sku) const {
        static constexpr char kHex[] = "0123456789ABCDEF";
        std::string level;
        for (char c : sku) {
            const auto u = static_cast<unsigned char>(c);
            if (c == '/' || c == '+' || c == '#' || c == '%' || u < 0x20 || u == 0x7f) {
                level += '%';
                level += kHex[u >> 4];
                level += kHex[u & 15];
            } else {
                level += c;
            }
        }
        return base_ + "/out/stock/" + level;
    }
    /// Alerts for people: low stock, back in stock, weight mismatch, device offline.
    std::string alerts() const { return base_ + "/out/alerts"; }
    /// Reorder requests when a SKU falls below its reorder point.
    std::string reorders() const { return base_ + "/out/reorders"; }
    /// Shipment confirmations with carrier, tracking number and weight.
    std::string shipments() const { return base_ + "/out/shipments"; }
    /// What merchant rules publish, below out/rules/ (`suffix` checked by the rule's action).
    std::string rules(const std::string& suffix) const { return base_ + "/out/rules/" + suffix; }
    /// Every rejected inbound message, with the reason and the original.
    std::string dead_letter() const { return base_ + "/out/dead-letter"; }
    const std::string& base() const { return base_; }

  private:
    std::string base_;
};

}  // namespace packd::fulfillment
