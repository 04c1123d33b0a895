#include "packd/fulfillment/intake/inbox_pump.hpp"

#include <boost/asio/post.hpp>

#include "packd/common/log.hpp"

namespace packd::fulfillment {

InboxPump::InboxPump(boost::asio::io_context& io, OrderIntake& intake, IntakeBudget budget, AfterApply after,
                     LoopMonitor* monitor)
    : io_(io), intake_(intake), budget_(budget), after_(std::move(after)), monitor_(monitor) {}

InboxPump::~InboxPump() {
    *alive_ = false;
}

bool InboxPump::take(const std::vector<InboundMessage>& batch) {
    LoopMonitor::Scope timed(monitor_, "inbox batch");
    // A batch that arrives while older messages wait applies none of its own here: they come after the
    // backlog, in order, in the slices.
    IntakeBudget budget = budget_;
    if (scheduled_) {
        budget.max_messages = 0;
    }
    auto result = intake_.store_and_apply(batch, budget);
    if (!result) {
        log::error("could not store " + std::to_string(batch.size()) +
                   " inbound message(s), not acknowledged: " + result.error().message);
        return false;
    }
    finished(*result);
    return true;
}

void InboxPump::kick() {
    schedule();
}

void InboxPump::schedule() {
    if (scheduled_ || stopped_) {
        return;
    }
    scheduled_ = true;
    std::weak_ptr<bool> alive = alive_;
    boost::asio::post(io_, [this, alive] {
        if (alive.expired()) {
            return;
        }
        scheduled_ = false;
        if (!stopped_) {
            slice();
        }
    });
}

void InboxPump::slice() {
    LoopMonitor::Scope timed(monitor_, "inbox slice");
    auto result = intake_.apply_pending(budget_);
    if (!result) {
        // Tried again by the next kick (the daemon's tick looks for a non-empty inbox).
        log::error(result.error().message);
        return;
    }
    finished(*result);
}

void InboxPump::finished(const IntakeResult& result) {
    if (after_ && (result.applied > 0 || result.rejected > 0 || result.duplicates > 0)) {
        after_(result);
    }
    if (result.more) {
        schedule();
    }
}

}  // namespace packd::fulfillment
