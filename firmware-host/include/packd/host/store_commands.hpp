#pragma once
// The admin verbs that read or change the store: stock, adjust, verify, imports and exports,
// locations, order details and manual shipping, and the look-ups an operator's screen makes (find,
// movements; store_lookups.cpp). Each change runs in its own transaction; a refused request changes
// nothing. Requests and answers are the admin socket's JSON objects, which packctl and the web UI share.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "packd/fulfillment/inventory/inventory.hpp"
#include "packd/fulfillment/inventory/stock_import.hpp"
#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/store/store.hpp"
#include "packd/host/config.hpp"

namespace packd::host {

class StoreCommands {
  public:
    StoreCommands(fulfillment::Store& store, fulfillment::Inventory& inventory,
                  fulfillment::OrderBook& orders);

    void set_import_columns(const ImportConfig& columns) { import_ = columns; }

    /// Answers `request` when `verb` is one of these commands; nothing when it is not.
    std::optional<nlohmann::json> handle(const std::string& verb, const nlohmann::json& request);

  private:
    nlohmann::json stock(const nlohmann::json& request);
    nlohmann::json adjust(const nlohmann::json& request);
    nlohmann::json verify();
    nlohmann::json import_stock(const nlohmann::json& request);
    nlohmann::json import_products(const nlohmann::json& request);
    nlohmann::json export_stock();
    nlohmann::json add_location(const nlohmann::json& request);
    nlohmann::json order(const nlohmann::json& request);
    nlohmann::json ship(const nlohmann::json& request);
    nlohmann::json reprint(const nlohmann::json& request);
    nlohmann::json stock_in_location(const std::string& location, const std::string& sku);
    nlohmann::json find(const nlohmann::json& request);
    nlohmann::json movements(const nlohmann::json& request);

    fulfillment::Store& store_;
    fulfillment::Inventory& inventory_;
    fulfillment::OrderBook& orders_;
    ImportConfig import_;
};

}  // namespace packd::host
