// The shop samples under tests/data/shop and the checks the shop format tests share: parse a sample as
// published, or changed, and get its event or its error.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "packd/fulfillment/shop/shop_formats.hpp"
#include "test_env.hpp"

namespace packd::fulfillment::shop_samples {

using nlohmann::json;

inline constexpr size_t kLimit = 256 * 1024;

inline std::string sample(const std::string& name) {
    return test::read_file(std::string(PACKD_SOURCE_DIR) + "/tests/data/shop/" + name);
}

inline json sample_json(const std::string& name) {
    return json::parse(sample(name));
}

inline const std::string kShopifyCreate = "shopify-orders-create.json";
inline const std::string kShopifyCancelled = "shopify-orders-cancelled.json";
inline const std::string kWooCreated = "woocommerce-order-created.json";

inline OrderEvent parsed(const std::string& payload, std::string_view hint, ShopFormat expected_format) {
    ShopFormat format = ShopFormat::unknown;
    auto r = parse_inbound_order(payload, kLimit, hint, &format);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    EXPECT_EQ(to_string(format), std::string(to_string(expected_format)));
    return r.ok() ? *r : OrderEvent{};
}

inline std::string error_of(const std::string& payload, std::string_view hint) {
    auto r = parse_inbound_order(payload, kLimit, hint, nullptr);
    EXPECT_FALSE(r.ok()) << payload.substr(0, 300);
    return r.ok() ? "" : r.error().message;
}

/// The error for a sample changed by `change`, published under `hint`.
inline std::string error_after(const std::string& name, std::string_view hint,
                               const std::function<void(json&)>& change) {
    json doc = sample_json(name);
    change(doc);
    return error_of(doc.dump(), hint);
}

inline OrderEvent event_after(const std::string& name, std::string_view hint,
                              const std::function<void(json&)>& change) {
    json doc = sample_json(name);
    change(doc);
    auto r = parse_inbound_order(doc.dump(), kLimit, hint, nullptr);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : OrderEvent{};
}

}  // namespace packd::fulfillment::shop_samples
