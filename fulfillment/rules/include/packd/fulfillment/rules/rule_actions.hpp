#pragma once
// What a rule's actions do, carried out inside the transaction of the event that fired them: hold or
// release an order, route it, add a return label, set its carrier, tag it, approve or reject a return,
// ask for a reorder, publish a message below out/rules/, raise an alert.

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "packd/common/result.hpp"
#include "packd/fulfillment/domain/domain_event.hpp"
#include "packd/fulfillment/domain/topics.hpp"
#include "packd/fulfillment/intake/order_intake.hpp"
#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/orders/return_desk.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace packd::fulfillment {

/// One action as the rule rendered it: its kind and its arguments' text.
struct RenderedAction {
    std::string kind;
    std::map<std::string, std::string> args;
};

/// An event as JSON: the trigger and every field that is set (a published rule message, a test event).
nlohmann::json to_json(const DomainEvent& event);
/// An event from JSON (`packctl rules test RULE EVENT.json`): a known trigger and text fields; the reason
/// when it is not one.
Result<DomainEvent> domain_event_of(const nlohmann::json& doc);

/// Carries out rendered actions. Throws SqliteError on a store failure (the event's transaction rolls
/// back); any other problem is the reason returned.
class RuleActions {
  public:
    virtual ~RuleActions() = default;
    /// What the action did, in one sentence, or why it could not.
    virtual Result<std::string> run(const std::string& rule, const RenderedAction& action,
                                    const DomainEvent& event) = 0;
};

/// The actions on the store, the order book, the return desk and the intake's labels.
class RuleEffects : public RuleActions {
  public:
    RuleEffects(Store& store, OrderBook& orders, OrderIntake& intake, Topics topics);

    Result<std::string> run(const std::string& rule, const RenderedAction& action,
                            const DomainEvent& event) override;
    /// The stations and printers a route may name; an empty set takes any name.
    void set_known(std::set<std::string> stations, std::set<std::string> printers);
    /// The printers that got a label since the last call (kicked after the commit).
    std::set<std::string> take_printers();

  private:
    Result<std::string> order_action(const std::string& rule, const RenderedAction& a,
                                     const std::string& order_id);
    Result<std::string> return_action(const RenderedAction& a, const std::string& rma);

    Store& store_;
    OrderBook& orders_;
    OrderIntake& intake_;
    ReturnDesk returns_;
    Topics topics_;
    std::set<std::string> stations_;
    std::set<std::string> printers_;
    std::set<std::string> kicked_;
};

}  // namespace packd::fulfillment
