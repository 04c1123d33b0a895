// Labels intake queues or publishes: the shipping label of an accepted order, a return label, a label
// the shop supplied.

#include "packd/fulfillment/intake/order_intake.hpp"

#include <nlohmann/json.hpp>

#include "packd/common/json_text.hpp"
#include "packd/common/log.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/labels/label_data.hpp"
#include "packd/fulfillment/labels/label_pdf.hpp"
#include "packd/fulfillment/orders/order_event.hpp"
#include "packd/fulfillment/orders/tracking.hpp"
#include "packd/fulfillment/shop/shop_events.hpp"
#include "packd/fulfillment/shop/shop_formats.hpp"

namespace packd::fulfillment {
using nlohmann::json;

std::string OrderIntake::local_tracking_number(const OrderEvent& ev) {
    // A number taken for an earlier label of this order stays the order's: a relabel never takes another.
    if (auto kept = orders_.tracking_of(ev.order_id); kept && !kept->empty()) {
        return *kept;
    }
    TrackingNumbers numbers(store_, topics_);
    if (ev.carrier.empty() || !numbers.has_range(ev.carrier)) {
        return {};  // the shop sends the number, or its label, later
    }
    // Taken inside the order's transaction: if the label is not stored, the number is not used either.
    auto number = numbers.allocate(ev.carrier, true);
    if (!number) {
        log::warning("order " + ev.order_id + ": label without a tracking number: " + number.error().message);
        return {};
    }
    if (auto kept = orders_.set_tracking(ev.order_id, *number); !kept) {
        log::warning("order " + ev.order_id + ": tracking number " + *number +
                     " not kept: " + kept.error().message);
        return {};
    }
    return *number;
}

std::string OrderIntake::queue_shipping_label(const OrderEvent& original, bool created) {
    // What merchant rules set on the order wins over the shop's event: carrier, service, printer.
    OrderEvent ev = original;
    std::string printer = route_.printer;
    bool with_return = false;
    if (auto routing = orders_.routing(ev.order_id)) {
        ev.carrier = routing->carrier;
        ev.service = routing->service;
        printer = routing->printer.empty() ? printer : routing->printer;
        with_return = routing->return_label;
    }
    if (printer.empty()) {
        return {};
    }
    ShippingLabelData data;
    data.order_id = ev.order_id;
    data.ship_from = route_.ship_from;
    data.ship_to = ev.ship_to;
    data.carrier = ev.carrier;
    data.service = ev.service;
    data.tracking_number = ev.tracking_number.empty() ? local_tracking_number(ev) : ev.tracking_number;
    if (!route_.templates) {
        log::warning("order " + ev.order_id + ": no shipping label, no label templates are loaded");
        return {};
    }
    // From the template compiled for this stock: the data filled in, microseconds. The printer needs only
    // the ZPL; the preview is drawn from the kept label model when someone asks for it (LabelPreviews),
    // never here inside the order's transaction.
    const DrawnLabel label =
        route_.templates->of(LabelKind::Shipping).compiled(route_.size)->draw(label_data(data));
    if (auto valid = validate(label.label); !valid) {
        // Printed all the same: a label without its barcode beats no label; the packer sees the gap.
        log::warning("order " + ev.order_id + ": shipping label: " + valid.error().message);
    }
    // A label that printed before this change of the order is replaced, and says it is a reprint. A new order
    // has none, and is not looked up: print_jobs has no index by order, so the look-up reads every job ever
    // printed, which made each order of a backlog slower than the one before.
    store_.print_job_add(printer, "shipping", ev.order_id, label.zpl, label.label,
                         !created && store_.label_printed(ev.order_id, "shipping"), data.tracking_number);
    if (with_return) {
        if (auto added = queue_return_label_for(ev.order_id); !added) {
            log::warning("order " + ev.order_id +
                         ": no return label in the parcel: " + added.error().message);
        }
    }
    return printer;
}

Result<std::string> OrderIntake::queue_label_for(const std::string& order_id) {
    auto ev = parse_inbound_order(orders_.original_of(order_id), max_payload_bytes_, "", nullptr);
    if (!ev) {
        return fail("order " + order_id + ": its original cannot be read again: " + ev.error().message);
    }
    store_.print_jobs_cancel_pending(order_id, "shipping");
    return queue_shipping_label(*ev, false);
}

Result<std::string> OrderIntake::queue_return_label_for(const std::string& order_id) {
    auto order = parse_inbound_order(orders_.original_of(order_id), max_payload_bytes_, "", nullptr);
    if (!order) {
        return fail("the order's original cannot be read again: " + order.error().message);
    }
    if (!route_.templates) {
        return fail("no label templates are loaded");
    }
    auto routing = orders_.routing(order_id);
    const std::string printer = routing && !routing->printer.empty() ? routing->printer : route_.printer;
    if (printer.empty()) {
        return fail("no label printer is configured ([labels] printer)");
    }
    ReturnLabelData data;
    data.rma = "R-" + order_id;
    data.order_id = order_id;
    data.from = order->ship_to;
    data.return_to = route_.ship_from;
    data.carrier = routing ? routing->carrier : order->carrier;
    const Label label = render(route_.templates->of(LabelKind::Return), label_data(data), route_.size);
    if (auto valid = validate(label); !valid) {
        return valid.error();
    }
    store_.print_jobs_cancel_pending(order_id, "return");
    store_.print_job_add(printer, "return", order_id, to_zpl(label), label, false);
    return printer;
}

Status OrderIntake::publish_return_label(const ReturnEvent& ev, const std::string& order_id) {
    // From the customer (the order's ship-to) back to the warehouse, with the RMA as its reference.
    auto order = parse_inbound_order(orders_.original_of(order_id), max_payload_bytes_, "", nullptr);
    if (!order) {
        return fail("the order's original cannot be read again: " + order.error().message);
    }
    if (!route_.templates) {
        return fail("no label templates are loaded");
    }
    ReturnLabelData data;
    data.rma = ev.rma;
    data.order_id = order_id;
    data.from = order->ship_to;
    data.return_to = route_.ship_from;
    data.carrier = ev.carrier;
    data.tracking_number = ev.tracking_number;
    const Label label = render(route_.templates->of(LabelKind::Return), label_data(data), route_.size);
    if (auto valid = validate(label); !valid) {
        return valid.error();
    }
    auto png = to_png(label);
    if (!png) {
        return png.error();
    }
    auto pdf = to_pdf(label);
    if (!pdf) {
        return pdf.error();
    }
    const json message{{"rma", ev.rma},
                       {"order_id", order_id},
                       {"carrier", ev.carrier},
                       {"tracking_number", ev.tracking_number},
                       {"width_dots", label.size.width_dots},
                       {"height_dots", label.size.height_dots},
                       {"dpi", label.size.dpi},
                       {"png_base64", base64_encode(*png)},
                       {"pdf_base64", base64_encode(*pdf)}};
    store_.outbox_add(topics_.return_label(ev.rma), json_text(message), false);
    return {};
}

Status OrderIntake::queue_supplied_label(const LabelEvent& ev, IntakeResult& result) {
    const auto state = orders_.state_of(ev.order_id);
    if (!state) {
        return fail("label for unknown order " + printable(ev.order_id) + "; send it after the order");
    }
    if (*state == OrderState::held || *state == OrderState::cancelled || *state == OrderState::shipped) {
        return fail("label for order " + ev.order_id + ", which is " + std::string(to_string(*state)) +
                    "; nothing to print it for");
    }
    if (route_.printer.empty()) {
        return fail("label for order " + ev.order_id + ": no label printer is configured ([labels] printer)");
    }
    auto zpl = supplied_label_to_zpl(ev.format, ev.data, route_.size, max_payload_bytes_);
    if (!zpl) {
        return fail("label for order " + ev.order_id + ": " + zpl.error().message);
    }
    // The shop's label replaces packd's own one that has not printed yet; one that has is kept in the
    // history, and the new label is the one to stick on.
    store_.print_jobs_cancel_pending(ev.order_id, "shipping");
    if (!ev.tracking_number.empty()) {
        if (auto set = orders_.set_tracking(ev.order_id, ev.tracking_number); !set) {
            return set.error();
        }
    }
    const std::string preview = ev.format == SuppliedLabelFormat::Png ? ev.data : std::string();
    store_.print_job_add(route_.printer, "shipping", ev.order_id, *zpl, preview, false, ev.tracking_number);
    result.printers_with_new_jobs.insert(route_.printer);
    return {};
}

}  // namespace packd::fulfillment
