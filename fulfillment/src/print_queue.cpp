#include "packd/fulfillment/print_queue.hpp"

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

void PrintQueue::send_next() {
    if (!printer_) {
        return;
    }
    std::vector<StoredPrintJob> jobs;
    try {
        // Only the jobs of the next batch, oldest first: a long backlog costs the same per label as a short
        // one, and a restarted packd resumes it in order.
        jobs = store_.print_jobs_next(printer_name_,
                                      static_cast<int>(std::max<std::size_t>(1, printer_->batch_limit())),
                                      printer_->wants_preview());
    } catch (const SqliteError& e) {
        last_error_ = e.what();
        log::error("print queue " + printer_name_ + ": " + last_error_);
        return;
    }
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
    printer->print_batch(jobs, [this, alive, printer, ids = std::move(ids)](drivers::PrintOutcome outcome) {
        if (alive.expired()) {
            return;
        }
        finished(ids, std::move(outcome));
    });
}

void PrintQueue::finished(const std::vector<int64_t>& ids, drivers::PrintOutcome outcome) {
    busy_ = false;
    const std::size_t printed = std::min(outcome.printed, ids.size());
    if (printed > 0) {
        const std::vector<int64_t> done(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(printed));
        if (auto st = store_.print_jobs_done(done); !st) {
            // The labels are out but not marked: they would print again after restart. Say so loudly.
            log::error("print queue " + printer_name_ + ": " + std::to_string(printed) + " job(s) from " +
                       std::to_string(done.front()) +
                       " printed but could not be marked done: " + st.error().message);
        } else {
            log::info("printer " + printer_name_ + ": " +
                      (printed == 1 ? "job " + std::to_string(done.front())
                                    : std::to_string(printed) + " jobs " + std::to_string(done.front()) +
                                          " to " + std::to_string(done.back())) +
                      " printed");
        }
    }
    const bool ok = static_cast<bool>(outcome.status);
    if (ok) {
        last_error_.clear();
        backoff_ = kFirstRetry;
    } else {
        last_error_ = outcome.status.error().message;
        if (printed < ids.size()) {
            log::warning(
                "printer " + printer_name_ + ": job " + std::to_string(ids[printed]) +
                (ids.size() - printed > 1 ? " and " + std::to_string(ids.size() - printed - 1) + " after it"
                                          : std::string()) +
                " not printed, retrying in " + std::to_string(backoff_.count()) + " ms: " + last_error_);
            (void)store_.print_job_failed(ids[printed], last_error_);
        } else {
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
