#pragma once
// Orders and their state machine (OrderState, domain/order_state.hpp); a cancel after shipping is
// recorded, not applied.
//
// Accepting reserves stock, cancelling releases it, shipping turns the reservation into ship
// movements. Every change queues its status message in the same transaction. Functions that
// change state must be called inside a Transaction on the store.

#include <optional>
#include <string>
#include <vector>

#include "packd/common/result.hpp"
#include "packd/fulfillment/domain/order_state.hpp"
#include "packd/fulfillment/domain/topics.hpp"
#include "packd/fulfillment/inventory/inventory.hpp"
#include "packd/fulfillment/orders/order_event.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace packd::fulfillment {

/// Where an order stands after an event, and why.
struct OrderOutcome {
    OrderState state = OrderState::received;
    std::string reason;
    bool changed = false;
    bool needs_label = false;  ///< accepted with new content: its shipping label is due
};

/// What leaves the building with an order.
struct ShipmentInfo {
    std::string carrier;
    std::string tracking_number;
    int64_t weight_g = 0;
    std::string label_ref;
    std::string station;
    std::string operator_name;
};

struct OrderRouting {
    std::string carrier;
    std::string service;
    std::string station;  ///< empty: any pack station
    std::string printer;  ///< empty: the configured label printer
    bool return_label = false;
    std::string tags;  ///< comma-separated, as rules added them
};

/// Who moved an order, for its history: the station (or "packctl") and its operator, when known.
struct OrderActor {
    std::string station;
    std::string operator_name;
};

/// One state an order entered, as its history (order_history, schema 11) keeps it.
struct OrderHistoryEntry {
    int64_t at_ms = 0;  ///< milliseconds since the epoch, UTC
    OrderState state = OrderState::received;
    std::string detail;  ///< the hold reason, the event, the shipment; empty when the state says it all
    std::string station;
    std::string operator_name;
};

/// An order a searched text matched, and by what: its id, the tracking number it ships under or one of
/// its labels carries ("tracking_number"), a shipment's ("shipment") or its return label's ("return").
struct OrderMatch {
    std::string id;
    OrderState state = OrderState::received;
    std::string created_at;
    std::string matched;
};

struct OrderDetail {
    OrderRow row;
    std::string event_id;
    std::string source;
    std::string ship_to_json;
    std::string hold_reason;
    std::string late_cancel_event;
    std::vector<OrderLine> lines;
    std::vector<OrderQuantity> reserved;
    std::vector<ShipmentInfo> shipments;
    std::vector<OrderHistoryEntry> timeline;  ///< oldest first
};

class OrderBook {
  public:
    OrderBook(Store& store, Inventory& inventory, Topics topics);

