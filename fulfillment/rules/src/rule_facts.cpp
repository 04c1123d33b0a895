// The event's names in a rule's Lua, read lazily from the store.

#include "rule_facts.hpp"

#include <lua.hpp>

#include <cmath>
#include <ctime>

#include "order_facts.hpp"
#include "packd/fulfillment/rules/rule_set.hpp"

namespace packd::fulfillment {
namespace {

const char kSelfKey = 0;  ///< the registry key of the RuleFacts behind the functions (its address)

void set_string(lua_State* L, const char* key, const std::string& value) {
    lua_pushlstring(L, value.data(), value.size());
    lua_setfield(L, -2, key);
}

void set_integer(lua_State* L, const char* key, int64_t value) {
    lua_pushinteger(L, static_cast<lua_Integer>(value));
    lua_setfield(L, -2, key);
}

void push_address(lua_State* L, const Address& a) {
    lua_createtable(L, 0, 8);
    set_string(L, "name", a.name);
    set_string(L, "company", a.company);
    set_string(L, "street1", a.street1);
    set_string(L, "street2", a.street2);
    set_string(L, "city", a.city);
    set_string(L, "region", a.region);
    set_string(L, "postal_code", a.postal_code);
    set_string(L, "country", a.country);
}

Address stored_address(const std::string& text) {
    const auto doc = nlohmann::json::parse(text, nullptr, false);
    Address a;
    if (!doc.is_object()) {
        return a;
    }
    auto s = [&](const char* k) { return doc.value(k, std::string()); };
    a = {s("name"), s("company"), s("street1"),     s("street2"),
         s("city"), s("region"),  s("postal_code"), s("country")};
    return a;
}

/// Looks up what `index` would load, then returns the field asked for: __index(table, key).
int lazy_finish(lua_State* L) {
    lua_pushnil(L);
    lua_setmetatable(L, 1);  // loaded once: a missing field is nil from now on
    lua_pushvalue(L, 2);
    lua_rawget(L, 1);
    return 1;
}

std::string raw_text(lua_State* L, int table, const char* key) {
    lua_getfield(L, table, key);
    size_t n = 0;
    const char* s = lua_tolstring(L, -1, &n);
    std::string out = s != nullptr ? std::string(s, n) : std::string();
    lua_pop(L, 1);
    return out;
}

}  // namespace

RuleFacts& RuleFacts::self(lua_State* L) {
    lua_rawgetp(L, LUA_REGISTRYINDEX, &kSelfKey);
    auto* facts = static_cast<RuleFacts*>(lua_touserdata(L, -1));
    lua_pop(L, 1);
    return *facts;
}

void RuleFacts::install(lua_State* L, int context) {
    lua_pushlightuserdata(L, this);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &kSelfKey);
    lua_rawgeti(L, LUA_REGISTRYINDEX, context);
    lua_pushcfunction(L, stock_fn);
    lua_setfield(L, -2, "stock");
    lua_pushcfunction(L, orders_to_address_fn);
    lua_setfield(L, -2, "orders_to_address");
    lua_pushcfunction(L, orders_in_state_fn);
    lua_setfield(L, -2, "orders_in_state");
    lua_pop(L, 1);
}

void RuleFacts::push_lazy(lua_State* L, const char* key, const std::string& id, int (*index)(lua_State*)) {
    lua_createtable(L, 0, 24);
    set_string(L, key, id);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, index);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
}

void RuleFacts::set_cutoff(int minute) {
    cutoff_minute_ = minute;
    cutoff_ = minute >= 0 ? rule_clock(minute) : std::string();
}

