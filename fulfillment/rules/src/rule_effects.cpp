// The actions of merchant rules, inside the transaction of the event that fired them.

#include <nlohmann/json.hpp>

#include "packd/common/json_text.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/orders/order_event.hpp"
#include "packd/fulfillment/rules/rule_actions.hpp"
#include "packd/fulfillment/rules/rule_set.hpp"

#include <algorithm>

namespace packd::fulfillment {
namespace {

using nlohmann::json;

const std::string& arg(const RenderedAction& a, const std::string& key) {
    static const std::string none;
    auto it = a.args.find(key);
    return it == a.args.end() ? none : it->second;
}

/// "back-in-stock/MUG-RED": segments of letters, digits, '-', '_', '.'; no wildcards, no empty segment.
bool safe_suffix(const std::string& suffix) {
    if (suffix.empty() || suffix.size() > 128) {
        return false;
    }
    size_t start = 0;
    while (start <= suffix.size()) {
        const size_t slash = suffix.find('/', start);
        const std::string segment =
            suffix.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (!is_safe_id(segment, 64)) {
            return false;
        }
        if (slash == std::string::npos) {
            break;
        }
        start = slash + 1;
    }
    return true;
}

}  // namespace

json to_json(const DomainEvent& e) {
    json out{{"trigger", e.trigger}};
    auto put = [&](const char* key, const std::string& value) {
        if (!value.empty()) {
            out[key] = value;
        }
    };
    put("event_id", e.event_id);
    put("order_id", e.order_id);
    put("sku", e.sku);
    put("rma", e.rma);
    put("device", e.device);
    put("station", e.station);
    put("location", e.location);
    put("state", e.state);
    put("reason", e.reason);
    put("data", e.data);
    if (e.quantity != 0) {
        out["quantity"] = e.quantity;
    }
    return out;
}

Result<DomainEvent> domain_event_of(const json& doc) {
    if (!doc.is_object()) {
        return fail("an event is a JSON object with a trigger");
    }
    DomainEvent e;
    e.trigger = doc.value("trigger", "");
    const auto& known = rule_triggers();
    if (std::find(known.begin(), known.end(), e.trigger) == known.end()) {
        return fail("trigger \"" + printable(e.trigger.substr(0, 40)) + "\" is not one docs/rules.md lists");
    }
    const std::pair<const char*, std::string*> fields[] = {
        {"event_id", &e.event_id}, {"order_id", &e.order_id}, {"sku", &e.sku},           {"rma", &e.rma},
        {"device", &e.device},     {"station", &e.station},   {"location", &e.location}, {"state", &e.state},
        {"reason", &e.reason},     {"data", &e.data}};
    for (const auto& [key, out] : fields) {
        if (auto it = doc.find(key); it != doc.end()) {
            if (!it->is_string() || it->get_ref<const std::string&>().size() > 200) {
                return fail(std::string(key) + " must be a string of at most 200 bytes");
            }
            *out = it->get<std::string>();
        }
    }
    if (auto it = doc.find("quantity"); it != doc.end()) {
        if (!it->is_number_integer()) {
            return fail("quantity must be a whole number");
        }
        e.quantity = it->get<int64_t>();
    }
    return e;
}

RuleEffects::RuleEffects(Store& store, OrderBook& orders, OrderIntake& intake, Topics topics)
    : store_(store),
      orders_(orders),
      intake_(intake),
      returns_(store, orders, topics),
      topics_(std::move(topics)) {}

void RuleEffects::set_known(std::set<std::string> stations, std::set<std::string> printers) {
    stations_ = std::move(stations);
    printers_ = std::move(printers);
}

std::set<std::string> RuleEffects::take_printers() {
    return std::exchange(kicked_, {});
}

Result<std::string> RuleEffects::run(const std::string& rule, const RenderedAction& a,
                                     const DomainEvent& event) {
    const std::string& kind = a.kind;
    if (kind == "approve_return" || kind == "reject_return") {
        const std::string rma = arg(a, "rma").empty() ? event.rma : arg(a, "rma");
        if (rma.empty()) {
            return fail("this event is not about a return; name one with rma");
        }
        return return_action(a, rma);
    }
    if (kind == "reorder") {
        const std::string sku = arg(a, "sku").empty() ? event.sku : arg(a, "sku");
        const std::string& text = arg(a, "quantity");
        char* end = nullptr;
        const long long quantity = std::strtoll(text.c_str(), &end, 10);
        if (sku.empty()) {
            return fail("this event is not about a SKU; name one with sku");
        }
        if (text.empty() || end == nullptr || *end != '\0' || quantity <= 0 || quantity > 1000000) {
            return fail("quantity \"" + printable(text.substr(0, 20)) +
                        "\" is not a whole number from 1 to 1000000");
        }
        store_.outbox_add(topics_.reorders(),
                          json_text({{"sku", sku}, {"quantity", quantity}, {"rule", rule}}), false);
        return "reorder of " + std::to_string(quantity) + " x " + sku + " requested";
    }
    if (kind == "publish") {
        const std::string& suffix = arg(a, "topic");
        if (!safe_suffix(suffix)) {
            return fail("topic \"" + printable(suffix.substr(0, 64)) +
                        "\" must be segments of letters, digits, '-', '_', '.' below out/rules/");
        }
        json payload = to_json(event);
        payload["rule"] = rule;
        if (a.args.count("payload")) {
            const json parsed = json::parse(arg(a, "payload"), nullptr, false);
            if (parsed.is_object()) {
                payload = parsed;
            } else {
                payload["message"] = arg(a, "payload");
            }
        }
        store_.outbox_add(topics_.rules(suffix), json_text(payload), false);
        return "published on " + topics_.rules(suffix);
    }
    if (kind == "alert") {
        json alert = to_json(event);
        alert["kind"] = arg(a, "kind");
        alert["rule"] = rule;
        if (a.args.count("message")) {
            alert["message"] = arg(a, "message");
        }
        if (!is_safe_id(arg(a, "kind"), 64)) {
            return fail("alert kind \"" + printable(arg(a, "kind").substr(0, 64)) +
                        "\" must be letters, digits, '-', '_', '.'");
        }
        store_.outbox_add(topics_.alerts(), json_text(alert), false);
        return "alert " + arg(a, "kind") + " raised";
    }
    const std::string order_id = arg(a, "order").empty() ? event.order_id : arg(a, "order");
    if (order_id.empty()) {
        return fail("this event is not about an order; name one with order");
    }
    return order_action(rule, a, order_id);
}

Result<std::string> RuleEffects::order_action(const std::string& rule, const RenderedAction& a,
                                              const std::string& order_id) {
    const std::string& kind = a.kind;
    if (kind == "hold") {
        if (auto held = orders_.hold_for_rule(order_id, arg(a, "reason"), rule); !held) {
            return held.error();
        }
        return "order " + order_id + " held: " + arg(a, "reason");
    }
    if (kind == "release") {
        auto released = intake_.release(order_id, {}, rule);
        if (!released) {
            return released.error();
        }
        if (released->outcome.state != OrderState::accepted) {
            return "order " + order_id + " released, still held: " + released->outcome.reason;
        }
        if (!released->printer.empty()) {
            kicked_.insert(released->printer);
        }
        return "order " + order_id + " released and accepted";
    }
    if (kind == "route") {
        const std::string& station = arg(a, "station");
        const std::string& printer = arg(a, "printer");
        if (!station.empty() && !stations_.empty() && !stations_.count(station)) {
            return fail("no station \"" + printable(station.substr(0, 64)) + "\" is configured");
        }
        if (!printer.empty() && !printers_.empty() && !printers_.count(printer)) {
            return fail("no printer \"" + printable(printer.substr(0, 64)) + "\" is configured");
        }
        if (auto routed = orders_.route(order_id, station, printer); !routed) {
            return routed.error();
        }
        if (!printer.empty()) {
            kicked_.insert(printer);
        }
        return "order " + order_id + " routed" + (station.empty() ? "" : " to station " + station) +
               (printer.empty() ? "" : " to printer " + printer);
    }
    if (kind == "set_carrier") {
        if (auto set = orders_.set_carrier(order_id, arg(a, "carrier"), arg(a, "service")); !set) {
            return set.error();
        }
        // A label drawn for the old carrier and not printed yet is drawn again.
        if (store_.label_pending(order_id, "shipping")) {
            auto printer = intake_.queue_label_for(order_id);
            if (!printer) {
                return printer.error();
            }
        }
        return "order " + order_id + " ships with " + arg(a, "carrier") +
               (arg(a, "service").empty() ? "" : " " + arg(a, "service"));
    }
    if (kind == "tag") {
        if (auto tagged = orders_.tag(order_id, arg(a, "tag")); !tagged) {
            return tagged.error();
        }
        return "order " + order_id + " tagged " + arg(a, "tag");
    }
    // return_label
    if (auto wanted = orders_.want_return_label(order_id); !wanted) {
        return wanted.error();
    }
    if (store_.label_pending(order_id, "shipping") || store_.label_printed(order_id, "shipping")) {
        // The shipping label is queued already: the return label joins it now.
        auto printer = intake_.queue_return_label_for(order_id);
        if (!printer) {
            return printer.error();
        }
        kicked_.insert(*printer);
    }
    return "order " + order_id + " gets a return label in its parcel";
}

Result<std::string> RuleEffects::return_action(const RenderedAction& a, const std::string& rma) {
    if (a.kind == "reject_return") {
        if (auto rejected = returns_.reject(rma, arg(a, "reason")); !rejected) {
            return rejected.error();
        }
        return "return " + rma + " rejected: " + arg(a, "reason");
    }
    ReturnEvent ev;
    ev.type = "return.approved";
    ev.rma = rma;
    ev.carrier = arg(a, "carrier");
    ev.tracking_number = arg(a, "tracking_number");
    auto order_id = returns_.approve(ev);
    if (!order_id) {
        return order_id.error();
    }
    if (auto label = intake_.publish_return_label(ev, *order_id); !label) {
        return fail("return " + rma + " approved but no return label: " + label.error().message);
    }
    return "return " + rma + " approved, its label sent to the shop";
}

}  // namespace packd::fulfillment
