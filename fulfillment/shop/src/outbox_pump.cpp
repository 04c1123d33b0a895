#include "packd/fulfillment/shop/outbox_pump.hpp"

#include <boost/asio/post.hpp>

#include "packd/common/log.hpp"

namespace packd::fulfillment {

OutboxPump::OutboxPump(Store& store, ShopLink& link, int max_in_flight)
    : store_(store), link_(link), max_in_flight_(max_in_flight), retry_timer_(link.executor()) {}

OutboxPump::~OutboxPump() {
    *alive_ = false;
}

void OutboxPump::remove_acknowledged() {
    removal_posted_ = false;
    std::vector<int64_t> ids;
    ids.swap(acknowledged_);
    if (auto st = store_.outbox_remove(ids); !st) {
        log::error(st.error().message);
    }
}

void OutboxPump::retry_soon() {
    if (retry_armed_) {
        return;
    }
    retry_armed_ = true;
    // Not at once: what refused the publish (Paho's buffer full) needs a moment to drain.
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    std::weak_ptr<bool> alive = alive_;
    retry_timer_.async_wait([this, alive](const boost::system::error_code& ec) {
        if (ec || alive.expired()) {
            return;
        }
        retry_armed_ = false;
        restart();
    });
}

void OutboxPump::restart() {
    ++generation_;
    in_flight_ = 0;
    last_sent_id_ = 0;
    kick();
}

void OutboxPump::kick() {
    if (!link_.connected()) {
        return;
    }
    while (in_flight_ < max_in_flight_) {
        auto pending = store_.outbox_pending(last_sent_id_, max_in_flight_ - in_flight_);
        if (!pending) {
            log::error(pending.error().message);
            return;
        }
        const std::vector<OutboxMessage> rows = std::move(pending).value();
        if (rows.empty()) {
            return;
        }
        for (const auto& row : rows) {
            last_sent_id_ = row.id;
            ++in_flight_;
            std::weak_ptr<bool> alive = alive_;
            const uint64_t generation = generation_;
            const int64_t id = row.id;
            link_.publish(row, [this, alive, generation, id](bool acked) {
                if (alive.expired()) {
                    return;
                }
                if (acked) {
                    // Removing a row twice is harmless: the same id is never reused. A crash before the
                    // removal commits sends the row again (at least once, never lost).
                    acknowledged_.push_back(id);
                    if (!removal_posted_) {
                        removal_posted_ = true;
                        boost::asio::post(link_.executor(), [this, alive] {
                            if (!alive.expired()) {
                                remove_acknowledged();
                            }
                        });
                    }
                }
                if (generation != generation_) {
                    return;
                }
                --in_flight_;
                if (acked) {
                    kick();
                } else if (link_.connected()) {
                    retry_soon();
                }
            });
            if (!link_.connected()) {
                return;
            }
        }
    }
}

}  // namespace packd::fulfillment