void RuleFacts::enter(lua_State* L, int context, const DomainEvent& e,
                      std::chrono::system_clock::time_point now) {
    current_order_ = e.order_id;
    lua_rawgeti(L, LUA_REGISTRYINDEX, context);
    lua_createtable(L, 0, 12);
    set_string(L, "trigger", e.trigger);
    set_string(L, "event_id", e.event_id);
    set_string(L, "order_id", e.order_id);
    set_string(L, "sku", e.sku);
    set_string(L, "rma", e.rma);
    set_string(L, "device", e.device);
    set_string(L, "station", e.station);
    set_string(L, "location", e.location);
    set_string(L, "state", e.state);
    set_string(L, "reason", e.reason);
    set_string(L, "data", e.data);
    set_integer(L, "quantity", e.quantity);
    lua_setfield(L, -2, "event");

    if (e.order_id.empty()) {
        lua_pushnil(L);
    } else {
        push_lazy(L, "id", e.order_id, order_index);
    }
    lua_setfield(L, -2, "order");
    if (e.sku.empty()) {
        lua_pushnil(L);
    } else {
        push_lazy(L, "sku", e.sku, product_index);
    }
    lua_setfield(L, -2, "product");
    if (e.rma.empty()) {
        lua_pushnil(L);
    } else {
        push_lazy(L, "rma", e.rma, return_index);
    }
    lua_setfield(L, -2, "ret");

    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm local{};
    localtime_r(&t, &local);
    char date[16];
    char clock[8];
    std::strftime(date, sizeof date, "%Y-%m-%d", &local);
    std::strftime(clock, sizeof clock, "%H:%M", &local);
    const int minute_of_day = local.tm_hour * 60 + local.tm_min;
    lua_createtable(L, 0, 8);
    set_integer(L, "hour", local.tm_hour);
    set_integer(L, "minute", local.tm_min);
    set_integer(L, "weekday", local.tm_wday == 0 ? 7 : local.tm_wday);  // 1 Monday ... 7 Sunday
    set_string(L, "date", date);
    set_string(L, "time", clock);
    set_integer(L, "epoch", static_cast<int64_t>(t));
    if (cutoff_minute_ >= 0) {
        set_string(L, "cutoff", cutoff_);
    }
    lua_pushboolean(L, cutoff_minute_ >= 0 && minute_of_day >= cutoff_minute_);
    lua_setfield(L, -2, "after_cutoff");
    lua_setfield(L, -2, "now");
    lua_pop(L, 1);
}

int RuleFacts::lazy_load(lua_State* L, const char* key, Fill fill) {
    RuleFacts& f = self(L);
    // No exception may cross Lua's C frames, and no C++ object may be left to an error's longjmp: a store
    // error becomes the rule's error once the key's text is gone.
    bool failed = false;
    {
        const std::string id = raw_text(L, 1, key);
        try {
            (f.*fill)(L, 1, id);
        } catch (const std::exception&) {
            failed = true;
        }
    }
    if (failed) {
        return luaL_error(L, "the store could not be read");
    }
    return lazy_finish(L);
}

int RuleFacts::order_index(lua_State* L) {
    return lazy_load(L, "id", &RuleFacts::fill_order);
}

int RuleFacts::product_index(lua_State* L) {
    return lazy_load(L, "sku", &RuleFacts::fill_product);
}

int RuleFacts::return_index(lua_State* L) {
    return lazy_load(L, "rma", &RuleFacts::fill_return);
}

