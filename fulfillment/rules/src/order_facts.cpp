// An order's total, buyer, billing address, risk and tags from its original payload.

#include "order_facts.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>

namespace packd::fulfillment {
namespace {

using nlohmann::json;

constexpr size_t kMaxField = 200;

std::string text_at(const json& doc, const char* key) {
    auto it = doc.find(key);
    if (it == doc.end()) {
        return {};
    }
    if (it->is_string()) {
        std::string s = it->get<std::string>();
        return s.size() > kMaxField ? s.substr(0, kMaxField) : s;
    }
    if (it->is_number_integer()) {
        return it->dump();
    }
    return {};
}

std::optional<double> number_at(const json& doc, const char* key) {
    auto it = doc.find(key);
    if (it == doc.end()) {
        return std::nullopt;
    }
    if (it->is_number()) {
        return it->get<double>();
    }
    if (it->is_string()) {
        const std::string s = it->get<std::string>();
        char* end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        if (!s.empty() && end != nullptr && *end == '\0') {
            return v;
        }
    }
    return std::nullopt;
}

const json* object_at(const json& doc, const char* key) {
    auto it = doc.find(key);
    return it != doc.end() && it->is_object() ? &*it : nullptr;
}

void split_tags(const std::string& text, std::vector<std::string>& out) {
    size_t start = 0;
    while (start <= text.size() && out.size() < 50) {
        size_t comma = text.find(',', start);
        std::string tag = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        const size_t a = tag.find_first_not_of(' ');
        const size_t b = tag.find_last_not_of(' ');
        if (a != std::string::npos) {
            out.push_back(tag.substr(a, b - a + 1));
        }
        if (comma == std::string::npos) {
            break;
        }
        start = comma + 1;
    }
}

void tags_at(const json& doc, const char* key, std::vector<std::string>& out) {
    auto it = doc.find(key);
    if (it == doc.end()) {
        return;
    }
    if (it->is_string()) {
        split_tags(it->get<std::string>(), out);
    } else if (it->is_array()) {
        for (const auto& t : *it) {
            if (t.is_string() && out.size() < 50) {
                out.push_back(t.get<std::string>().substr(0, kMaxField));
            }
        }
    }
}

Address address_of(const json* a, const char* street1, const char* postal, const char* region,
                   const char* country) {
    Address out;
    if (a == nullptr) {
        return out;
    }
    out.name = text_at(*a, "name");
    if (out.name.empty()) {
        const std::string first = text_at(*a, "first_name");
        const std::string last = text_at(*a, "last_name");
        out.name = first + (first.empty() || last.empty() ? "" : " ") + last;
    }
    out.company = text_at(*a, "company");
    out.street1 = text_at(*a, street1);
    out.city = text_at(*a, "city");
    out.region = text_at(*a, region);
    out.postal_code = text_at(*a, postal);
    out.country = text_at(*a, country);
    return out;
}

}  // namespace

OrderFacts order_facts(std::string_view source, std::string_view original) {
    OrderFacts f;
    const json doc = json::parse(original, nullptr, false);
    if (!doc.is_object()) {
        return f;
    }
    if (source == "shopify") {
        f.total = number_at(doc, "total_price");
        f.currency = text_at(doc, "currency");
        f.email = text_at(doc, "email");
        if (const json* customer = object_at(doc, "customer")) {
            f.customer = text_at(*customer, "id");
        }
        f.risk = text_at(doc, "risk_level");
        f.bill_to =
            address_of(object_at(doc, "billing_address"), "address1", "zip", "province_code", "country_code");
        tags_at(doc, "tags", f.tags);
    } else if (source == "woocommerce") {
        f.total = number_at(doc, "total");
        f.currency = text_at(doc, "currency");
        f.customer = text_at(doc, "customer_id");
        const json* billing = object_at(doc, "billing");
        f.bill_to = address_of(billing, "address_1", "postcode", "state", "country");
        if (billing != nullptr) {
            f.email = text_at(*billing, "email");
        }
    } else {
        const json* order = object_at(doc, "order");
        if (order == nullptr) {
            return f;
        }
        f.total = number_at(*order, "total");
        f.currency = text_at(*order, "currency");
        f.email = text_at(*order, "email");
        f.customer = text_at(*order, "customer");
        f.risk = text_at(*order, "risk");
        f.bill_to = address_of(object_at(*order, "bill_to"), "street1", "postal_code", "region", "country");
        tags_at(*order, "tags", f.tags);
    }
    return f;
}

}  // namespace packd::fulfillment
