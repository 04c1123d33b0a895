#pragma once
// The durable print queue of one printer: jobs are stored before they are sent, marked 'sending' durably
// just before their first byte goes out, and marked done only when the printer reports success. A job the
// printer never sent on retries with backoff; one whose bytes went out without the printer's word on it is
// 'uncertain' and waits for the operator, never sent again by itself. After a crash, jobs found 'sending'
// are resolved by the printer where it can tell (a file printer), and are otherwise uncertain; jobs left
// pending are sent, oldest first. A printer that checks
// its status around a job gets several jobs at a time (its batch_limit), so a long queue prints
// at the printer's speed.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "packd/drivers/label_printer.hpp"
#include "packd/fulfillment/store/store.hpp"

namespace packd::fulfillment {

class PrintQueue {
  public:
    PrintQueue(boost::asio::io_context& io, Store& store, std::string printer_name);
    ~PrintQueue();
    PrintQueue(const PrintQueue&) = delete;
    PrintQueue& operator=(const PrintQueue&) = delete;

    /// Attaches (or, on reload, replaces) the device; a job in hand finishes on the old one.
    void attach(std::shared_ptr<drivers::LabelPrinter> printer);
    /// Looks for pending jobs and sends the next one unless a job is in hand.
    void kick();
    /// Sends nothing new; calls `done` once the job in hand, if any, has finished.
    void drain(std::function<void()> done);

    /// Draws the PNG preview of a job and hands it to `done` on the io_context (empty when there is none).
    using PreviewSource =
        std::function<void(const StoredPrintJob& job, std::function<void(std::string png)> done)>;
    /// Asked for each job sent to a printer that wants a preview (LabelPrinter::wants_preview) and whose
    /// job carries none; other printers get the ZPL alone.
    void set_preview_source(PreviewSource source) { preview_source_ = std::move(source); }

    /// Where an alert goes for each label that becomes uncertain (P/out/alerts; none when empty), and what
    /// to call once such alerts are in the outbox (the outbox pump's kick).
    void set_alerts(std::string topic, std::function<void()> written) {
        alerts_topic_ = std::move(topic);
        alerts_written_ = std::move(written);
    }

    const std::string& printer_name() const { return printer_name_; }
    bool busy() const { return busy_; }
    const std::string& last_error() const { return last_error_; }

  private:
    void send_next();
    /// Resolves the jobs a crash left 'sending' (once per queue, before anything new is sent).
    void settle_interrupted();
    /// Settles in the store, and kicks the alerts' way out when some jobs became uncertain.
    Status settle(const PrintSettlement& settlement);
    void send(std::shared_ptr<drivers::LabelPrinter> printer, std::vector<drivers::PrintJob> jobs,
              std::vector<int64_t> ids);
    /// `ids`: the jobs of the batch, in order; the outcome says how many of them printed.
    void finished(const std::vector<int64_t>& ids, drivers::PrintOutcome outcome);

    Store& store_;
    std::string printer_name_;
    std::shared_ptr<drivers::LabelPrinter> printer_;
    boost::asio::steady_timer retry_timer_;
    std::chrono::milliseconds backoff_;
    bool busy_ = false;
    bool waiting_ = false;
    bool draining_ = false;
    std::function<void()> drained_;
    std::string last_error_;
    PreviewSource preview_source_;
    std::string alerts_topic_;
    std::function<void()> alerts_written_;
    bool interrupted_settled_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

/// The file name a job is printed under: "<order>-<kind>-<job id>", plus "-reprint".
std::string print_job_name(const StoredPrintJob& job);

}  // namespace packd::fulfillment