void RuleFacts::fill_order(lua_State* L, int table, const std::string& id) {
    auto& st = store_.db().cached(
        "SELECT state, source, ship_to, carrier, service, original, created_at, hold_reason, hold_by, tags, "
        "route_station, route_printer, tracking_number, return_label FROM orders WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) {
        st.reset();
        return;
    }
    const std::string source = st.text(1);
    const std::string ship_to = st.text(2);
    const std::string original = st.text(5);
    const std::string local_tags = st.text(9);
    lua_pushvalue(L, table);
    set_string(L, "state", st.text(0));
    set_string(L, "source", source);
    set_string(L, "carrier", st.text(3));
    set_string(L, "service", st.text(4));
    set_string(L, "created_at", st.text(6));
    set_string(L, "hold_reason", st.text(7));
    set_string(L, "held_by", st.text(8));
    set_string(L, "route_station", st.text(10));
    set_string(L, "route_printer", st.text(11));
    set_string(L, "tracking_number", st.text(12));
    lua_pushboolean(L, st.int64(13) != 0);
    lua_setfield(L, -2, "return_label");
    st.reset();

    push_address(L, stored_address(ship_to));
    lua_setfield(L, -2, "ship_to");
    const OrderFacts facts = order_facts(source, original);
    push_address(L, facts.bill_to);
    lua_setfield(L, -2, "bill_to");
    if (facts.total) {
        // A whole amount is an integer in Lua, so "900 EUR" reads as it was sent, not "900.0".
        const double whole = static_cast<double>(static_cast<int64_t>(*facts.total));
        if (whole == *facts.total && std::abs(*facts.total) < 1e15) {
            lua_pushinteger(L, static_cast<lua_Integer>(*facts.total));
        } else {
            lua_pushnumber(L, *facts.total);
        }
        lua_setfield(L, -2, "total");
    }
    set_string(L, "currency", facts.currency);
    set_string(L, "email", facts.email);
    set_string(L, "customer", facts.customer);
    set_string(L, "risk", facts.risk);

    // Tags: the shop's, then the ones rules set here (comma-separated in orders.tags).
    lua_createtable(L, static_cast<int>(facts.tags.size()), 0);
    int n = 0;
    for (const auto& tag : facts.tags) {
        lua_pushlstring(L, tag.data(), tag.size());
        lua_rawseti(L, -2, ++n);
    }
    size_t start = 0;
    while (start < local_tags.size()) {
        const size_t comma = local_tags.find(',', start);
        const std::string tag =
            local_tags.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!tag.empty()) {
            lua_pushlstring(L, tag.data(), tag.size());
            lua_rawseti(L, -2, ++n);
        }
        start = comma == std::string::npos ? local_tags.size() : comma + 1;
    }
    lua_setfield(L, -2, "tags");

    const auto lines = orders_.lines_of(id);
    lua_createtable(L, static_cast<int>(lines.size()), 0);
    int64_t units = 0;
    int64_t weight_g = 0;  // as OrderBook::items_weight_g adds it, from the lines read once here
    int i = 0;
    for (const auto& line : lines) {
        lua_createtable(L, 0, 2);
        set_string(L, "sku", line.sku);
        set_integer(L, "quantity", line.quantity);
        lua_rawseti(L, -2, ++i);
        units += line.quantity;
        if (auto p = inventory_.product(line.sku)) {
            weight_g += p->unit_weight_g * line.quantity;
        }
    }
    lua_setfield(L, -2, "lines");
    set_integer(L, "units", units);
    set_integer(L, "weight_g", weight_g);
    const int64_t same_day = orders_to_address(id, 24);
    const int64_t ever = orders_to_address(id, 0);
    set_integer(L, "same_address_24h", same_day);
    set_integer(L, "same_address", ever);
    lua_pushboolean(L, ever == 0);
    lua_setfield(L, -2, "new_address");
    lua_pop(L, 1);
}

int64_t RuleFacts::orders_to_address(const std::string& order_id, int64_t hours) {
    // Other orders on this box to the same ship-to (as stored, the same name and address), within `hours`
    // before now; 0 hours: ever.
    auto& st = store_.db().cached(
        "SELECT count(*) FROM orders o, orders me WHERE me.id = ?1 AND o.ship_to = me.ship_to AND o.id <> "
        "me.id "
        "AND (?2 = 0 OR o.created_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || ?2 || ' hours'))");
    st.bind(1, order_id).bind(2, hours);
    st.step();
    const int64_t n = st.int64(0);
    st.reset();
    return n;
}

void RuleFacts::fill_product(lua_State* L, int table, const std::string& sku) {
    auto p = inventory_.product(sku);
    if (!p) {
        return;
    }
    const StockLevel l = inventory_.level(sku);
    lua_pushvalue(L, table);
    set_string(L, "name", p->name);
    set_integer(L, "weight_g", p->unit_weight_g);
    set_integer(L, "reorder_point", p->reorder_point);
    set_integer(L, "reorder_qty", p->reorder_qty);
    lua_pushboolean(L, p->active);
    lua_setfield(L, -2, "active");
    set_integer(L, "on_hand", l.on_hand);
    set_integer(L, "available", l.available);
    set_integer(L, "reserved", l.reserved);
    lua_pop(L, 1);
}

