#pragma once
// The admin verbs that print packd's own labels on demand: "label_pick_list" (`packctl label pick-list
// ORDER...`) and "label_sscc" (`packctl label sscc ORDER [--count N]`), each on the printer routed for its
// kind and, with --station, for that station; a job is stored in the print queue before the answer. And
// "label_preview" (`packctl label preview ORDER [--kind K]`, `--job ID`): a print job's PNG preview, drawn
// from the label it keeps when asked, and kept for the next ask.

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "packd/fulfillment/domain/topics.hpp"
#include "packd/fulfillment/inventory/inventory.hpp"
#include "packd/fulfillment/labels/label_template.hpp"
#include "packd/fulfillment/labels/shipping_label.hpp"
#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/printing/label_previews.hpp"
#include "packd/fulfillment/store/store.hpp"
#include "packd/host/config.hpp"

namespace packd::host {

/// Where labels go and how they look; replaced whole on reload.
struct LabelSetup {
    ReloadableSections devices;
    std::shared_ptr<const fulfillment::LabelTemplates> templates;
    fulfillment::Address ship_from;
    std::string sscc_carrier;  ///< the carrier name of the [tracking.*] range with scheme "sscc"; empty: none
    size_t max_payload_bytes = 256 * 1024;
};

/// The folder of the label templates: [labels] templates, else the installed config/labels, else (packd run
/// from a build folder) the source tree's.
std::string label_templates_dir(const LabelsConfig& labels);

/// The stock of `printer` at its resolution, as [labels] size names it.
fulfillment::LabelSize label_size_for(const ReloadableSections& devices, const std::string& printer);

class LabelCommands {
  public:
    LabelCommands(fulfillment::Store& store, fulfillment::OrderBook& orders,
                  fulfillment::Inventory& inventory, fulfillment::Topics topics,
                  fulfillment::LabelPreviews& previews)
        : store_(store),
          orders_(orders),
          inventory_(inventory),
          topics_(std::move(topics)),
          previews_(previews) {}

    void set_setup(LabelSetup setup) { setup_ = std::move(setup); }

    /// The answer when `verb` is a label verb, nothing otherwise. An answer that is ok names the "printer"
    /// whose queue got the jobs.
    std::optional<nlohmann::json> handle(const std::string& verb, const nlohmann::json& request);

  private:
    nlohmann::json pick_list(const nlohmann::json& request);
    nlohmann::json sscc(const nlohmann::json& request);
    nlohmann::json preview(const nlohmann::json& request);
    /// A test label on a printer: its name, resolution, the time and a barcode (the device page's button).
    nlohmann::json test_label(const nlohmann::json& request);
    /// The command sheet of a station: every command barcode of each mode it can run in.
    nlohmann::json commands(const nlohmann::json& request);
    /// The printer for `kind` at the request's station, or the reason there is none.
    Result<std::string> printer_for(const std::string& kind, const nlohmann::json& request) const;

    fulfillment::Store& store_;
    fulfillment::OrderBook& orders_;
    fulfillment::Inventory& inventory_;
    fulfillment::Topics topics_;
    fulfillment::LabelPreviews& previews_;
    LabelSetup setup_;
};

}  // namespace packd::host
