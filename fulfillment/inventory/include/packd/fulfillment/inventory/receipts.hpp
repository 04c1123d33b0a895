#pragma once
// Deliveries the shop expects (purchase orders, advance shipping notices) on `P/in/receipts`, and what a
// receive station took in against them: the report with each line's difference goes to the shop on
// `P/out/receipts/<id>/status`. The stock itself moves through Inventory; this is the paperwork.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "packd/common/result.hpp"
#include "packd/fulfillment/domain/topics.hpp"
#include "packd/fulfillment/inventory/inventory.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace packd::fulfillment {

/// `receipt.expected` (a delivery with its lines; sent again while nothing was received, it replaces the
/// lines) or `receipt.cancelled`.
struct ReceiptEvent {
    std::string event_id;
    std::string type;
    std::string receipt;  ///< the shop's id of the delivery, as printed on its papers ("PO-4711")
    std::string supplier;
    std::vector<OrderQuantity> lines;  ///< expected only
};

struct ReceiptLine {
    std::string sku;
    int64_t expected = 0;
};

class Receipts {
  public:
    Receipts(Store& store, Inventory& inventory, Topics topics);

    /// In a transaction: records an expected delivery or cancels one; the reason when it cannot be.
    Status apply(const ReceiptEvent& ev);
    /// "expected", "received", "cancelled"; nothing for an unknown id.
    std::optional<std::string> state_of(const std::string& receipt);
    std::vector<ReceiptLine> lines_of(const std::string& receipt);
    /// In a transaction: marks the delivery received with what came (units per SKU) and queues the report
    /// with each line's difference for the shop.
    void report(const std::string& receipt, const std::map<std::string, int64_t>& received,
                const std::string& station, const std::string& operator_name);

  private:
    Store& store_;
    Inventory& inventory_;
    Topics topics_;
};

}  // namespace packd::fulfillment
