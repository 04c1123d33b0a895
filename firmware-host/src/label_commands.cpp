#include "packd/host/label_commands.hpp"

#include <algorithm>
#include <ctime>
#include <filesystem>

#include "packd/common/log.hpp"
#include "packd/common/text.hpp"
#include "packd/fulfillment/barcodes/gs1.hpp"
#include "packd/fulfillment/labels/label_data.hpp"
#include "packd/fulfillment/orders/tracking.hpp"
#include "packd/fulfillment/shop/shop_formats.hpp"
#include "packd/host/command_sheet.hpp"

namespace packd::host {
namespace ful = packd::fulfillment;
using nlohmann::json;

namespace {

json refused(const std::string& why) {
    return {{"ok", false}, {"error", why}};
}

constexpr int kMaxOrdersPerPickList = 100;
constexpr int kMaxSsccLabels = 999;

}  // namespace

std::string label_templates_dir(const LabelsConfig& labels) {
    if (!labels.templates.empty()) {
        return labels.templates;
    }
    return std::filesystem::is_directory(PACKD_LABEL_TEMPLATES_DIR) ? PACKD_LABEL_TEMPLATES_DIR
                                                                    : PACKD_SOURCE_LABEL_TEMPLATES_DIR;
}

ful::LabelSize label_size_for(const ReloadableSections& devices, const std::string& printer) {
    int dpi = 203;
    if (const auto it = devices.printers.find(printer); it != devices.printers.end()) {
        dpi = it->second.dpi;
    }
    return devices.labels.size == "100x150mm" ? ful::LabelSize::millimetres(100, 150, dpi)
                                              : ful::LabelSize::inches(4, 6, dpi);
}

std::optional<json> LabelCommands::handle(const std::string& verb, const json& request) {
    if (verb != "label_pick_list" && verb != "label_sscc" && verb != "label_preview" &&
        verb != "label_commands" && verb != "label_test") {
        return std::nullopt;
    }
    if (verb == "label_test") {
        return test_label(request);
    }
    if (verb == "label_preview") {
        return preview(request);
    }
    if (verb == "label_commands") {
        return commands(request);
    }
    if (!setup_.templates) {
        return refused("no label templates are loaded");
    }
    try {
        return verb == "label_pick_list" ? pick_list(request) : sscc(request);
    } catch (const ful::SqliteError& e) {
        log::error(verb + ": " + e.what());
        return refused(std::string("store: ") + e.what());
    }
}

Result<std::string> LabelCommands::printer_for(const std::string& kind, const json& request) const {
    const std::string station = request.value("station", "");
    const StationConfig* at = nullptr;
    if (!station.empty()) {
        const auto it = setup_.devices.stations.find(station);
        if (it == setup_.devices.stations.end()) {
            return fail("no station \"" + printable(station.substr(0, 64)) + "\" is configured");
        }
        at = &it->second;
    }
    std::string printer = setup_.devices.labels.printer_for(kind, at);
    if (printer.empty()) {
        return fail("no printer for " + kind + " labels: set [labels.routes] " + kind +
                    " or [labels] printer");
    }
    return printer;
}

json LabelCommands::pick_list(const json& request) {
    const auto ids = request.find("orders");
    if (ids == request.end() || !ids->is_array() || ids->empty() || ids->size() > kMaxOrdersPerPickList) {
        return refused("label_pick_list needs \"orders\": 1 to 100 order ids");
    }
    auto printer = printer_for("pick_list", request);
    if (!printer) {
        return refused(printer.error().message);
    }
    ful::PickListData data;
    for (const auto& id_json : *ids) {
        const std::string id = id_json.is_string() ? id_json.get<std::string>() : std::string();
        auto detail = orders_.detail(id);
        if (!detail) {
            return refused("pick list: unknown order \"" + printable(id.substr(0, 64)) + "\"");
        }
        data.order_ids.push_back(id);
        for (const auto& line : detail->lines) {
            ful::PickLine pick{id, "", line.sku, line.sku, line.quantity};
            if (auto product = inventory_.product(line.sku)) {
                pick.name = product->name;
            }
            // The first location that holds the SKU, as a picker walks to it; none when nothing is on hand.
            for (const auto& row : inventory_.level(line.sku).rows) {
                if (row.on_hand > 0) {
                    pick.location = row.location;
                    break;
                }
            }
            data.lines.push_back(std::move(pick));
        }
    }
    data.title = data.order_ids.size() == 1 ? "Order " + data.order_ids.front()
                                            : "Batch of " + std::to_string(data.order_ids.size()) + " orders";
    const ful::LabelSize size = label_size_for(setup_.devices, *printer);
    const auto pages =
        setup_.templates->of(ful::LabelKind::PickList).compiled(size)->draw_pages(ful::label_data(data));
    json jobs = json::array();
    ful::Transaction tx(store_.db());
    for (const auto& page : pages) {
        if (auto valid = ful::validate(page.label); !valid) {
            return refused("pick list: " + valid.error().message);
        }
        jobs.push_back(
            store_.print_job_add(*printer, "pick_list", data.order_ids.front(), page.zpl, page.label, false));
    }
    tx.commit();
    log::notice("pick list of " + std::to_string(data.order_ids.size()) + " orders, " +
                std::to_string(data.lines.size()) + " lines, " + std::to_string(pages.size()) +
                " labels queued on printer " + *printer);
    return {{"ok", true}, {"printer", *printer}, {"jobs", jobs}, {"pages", pages.size()}};
}

json LabelCommands::sscc(const json& request) {
    const std::string order_id = request.value("order", "");
    const int count = request.value("count", 1);
    if (count < 1 || count > kMaxSsccLabels) {
        return refused("label_sscc: count must be 1 to 999");
    }
    if (setup_.sscc_carrier.empty()) {
        return refused("no SSCC range is configured: add a [tracking.NAME] with scheme = \"sscc\"");
    }
    auto printer = printer_for("sscc", request);
    if (!printer) {
        return refused(printer.error().message);
    }
    if (!orders_.state_of(order_id)) {
        return refused("SSCC label: unknown order \"" + printable(order_id.substr(0, 64)) + "\"");
    }
    auto order =
        ful::parse_inbound_order(orders_.original_of(order_id), setup_.max_payload_bytes, "", nullptr);
    if (!order) {
        return refused("SSCC label: the order's original cannot be read again: " + order.error().message);
    }
    ful::SsccLabelData data;
    data.ship_from = setup_.ship_from;
    data.ship_to = order->ship_to;
    data.carrier = order->carrier;
    // (400) carries the order only when GS1's character set allows it; the text lines show it either way.
    if (ful::parse_gs1("(400)" + order_id)) {
        data.order_id = order_id;
    }
    const ful::LabelSize size = label_size_for(setup_.devices, *printer);
    ful::TrackingNumbers numbers(store_, topics_);
    json jobs = json::array();
    json ssccs = json::array();
    // The numbers and their jobs commit together: a number is never printed without being taken.
    ful::Transaction tx(store_.db());
    for (int i = 0; i < count; ++i) {
        auto number = numbers.allocate(setup_.sscc_carrier, true);
        if (!number) {
            return refused("SSCC label: " + number.error().message);
        }
        data.sscc = *number;
        data.carton = std::to_string(i + 1) + " of " + std::to_string(count);
        const ful::DrawnLabel label =
            setup_.templates->of(ful::LabelKind::Sscc).compiled(size)->draw(ful::label_data(data));
        if (auto valid = ful::validate(label.label); !valid) {
            return refused("SSCC label: " + valid.error().message);
        }
        jobs.push_back(store_.print_job_add(*printer, "sscc", order_id, label.zpl, label.label, false));
        ssccs.push_back(*number);
    }
    tx.commit();
    log::notice("SSCC labels for order " + order_id + ": " + ssccs.dump() + " queued on printer " + *printer);
    return {{"ok", true}, {"printer", *printer}, {"jobs", jobs}, {"ssccs", ssccs}};
}

json LabelCommands::commands(const json& request) {
    const std::string station = request.value("station", "");
    const auto it = setup_.devices.stations.find(station);
    if (it == setup_.devices.stations.end()) {
        return refused("label_commands needs a configured \"station\": no station \"" +
                       printable(station.substr(0, 64)) + "\"");
    }
    auto printer = printer_for("commands", request);
    if (!printer) {
        return refused(printer.error().message);
    }
    // Every mode the station can run in, its own first: the sheet covers what a MODE- scan switches to.
    std::vector<ful::StationMode> modes{
        ful::station_mode_named(it->second.mode).value_or(ful::StationMode::pack)};
    for (const std::string& word : it->second.modes) {
        const auto mode = ful::station_mode_named(word);
        if (mode && std::find(modes.begin(), modes.end(), *mode) == modes.end()) {
            modes.push_back(*mode);
        }
    }
    std::vector<std::pair<ful::StationMode, std::vector<ful::CommandCard>>> sections;
    for (const ful::StationMode mode : modes) {
        sections.emplace_back(mode, ful::command_cards(mode, modes));
    }
    const auto labels = command_sheet(station, sections, label_size_for(setup_.devices, *printer));
    json jobs = json::array();
    ful::Transaction tx(store_.db());
    for (const auto& label : labels) {
        if (auto valid = ful::validate(label); !valid) {
            return refused("command sheet: " + valid.error().message);
        }
        jobs.push_back(store_.print_job_add(*printer, "commands", "", ful::to_zpl(label), label, false));
    }
    tx.commit();
    log::notice("command sheet of station " + station + ": " + std::to_string(labels.size()) +
                " labels queued on printer " + *printer);
    return {{"ok", true}, {"printer", *printer}, {"jobs", jobs}};
}

json LabelCommands::test_label(const json& request) {
    const std::string printer = request.value("printer", "");
    if (!setup_.devices.printers.count(printer)) {
        return refused("label_test needs a configured \"printer\": no printer \"" +
                       printable(printer.substr(0, 64)) + "\"");
    }
    const ful::LabelSize size = label_size_for(setup_.devices, printer);
    const int margin = size.dots_from_mm(5);
    const int line = size.dots_from_mm(6);
    const std::time_t now = std::time(nullptr);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
    ful::Label label;
    label.size = size;
    const int width = size.width_dots - 2 * margin;
    const std::string lines[] = {"packd test label",
                                 "printer " + printer + ", " + std::to_string(size.dpi) + " dpi", when};
    for (int i = 0; i < 3; ++i) {
        ful::TextField field;
        field.x = margin;
        field.y = margin + line * (i == 0 ? 0 : 1 + 2 * i);
        field.height = i == 0 ? line * 2 : line;
        field.max_width = width;
        field.text = lines[i];
        field.bold = i == 0;
        field.min_height = line / 2;
        label.fields.emplace_back(std::move(field));
    }
    ful::BarcodeField code;
    code.kind = ful::BarcodeKind::Code128;
    code.x = margin;
    code.y = margin + line * 7;
    code.module_width = 2;
    code.height = size.dots_from_mm(15);
    code.data = "PACKD-TEST";
    code.human_readable = true;
    label.fields.emplace_back(std::move(code));
    if (auto valid = ful::validate(label); !valid) {
        return refused("test label: " + valid.error().message);
    }
    ful::Transaction tx(store_.db());
    const int64_t job = store_.print_job_add(printer, "test", "", ful::to_zpl(label), label, false);
    tx.commit();
    log::notice("test label queued on printer " + printer + " (job " + std::to_string(job) + ")");
    return {{"ok", true}, {"printer", printer}, {"job", job}, {"jobs", json::array({job})}};
}

json LabelCommands::preview(const json& request) {
    const auto job = request.find("job");
    Result<ful::JobPreview> preview = fail("label_preview needs \"order\" (and \"kind\") or \"job\"");
    if (job != request.end() && job->is_number_integer()) {
        preview = previews_.of_job(job->get<int64_t>());
    } else if (const auto order = request.find("order"); order != request.end() && order->is_string()) {
        const std::string kind = request.value("kind", "");
        if (!kind.empty() && !ful::parse_label_kind(kind)) {
            return refused("label_preview: unknown kind \"" + printable(kind.substr(0, 32)) +
                           "\" (shipping, return, pick_list or sscc)");
        }
        preview = previews_.of_order(order->get<std::string>(), kind.empty() ? "shipping" : kind);
    }
    if (!preview) {
        return refused(preview.error().message);
    }
    return {{"ok", true},
            {"job", preview->job_id},
            {"order", preview->order_id},
            {"kind", preview->kind},
            {"printer", preview->printer},
            {"png_base64", base64_encode(preview->png)}};
}

}  // namespace packd::host
