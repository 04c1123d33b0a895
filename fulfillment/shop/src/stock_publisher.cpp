#include "packd/fulfillment/shop/stock_publisher.hpp"

#include <nlohmann/json.hpp>
#include <vector>

#include "packd/common/log.hpp"

namespace packd::fulfillment {

StockPublisher::StockPublisher(Store& store, Inventory& inventory, Topics topics, Publish publish)
    : store_(store), inventory_(inventory), topics_(std::move(topics)), publish_(std::move(publish)) {}

StockPublisher::~StockPublisher() {
    *alive_ = false;
}

void StockPublisher::record_acknowledged() {
    if (acknowledged_.empty()) {
        return;
    }
    std::vector<std::pair<std::string, int64_t>> acknowledged;
    acknowledged.swap(acknowledged_);
    try {
        // Only the version that went out is acknowledged: a change made meanwhile stays due. The row stays,
        // so the next version grows from this one. All of a turn's PUBACKs in one commit; one lost to a
        // power cut only publishes that level again.
        store_.commit_without_flush([&] {
            for (const auto& [sku, version] : acknowledged) {
                store_.db()
                    .cached("UPDATE stock_out SET published = max(published, ?2) WHERE sku = ?1")
                    .bind(1, sku)
                    .bind(2, version)
                    .run();
            }
        });
    } catch (const SqliteError& e) {
        log::error(std::string("stock levels: ") + e.what());
    }
}

void StockPublisher::restart() {
    ++generation_;
    in_flight_.clear();
}

int StockPublisher::publish_pending(int limit) {
    record_acknowledged();
    std::vector<std::pair<std::string, int64_t>> marked;
    try {
        auto st = store_.db().prepare(
            "SELECT sku, version FROM stock_out INDEXED BY stock_out_due WHERE version > published ORDER BY "
            "sku "
            "LIMIT ?");
        st.bind(1, limit + static_cast<int>(in_flight_.size()));
        while (st.step()) {
            marked.emplace_back(st.text(0), st.int64(1));
        }
    } catch (const SqliteError& e) {
        log::error(std::string("stock levels: ") + e.what());
        return 0;
    }
    int sent = 0;
    for (const auto& [sku, version] : marked) {
        if (sent >= limit) {
            break;
        }
        if (auto it = in_flight_.find(sku); it != in_flight_.end()) {
            continue;  // its PUBACK is due; a newer version goes out after it
        }
        const StockLevel level = inventory_.level(sku);
        const nlohmann::json doc{{"sku", sku},
                                 {"on_hand", level.on_hand},
                                 {"reserved", level.reserved},
                                 {"available", level.available},
                                 {"version", version}};
        OutboxMessage msg;
        msg.topic = topics_.stock(sku);
        msg.payload = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        msg.qos = 1;
        msg.retain = true;
        in_flight_[sku] = version;
        ++sent;
        std::weak_ptr<bool> alive = alive_;
        const uint64_t generation = generation_;
        publish_(msg, [this, alive, generation, sku = sku, version = version](bool acked) {
            if (alive.expired() || generation != generation_) {
                return;
            }
            in_flight_.erase(sku);
            if (!acked) {
                return;  // stays marked; sent again on the next pass
            }
            acknowledged_.emplace_back(sku, version);  // recorded by the next pass, with the others
        });
    }
    return sent;
}

}  // namespace packd::fulfillment