void RuleFacts::fill_return(lua_State* L, int table, const std::string& rma) {
    auto& st = store_.db().cached(
        "SELECT r.state, r.order_id, r.created_at, (SELECT max(shipped_at) FROM shipments s WHERE s.order_id "
        "= "
        "r.order_id), CAST(julianday('now') - julianday((SELECT max(shipped_at) FROM shipments s WHERE "
        "s.order_id = r.order_id)) AS INTEGER) FROM returns r WHERE r.rma = ?");
    st.bind(1, rma);
    if (!st.step()) {
        st.reset();
        return;
    }
    lua_pushvalue(L, table);
    set_string(L, "state", st.text(0));
    set_string(L, "order_id", st.text(1));
    set_string(L, "requested_at", st.text(2));
    set_string(L, "shipped_at", st.text(3));
    if (!st.is_null(4)) {
        set_integer(L, "days_since_shipped", st.int64(4));
    }
    st.reset();
    auto& lines =
        store_.db().cached("SELECT sku, quantity, received FROM return_lines WHERE rma = ? ORDER BY line_no");
    lines.bind(1, rma);
    lua_newtable(L);
    int i = 0;
    while (lines.step()) {
        lua_createtable(L, 0, 3);
        set_string(L, "sku", lines.text(0));
        set_integer(L, "quantity", lines.int64(1));
        set_integer(L, "received", lines.int64(2));
        lua_rawseti(L, -2, ++i);
    }
    lines.reset();
    lua_setfield(L, -2, "lines");
    lua_pop(L, 1);
}

int RuleFacts::stock_fn(lua_State* L) {
    RuleFacts& f = self(L);
    const char* sku = luaL_checkstring(L, 1);
    int64_t on_hand = 0;
    int64_t available = 0;
    int64_t reserved = 0;
    bool known = false;
    bool failed = false;
    try {
        known = f.inventory_.product(sku).has_value();
        if (known) {
            const StockLevel l = f.inventory_.level(sku);
            on_hand = l.on_hand;
            available = l.available;
            reserved = l.reserved;
        }
    } catch (const std::exception&) {
        failed = true;
    }
    if (failed) {
        return luaL_error(L, "the store could not be read");
    }
    if (!known) {
        lua_pushnil(L);
        return 1;
    }
    lua_createtable(L, 0, 3);
    set_integer(L, "on_hand", on_hand);
    set_integer(L, "available", available);
    set_integer(L, "reserved", reserved);
    return 1;
}

int RuleFacts::orders_to_address_fn(lua_State* L) {
    RuleFacts& f = self(L);
    const lua_Integer hours = luaL_optinteger(L, 1, 24);
    luaL_argcheck(L, hours >= 0 && hours <= 24 * 366, 1, "hours from 0 (ever) to a year");
    if (f.current_order_.empty()) {
        return luaL_error(L, "orders_to_address: this event is not about an order");
    }
    int64_t n = -1;
    try {
        n = f.orders_to_address(f.current_order_, hours);
    } catch (const std::exception&) {
        n = -1;
    }
    if (n < 0) {
        return luaL_error(L, "the store could not be read");
    }
    lua_pushinteger(L, static_cast<lua_Integer>(n));
    return 1;
}

int RuleFacts::orders_in_state_fn(lua_State* L) {
    RuleFacts& f = self(L);
    const char* state = luaL_checkstring(L, 1);
    int64_t n = -1;
    try {
        auto& st = f.store_.db().cached("SELECT count(*) FROM orders WHERE state = ?");
        st.bind(1, std::string_view(state));
        st.step();
        n = st.int64(0);
        st.reset();
    } catch (const std::exception&) {
        n = -1;
    }
    if (n < 0) {
        return luaL_error(L, "the store could not be read");
    }
    lua_pushinteger(L, static_cast<lua_Integer>(n));
    return 1;
}

}  // namespace packd::fulfillment