    /// Records a new order and tries to reserve its stock: accepted, or held with the reason.
    Result<OrderOutcome> create(const OrderEvent& event, std::string_view original, std::string_view source);
    /// Applies a changed order from the shop. An unknown order is created. Before picking, its
    /// lines, address and carrier are replaced and its stock reserved again (or it is held); the
    /// same content again changes nothing. From picking on the change is recorded and reported,
    /// not applied.
    Result<OrderOutcome> update(const OrderEvent& event, std::string_view original, std::string_view source);
    /// Cancels an order and releases its stock. After shipping: recorded and reported only.
    Result<OrderOutcome> cancel(const std::string& order_id, const std::string& event_id);
    /// Moves an order forward to picking, packed or labelled.
    Status advance(const std::string& order_id, OrderState to, const OrderActor& by = {});
    /// Holds an order the floor cannot fill (a short pick) with the reason: its stock is released, as for
    /// an order held on arrival, and the shop hears the status. Only orders not yet labelled are held.
    Status hold(const std::string& order_id, const std::string& reason, const OrderActor& by = {});
    /// The same for a merchant rule, whose hold only a rule's release or an operator ends: stock arriving
    /// does not (held_orders leaves it out). Its unprinted labels are cancelled.
    Status hold_for_rule(const std::string& order_id, const std::string& reason, const std::string& rule);
    /// Ends a hold: the order reserves its stock again and is accepted, or stays held with the reason.
    /// `by` names the operator who asked, or none for a rule (`rule` names it then).
    Result<OrderOutcome> release(const std::string& order_id, const OrderActor& by = {},
                                 const std::string& rule = "");
    /// What rules set on an order: its carrier and service, the station and printer it is routed to, a
    /// return label in the parcel. Nothing for an unknown order.
    std::optional<OrderRouting> routing(const std::string& order_id);
    Status route(const std::string& order_id, const std::string& station, const std::string& printer);
    /// Before the order is labelled: the carrier (and service) its label is drawn for.
    Status set_carrier(const std::string& order_id, const std::string& carrier, const std::string& service);
    /// Adds a tag (at most 40 bytes, no comma) to the order's own tags; a tag it has already changes nothing.
    Status tag(const std::string& order_id, const std::string& tag);
    Status want_return_label(const std::string& order_id);
    /// Tries again to reserve a held order's stock.
    Result<OrderOutcome> retry_held(const std::string& order_id);
    /// Ships an order: ship movements, a shipment row, the confirmation for the shop. An empty carrier
    /// or tracking number in `shipment` is taken from the order.
    Result<int64_t> ship(const std::string& order_id, const ShipmentInfo& shipment);
    /// The tracking number the order ships under, e.g. from the shop's label or a local range.
    Status set_tracking(const std::string& order_id, const std::string& tracking_number);
    std::optional<std::string> tracking_of(const std::string& order_id);
    /// The order that ships under a tracking number, the newest when a number was used twice.
    std::optional<std::string> order_with_tracking(const std::string& tracking_number);

    /// Held orders, oldest first.
    std::vector<std::string> held_orders();
    /// The payload an order arrived with, as kept for audit.
    std::string original_of(const std::string& order_id);
    std::optional<OrderState> state_of(const std::string& order_id);
    std::optional<OrderDetail> detail(const std::string& order_id);
    /// The states the order entered, oldest first; empty for an unknown order.
    std::vector<OrderHistoryEntry> history(const std::string& order_id);
    /// The orders `text` names exactly: by id, or by a tracking number of the order, its shipments, its
    /// labels or its return; at most `limit`, matches by id first, then the newest.
    std::vector<OrderMatch> find(const std::string& text, int limit);
    /// The SKUs and quantities the order asks for.
    std::vector<OrderQuantity> lines_of(const std::string& order_id);
    /// What the order's items weigh by the catalogue, packaging not included; 0 when none has a weight.
    int64_t items_weight_g(const std::string& order_id);

  private:
    /// What a change of state writes to the order's history besides the state: `detail` (the hold reason
    /// when empty) and who made it. `always`: a row even when the state stays (an update applied).
    struct StateNote {
        std::string detail;
        OrderActor by;
        bool always = false;
    };

    /// Raises a weight_mismatch alert when the shipped weight is off what the items weigh.
    void check_weight(const std::string& order_id, int64_t weight_g);
    /// Sets the order's state; a change of state (or `note.always`) writes a row of its history in the same
    /// transaction. A retry that leaves a held order held writes none, so stock corrections that free
    /// nothing do not grow the history.
    void set_state(const std::string& order_id, OrderState state, const std::string& hold_reason,
                   const StateNote& note);
    void record_history(const std::string& order_id, OrderState state, const std::string& detail,
                        const OrderActor& by);
    /// Accepts a held order whose stock can be reserved now; `note` says why it was tried.
    Result<OrderOutcome> accept_held(const std::string& order_id, const StateNote& note);
    Status hold_as(const std::string& order_id, const std::string& reason, const std::string& held_by,
                   const StateNote& note);
    void queue_status(const std::string& order_id, OrderState state, const std::string& reason,
                      const std::string& event_id);
    /// A trigger for merchant rules (Store::emit).
    void emit(const char* trigger, const std::string& order_id, const std::string& event_id,
              const std::string& reason);

    Store& store_;
    Inventory& inventory_;
    Topics topics_;
    bool state_changed_ = true;  ///< false while a status is sent again for an unchanged state
};

}  // namespace packd::fulfillment
