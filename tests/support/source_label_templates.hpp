#pragma once
// The label templates of the source tree (config/labels/), as the tests and benchmarks draw with them.

#include <stdexcept>
#include <string>

#include "packd/fulfillment/labels/label_data.hpp"
#include "packd/fulfillment/labels/label_template.hpp"

namespace packd::test {

inline std::string source_label_templates_dir() {
    return std::string(PACKD_SOURCE_DIR) + "/config/labels";
}

/// The four templates, loaded once. A template that does not load is a broken build: it throws.
inline const fulfillment::LabelTemplates& source_label_templates() {
    static const fulfillment::LabelTemplates templates = [] {
        auto loaded = fulfillment::load_label_templates(source_label_templates_dir());
        if (!loaded) {
            throw std::runtime_error(loaded.error().message);
        }
        return std::move(*loaded);
    }();
    return templates;
}

/// The shipping label as packd draws it for an order.
inline fulfillment::Label shipping_label(const fulfillment::ShippingLabelData& data,
                                         fulfillment::LabelSize size) {
    return fulfillment::render(source_label_templates().of(fulfillment::LabelKind::Shipping),
                               fulfillment::label_data(data), size);
}

}  // namespace packd::test
