#pragma once
// Drives the inbox on the event loop: each batch from the order subscription is stored and, as far as the
// budget allows, applied in one durable commit before it is acknowledged; whatever the budget left waits in
// the inbox and is applied in later slices, each posted behind the handlers already waiting, so that a
// burst of orders never keeps the loop from the broker session, the printers' status timers, the admin
// socket or the scanners.

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <vector>

#include "packd/common/loop_monitor.hpp"
#include "packd/fulfillment/intake/order_intake.hpp"

namespace packd::fulfillment {

class InboxPump {
  public:
    /// Runs after every commit that applied something: send the new labels and messages.
    using AfterApply = std::function<void(const IntakeResult&)>;

    InboxPump(boost::asio::io_context& io, OrderIntake& intake, IntakeBudget budget, AfterApply after,
              LoopMonitor* monitor = nullptr);
    ~InboxPump();
    InboxPump(const InboxPump&) = delete;
    InboxPump& operator=(const InboxPump&) = delete;

    /// The subscription's batch handler: true once the batch is durably stored, so it may be acknowledged.
    bool take(const std::vector<InboundMessage>& batch);
    /// Applies what waits in the inbox (at start, after a store error), in slices.
    void kick();
    /// No more slices; batches are still stored.
    void stop() { stopped_ = true; }

  private:
    void schedule();
    void slice();
    void finished(const IntakeResult& result);

    boost::asio::io_context& io_;
    OrderIntake& intake_;
    IntakeBudget budget_;
    AfterApply after_;
    LoopMonitor* monitor_;
    bool scheduled_ = false;
    bool stopped_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace packd::fulfillment
