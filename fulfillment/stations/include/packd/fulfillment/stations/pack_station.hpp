#pragma once
// A pack station, driven by its scanner and its scale: the packer scans an order (its number, the
// tracking barcode on its label, or the tote a pick station filled for it), then every item that goes into
// the parcel; packd checks each one against the order. With all items in, the packer puts the parcel on the
// scale and scans DONE: packd takes the stable weight, checks it against what the items should weigh and
// ships the order with it.
//
//   idle --order--> packing --last item--> weighing --DONE + stable weight--> shipped (idle again)
//                      ^   <------UNDO-------'   \--CANCEL: the order is put aside, nothing shipped
//
// Every step is a transaction on the store, so a restart resumes where the packer was. Every scan gets one
// reply with what the station shows; a refused scan changes nothing and says why.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "packd/fulfillment/orders/order_book.hpp"
#include "packd/fulfillment/stations/scan_code.hpp"
#include "packd/fulfillment/stations/station.hpp"
#include "packd/fulfillment/store/store.hpp"
#include "packd/fulfillment/weighing/parcel_weight.hpp"
#include "packd/fulfillment/weighing/weight_service.hpp"

namespace packd::fulfillment {

struct PackStationOptions {
    /// How long DONE waits for the scale to settle before it gives up with the reason.
    std::chrono::milliseconds weigh_timeout{10000};
    /// Packaging added to the items' catalogue weight, and the tolerance, for the weight check.
    ParcelWeightRule weight_rule;
    /// The prefix our own order barcodes carry ("ORD-"); an order number is found with or without it.
    std::string order_prefix = "ORD-";
    /// Replies kept for the station screen and `packctl station`.
    size_t history = 20;
};

class PackStation final : public Station {
  public:
    /// `on_later` gets the replies that come after the scan that caused them (the end of a weighing).
    PackStation(Store& store, OrderBook& orders, std::string name, PackStationOptions options,
                std::function<void(const StationReply&)> on_later);
    ~PackStation() override;
    PackStation(const PackStation&) = delete;
    PackStation& operator=(const PackStation&) = delete;

    const std::string& name() const { return name_; }
    /// The station's scale; none (nullptr) ships without a weight. Must outlive its use or be replaced.
    void use_scale(WeightService* scale);
    void set_options(PackStationOptions options) { options_ = std::move(options); }

    /// Acts on one scan and returns what the station shows now. A DONE with a scale returns "weighing"
    /// and reports the shipment (or why not) through `on_later`.
    StationReply on_scan(const ScanEvent& scan) override;

    /// Where the station stands: state, open order and its progress, the live weight, recent replies.
    nlohmann::json view() const override;
    StationMode mode() const override { return StationMode::pack; }
    bool busy() const override { return session().has_value(); }

  private:
    struct Session {
        std::string order_id;
        StationState state = StationState::packing;
    };
    std::optional<Session> session() const;
    /// Removes the station's session and its items; inside the caller's transaction.
    void close_session();
    std::vector<PackProgress> progress(const std::string& order_id) const;
    std::optional<std::string> find_order(const ScanEvent& scan) const;
    /// Closes the session of an order that was cancelled or shipped elsewhere, with what to tell the packer.
    std::optional<StationReply> close_if_gone();

    StationReply open_order(const std::string& order_id);
    StationReply add_item(const Session& s, const ScanMeaning& item, const ScanEvent& scan);
    StationReply command(const std::string& word);
    StationReply done(const Session& s);
    StationReply cancel(const Session& s);
    StationReply undo(const Session& s);
    StationReply reprint(const Session& s);
    StationReply ship(const std::string& order_id, Result<drivers::WeightReading> weight);

    StationReply reply(bool ok, std::string message) const;
    StationReply remember(StationReply r);

    Store& store_;
    OrderBook& orders_;
    std::string name_;
    PackStationOptions options_;
    std::function<void(const StationReply&)> on_later_;
    WeightService* scale_ = nullptr;
    bool weighing_ = false;   ///< a DONE is waiting for the scale
    uint64_t weighings_ = 0;  ///< counts DONEs, so a late answer for an abandoned weighing is dropped
    std::deque<StationReply> recent_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace packd::fulfillment
