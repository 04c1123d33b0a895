#pragma once
// The names a rule's Lua sees for the event at hand (docs/rules.md, "Fields"): `event`, `order`,
// `product`, `ret` (a return), `now`, and the functions `stock(sku)`, `orders_to_address(hours)` and
// `orders_in_state(state)`. `order`, `product` and `ret` are read from the store on their first use
// within an event, never written.

#include <chrono>

#include "packd/fulfillment/domain/domain_event.hpp"
#include "packd/fulfillment/inventory/inventory.hpp"
#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/store/store.hpp"

struct lua_State;

namespace packd::fulfillment {

class RuleFacts {
  public:
    RuleFacts(Store& store, OrderBook& orders, Inventory& inventory)
        : store_(store), orders_(orders), inventory_(inventory) {}

    /// The ship-today cut-off, minutes after midnight; -1: none.
    void set_cutoff(int minute);

    /// The functions, into the context table `context` (a registry reference); once per Lua state.
    void install(lua_State* L, int context);
    /// The names of `event` into the context. Builds tables through the C API: call it in protected mode
    /// (LuaSandbox::protect), since a state at its memory cap raises an error here.
    void enter(lua_State* L, int context, const DomainEvent& event,
               std::chrono::system_clock::time_point now);

  private:
    static RuleFacts& self(lua_State* L);
    using Fill = void (RuleFacts::*)(lua_State*, int, const std::string&);
    /// The __index of a lazy table: `fill` loads all its fields from the store once.
    static int lazy_load(lua_State* L, const char* key, Fill fill);
    static int order_index(lua_State* L);
    static int product_index(lua_State* L);
    static int return_index(lua_State* L);
    static int stock_fn(lua_State* L);
    static int orders_to_address_fn(lua_State* L);
    static int orders_in_state_fn(lua_State* L);
    void fill_order(lua_State* L, int table, const std::string& id);
    void fill_product(lua_State* L, int table, const std::string& sku);
    void fill_return(lua_State* L, int table, const std::string& rma);
    int64_t orders_to_address(const std::string& order_id, int64_t hours);
    /// A table with `key` = `id` whose other fields `index` loads on first use.
    void push_lazy(lua_State* L, const char* key, const std::string& id, int (*index)(lua_State*));

    Store& store_;
    int cutoff_minute_ = -1;
    std::string cutoff_;  ///< "HH:MM" of cutoff_minute_, made before enter() runs in protected mode
    std::string current_order_;
    OrderBook& orders_;
    Inventory& inventory_;
};

}  // namespace packd::fulfillment
