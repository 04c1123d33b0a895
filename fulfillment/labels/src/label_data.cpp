// The data of each label kind by the names templates use (docs/labels.md lists them).

#include "packd/fulfillment/labels/label_data.hpp"

#include <initializer_list>
#include <string_view>

namespace packd::fulfillment {
namespace {

const std::vector<std::string> kAddressParts = {"name",   "company",     "street1", "street2",  "city",
                                                "region", "postal_code", "country", "city_line"};

void add_address(std::vector<std::string>& names, const std::string& prefix) {
    for (const auto& part : kAddressParts) {
        names.push_back(prefix + "." + part);
    }
}

std::string join(std::initializer_list<std::string_view> parts, std::string_view separator) {
    std::string out;
    for (const std::string_view part : parts) {
        if (part.empty()) {
            continue;
        }
        if (!out.empty()) {
            out += separator;
        }
        out += part;
    }
    return out;
}

// "Springfield, IL 62704" where a region is given (North America, Australia), else "80331 München".
std::string city_line(const Address& address) {
    if (address.region.empty()) {
        return join({address.postal_code, address.city}, " ");
    }
    return join({address.city, join({address.region, address.postal_code}, " ")}, ", ");
}

void put_address(LabelData& data, const std::string& prefix, const Address& a) {
    auto& v = data.values;
    v[prefix + ".name"] = a.name;
    v[prefix + ".company"] = a.company;
    v[prefix + ".street1"] = a.street1;
    v[prefix + ".street2"] = a.street2;
    v[prefix + ".city"] = a.city;
    v[prefix + ".region"] = a.region;
    v[prefix + ".postal_code"] = a.postal_code;
    v[prefix + ".country"] = a.country;
    v[prefix + ".city_line"] = city_line(a);
}

std::string weight_text(int grams) {
    if (grams <= 0) {
        return {};
    }
    const int hundredths = (grams + 5) / 10;  // of a kilogram, rounded
    const int fraction = hundredths % 100;
    return std::to_string(hundredths / 100) + (fraction < 10 ? ".0" : ".") + std::to_string(fraction) + " kg";
}

}  // namespace

const char* to_string(LabelKind kind) {
    switch (kind) {
        case LabelKind::Shipping:
            return "shipping";
        case LabelKind::Return:
            return "return";
        case LabelKind::PickList:
            return "pick_list";
        case LabelKind::Sscc:
            return "sscc";
    }
    return "shipping";
}

Result<LabelKind> parse_label_kind(std::string_view name) {
    for (const LabelKind kind :
         {LabelKind::Shipping, LabelKind::Return, LabelKind::PickList, LabelKind::Sscc}) {
        if (name == to_string(kind)) {
            return kind;
        }
    }
    return fail("expected one of \"shipping\", \"return\", \"pick_list\", \"sscc\"");
}

const std::vector<std::string>& label_data_fields(LabelKind kind) {
    static const auto fields = [] {
        std::map<LabelKind, std::vector<std::string>> f;
        f[LabelKind::Shipping] = {"page",    "pages",           "order_id",     "carrier",
                                  "service", "tracking_number", "tracking_url", "weight"};
        add_address(f[LabelKind::Shipping], "ship_from");
        add_address(f[LabelKind::Shipping], "ship_to");
        f[LabelKind::Return] = {"page", "pages", "rma", "order_id", "carrier", "tracking_number"};
        add_address(f[LabelKind::Return], "from");
        add_address(f[LabelKind::Return], "return_to");
        f[LabelKind::PickList] = {"page", "pages", "title", "order_ids", "line_count"};
        f[LabelKind::Sscc] = {"page", "pages", "sscc", "gtin", "count", "order_id", "carrier", "carton"};
        add_address(f[LabelKind::Sscc], "ship_from");
        add_address(f[LabelKind::Sscc], "ship_to");
        return f;
    }();
    return fields.at(kind);
}

const std::vector<std::string>& label_row_fields(LabelKind kind) {
    static const std::vector<std::string> none;
    static const std::vector<std::string> pick = {"row.order_id", "row.location", "row.sku", "row.name",
                                                  "row.quantity"};
    return kind == LabelKind::PickList ? pick : none;
}

LabelData label_data(const ShippingLabelData& d) {
    LabelData data;
    data.values = {{"order_id", d.order_id},         {"carrier", d.carrier},
                   {"service", d.service},           {"tracking_number", d.tracking_number},
                   {"tracking_url", d.tracking_url}, {"weight", weight_text(d.weight_grams)}};
    put_address(data, "ship_from", d.ship_from);
    put_address(data, "ship_to", d.ship_to);
    return data;
}

LabelData label_data(const ReturnLabelData& d) {
    LabelData data;
    data.values = {{"rma", d.rma},
                   {"order_id", d.order_id},
                   {"carrier", d.carrier},
                   {"tracking_number", d.tracking_number}};
    put_address(data, "from", d.from);
    put_address(data, "return_to", d.return_to);
    return data;
}

LabelData label_data(const PickListData& d) {
    LabelData data;
    std::string ids;
    for (const auto& id : d.order_ids) {
        ids += ids.empty() ? "" : ", ";
        ids += id;
    }
    data.values = {{"title", d.title}, {"order_ids", ids}, {"line_count", std::to_string(d.lines.size())}};
    for (const auto& line : d.lines) {
        data.rows.push_back({{"order_id", line.order_id},
                             {"location", line.location},
                             {"sku", line.sku},
                             {"name", line.name},
                             {"quantity", std::to_string(line.quantity)}});
    }
    return data;
}

LabelData label_data(const SsccLabelData& d) {
    LabelData data;
    data.values = {{"sscc", d.sscc},         {"gtin", d.gtin},       {"count", d.count},
                   {"order_id", d.order_id}, {"carrier", d.carrier}, {"carton", d.carton}};
    put_address(data, "ship_from", d.ship_from);
    put_address(data, "ship_to", d.ship_to);
    return data;
}

}  // namespace packd::fulfillment
