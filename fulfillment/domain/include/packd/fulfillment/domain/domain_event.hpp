#pragma once
// Something that happened in the warehouse, as merchant rules see it: an order accepted, stock below its
// reorder point, a device gone offline, a scan refused. The areas emit one through the store inside the
// transaction that made it happen (Store::emit); the rule engine runs the rules it triggers before that
// transaction commits, so a rule's effects are part of the same commit or of none.

#include <cstdint>
#include <string>

namespace packd::fulfillment {

struct DomainEvent {
    std::string trigger;   ///< "order.accepted", "stock.low", "device.offline", ... (docs/rules.md)
    std::string event_id;  ///< the shop event that caused it, when one did
    std::string order_id;
    std::string sku;
    std::string rma;
    std::string device;
    std::string station;
    std::string location;
    std::string state;     ///< the new state (an order's, a device's)
    std::string reason;    ///< why: a hold's reason, a device fault, a refused scan
    std::string data;      ///< the scanned data, a label's kind
    int64_t quantity = 0;  ///< the difference a count found, the units available
};

/// Takes the events the areas emit. The rule engine is the one there is; without one, events go nowhere.
class DomainEventSink {
  public:
    virtual ~DomainEventSink() = default;
    virtual void take(DomainEvent event) = 0;
    /// Whether any rule listens to `trigger`: an area skips the work of finding out (a SKU's level after
    /// each movement) when none does.
    virtual bool wants(const std::string& trigger) const = 0;
};

}  // namespace packd::fulfillment
