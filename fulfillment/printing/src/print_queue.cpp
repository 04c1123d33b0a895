#include "packd/fulfillment/printing/print_queue.hpp"

#include <algorithm>

#include "packd/common/log.hpp"

namespace packd::fulfillment {
namespace {
constexpr std::chrono::milliseconds kFirstRetry{1000};
constexpr std::chrono::milliseconds kLongestRetry{60000};
}  // namespace

std::string print_job_name(const StoredPrintJob& job) {
    std::string name = job.order_id + "-" + job.kind + "-" + std::to_string(job.id);
    if (job.reprint) {
        name += "-reprint";
    }
    return name;
}

PrintQueue::PrintQueue(boost::asio::io_context& io, Store& store, std::string printer_name)
    : store_(store), printer_name_(std::move(printer_name)), retry_timer_(io), backoff_(kFirstRetry) {}

PrintQueue::~PrintQueue() {
    *alive_ = false;
}

void PrintQueue::attach(std::shared_ptr<drivers::LabelPrinter> printer) {
    printer_ = std::move(printer);
    backoff_ = kFirstRetry;
    if (waiting_) {
        retry_timer_.cancel();
    }
    kick();
}

void PrintQueue::kick() {
    if (busy_ || draining_ || waiting_ || !printer_) {
        return;
    }
    send_next();
}

void PrintQueue::drain(std::function<void()> done) {
    draining_ = true;
    retry_timer_.cancel();
    if (!busy_) {
        done();
        return;
    }
    drained_ = std::move(done);
}

void PrintQueue::settle_interrupted() {
    // Jobs a crash left 'sending' went to this printer, wholly or in part, before packd could hear whether
    // they printed. Only a printer that can tell (a file printer) resolves them; the rest wait for the
    // operator as uncertain and are never sent again by themselves.
    PrintSettlement settlement;
    auto interrupted = store_.print_jobs_interrupted(printer_name_);
    if (!interrupted) {
        last_error_ = interrupted.error().message;
        log::error("print queue " + printer_name_ + ": " + last_error_);
        return;
    }
    for (const auto& job : *interrupted) {
        switch (printer_->fate_after_crash({print_job_name(job), job.zpl, {}})) {
            case drivers::SentJobFate::printed:
                settlement.printed.push_back(job.id);
                break;
            case drivers::SentJobFate::not_printed:
                settlement.unsent.push_back(job.id);
                break;
            case drivers::SentJobFate::unknown:
                settlement.uncertain.push_back(job.id);
                break;
        }
    }
    interrupted_settled_ = true;
    if (settlement.printed.empty() && settlement.unsent.empty() && settlement.uncertain.empty()) {
        return;
    }
    settlement.reason = "packd stopped while the label was being sent to printer " + printer_name_;
    if (auto st = settle(settlement); !st) {
        interrupted_settled_ = false;
        log::error("print queue " + printer_name_ + ": " + st.error().message);
        return;
    }
    log::warning("printer " + printer_name_ + ": " + std::to_string(settlement.printed.size()) +
                 " label(s) found printed, " + std::to_string(settlement.unsent.size()) +
                 " found not printed and " + std::to_string(settlement.uncertain.size()) +
                 " that may have printed after packd stopped while sending them" +
                 (settlement.uncertain.empty() ? std::string()
                                               : " (packctl labels uncertain; confirm or resend each)"));
}

Status PrintQueue::settle(const PrintSettlement& settlement) {
    Status st = store_.print_jobs_settle(settlement, alerts_topic_);
    if (st && !settlement.uncertain.empty() && !alerts_topic_.empty() && alerts_written_) {
        alerts_written_();
    }
    return st;
}

void PrintQueue::send_next() {
    if (!printer_) {
        return;
    }
    if (!interrupted_settled_) {
        settle_interrupted();
        if (!interrupted_settled_) {
            return;
        }
    }
    // Only the jobs of the next batch, oldest first: a long backlog costs the same per label as a short
    // one, and a restarted packd resumes it in order.
    auto next = store_.print_jobs_next(printer_name_,
                                       static_cast<int>(std::max<std::size_t>(1, printer_->batch_limit())),
                                       printer_->wants_preview());
    if (!next) {
        last_error_ = next.error().message;
        log::error("print queue " + printer_name_ + ": " + last_error_);
        return;
    }
    std::vector<StoredPrintJob> jobs = std::move(next).value();
    if (jobs.empty()) {
        return;
    }
    busy_ = true;
    std::vector<drivers::PrintJob> out;
    std::vector<int64_t> ids;
    out.reserve(jobs.size());
    for (const auto& job : jobs) {
        out.push_back({print_job_name(job), job.zpl, job.preview_png});
        ids.push_back(job.id);
    }
    auto printer = printer_;  // keeps the device alive until the batch ends, even across a reload
    if (preview_source_ && printer->wants_preview() && out.size() == 1 && out.front().preview_png.empty()) {
        // Drawn now, for this printer only; the job stays in hand (busy_) until it is sent and done.
        std::weak_ptr<bool> alive = alive_;
        preview_source_(jobs.front(), [this, alive, printer, out = std::move(out),
                                       ids = std::move(ids)](std::string png) mutable {
            if (alive.expired()) {
                return;
            }
            out.front().preview_png = std::move(png);
            send(std::move(printer), std::move(out), std::move(ids));
        });
        return;
    }
    send(std::move(printer), std::move(out), std::move(ids));
}

void PrintQueue::send(std::shared_ptr<drivers::LabelPrinter> printer, std::vector<drivers::PrintJob> jobs,
                      std::vector<int64_t> ids) {
    std::weak_ptr<bool> alive = alive_;
    // Durably 'sending' before the first byte: a crash from here on never sends them again unasked.
    auto before_send = [this, alive, ids] {
        return alive.expired() ? fail("the print queue is gone") : store_.print_jobs_sending(ids);
    };
    printer->print_batch(jobs, before_send,
                         [this, alive, printer, ids = std::move(ids)](drivers::PrintOutcome outcome) {
                             if (alive.expired()) {
                                 return;
                             }
                             finished(ids, std::move(outcome));
                         });
}

void PrintQueue::finished(const std::vector<int64_t>& ids, drivers::PrintOutcome outcome) {
    busy_ = false;
    const auto at = [&](std::size_t n) { return ids.begin() + static_cast<std::ptrdiff_t>(n); };
    const std::size_t printed = std::min(outcome.printed, ids.size());
    const std::size_t uncertain = std::min(outcome.uncertain, ids.size() - printed);
    PrintSettlement settlement;
    settlement.printed.assign(ids.begin(), at(printed));
    settlement.uncertain.assign(at(printed), at(printed + uncertain));
    settlement.unsent.assign(at(printed + uncertain), ids.end());
    if (!outcome.status) {
        settlement.reason = outcome.status.error().message;
    }
    if (auto st = settle(settlement); !st) {
        // The jobs stay 'sending': the next start settles them as uncertain, never sends them again unasked.
        log::error("print queue " + printer_name_ + ": the outcome of jobs " + std::to_string(ids.front()) +
                   " to " + std::to_string(ids.back()) + " could not be recorded: " + st.error().message);
        interrupted_settled_ = false;
    } else if (printed > 0) {
        log::info("printer " + printer_name_ + ": " +
                  (printed == 1 ? "job " + std::to_string(ids.front())
                                : std::to_string(printed) + " jobs " + std::to_string(ids.front()) + " to " +
                                      std::to_string(ids[printed - 1])) +
                  " printed");
    }
    if (uncertain > 0) {
        log::error("printer " + printer_name_ + ": " +
                   (uncertain == 1
                        ? "job " + std::to_string(ids[printed])
                        : std::to_string(uncertain) + " jobs from " + std::to_string(ids[printed])) +
                   " may have printed; not sent again until someone looks (packctl labels uncertain): " +
                   settlement.reason);
    }
    const bool ok = static_cast<bool>(outcome.status);
    if (ok) {
        last_error_.clear();
        backoff_ = kFirstRetry;
    } else {
        last_error_ = outcome.status.error().message;
        if (const std::size_t unsent = ids.size() - printed - uncertain; unsent > 0) {
            const std::size_t first = printed + uncertain;
            log::warning("printer " + printer_name_ + ": job " + std::to_string(ids[first]) +
                         (unsent > 1 ? " and " + std::to_string(unsent - 1) + " after it" : std::string()) +
                         " not printed, retrying in " + std::to_string(backoff_.count()) +
                         " ms: " + last_error_);
        } else if (uncertain == 0) {
            log::warning("printer " + printer_name_ + ": " + last_error_ + "; retrying in " +
                         std::to_string(backoff_.count()) + " ms");
        }
    }
    if (draining_) {
        if (drained_) {
            auto done = std::move(drained_);
            drained_ = nullptr;
            done();
        }
        return;
    }
    if (ok) {
        send_next();
        return;
    }
    waiting_ = true;
    retry_timer_.expires_after(backoff_);
    backoff_ = std::min(backoff_ * 2, kLongestRetry);
    std::weak_ptr<bool> alive = alive_;
    retry_timer_.async_wait([this, alive](const boost::system::error_code&) {
        if (alive.expired()) {
            return;
        }
        waiting_ = false;
        kick();
    });
}

}  // namespace packd::fulfillment
