#include "packd/fulfillment/print_queue.hpp"

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
    std::vector<StoredPrintJob> jobs;
    try {
        jobs = store_.print_jobs_pending(printer_name_);
    } catch (const SqliteError& e) {
        last_error_ = e.what();
        log::error("print queue " + printer_name_ + ": " + last_error_);
        return;
    }
    if (jobs.empty()) {
        return;
    }
    const StoredPrintJob& job = jobs.front();
    busy_ = true;
    drivers::PrintJob out{print_job_name(job), job.zpl, job.preview_png};
    auto printer = printer_;  // keeps the device alive until the job ends, even across a reload
    if (preview_source_ && printer->wants_preview() && out.preview_png.empty()) {
        // Drawn now, for this printer only; the job stays in hand (busy_) until it is sent and done.
        std::weak_ptr<bool> alive = alive_;
        preview_source_(job,
                        [this, alive, printer, out = std::move(out), id = job.id](std::string png) mutable {
                            if (alive.expired()) {
                                return;
                            }
                            out.preview_png = std::move(png);
                            send(std::move(printer), std::move(out), id);
                        });
        return;
    }
    send(std::move(printer), std::move(out), job.id);
}

void PrintQueue::send(std::shared_ptr<drivers::LabelPrinter> printer, drivers::PrintJob job, int64_t id) {
    std::weak_ptr<bool> alive = alive_;
    printer->print(job, [this, alive, printer, id](Status result) {
        if (alive.expired()) {
            return;
        }
        finished(id, std::move(result));
    });
}

void PrintQueue::finished(int64_t job_id, Status result) {
    busy_ = false;
    if (result) {
        if (auto st = store_.print_job_done(job_id); !st) {
            // The label is out but not marked: it would print again after restart. Say so loudly.
            log::error("print queue " + printer_name_ + ": job " + std::to_string(job_id) +
                       " printed but could not be marked done: " + st.error().message);
        } else {
            log::info("printer " + printer_name_ + ": job " + std::to_string(job_id) + " printed");
        }
        last_error_.clear();
        backoff_ = kFirstRetry;
    } else {
        last_error_ = result.error().message;
        log::warning("printer " + printer_name_ + ": job " + std::to_string(job_id) +
                     " not printed, retrying in " + std::to_string(backoff_.count()) + " ms: " + last_error_);
        (void)store_.print_job_failed(job_id, last_error_);
    }
    if (draining_) {
        if (drained_) {
            auto done = std::move(drained_);
            drained_ = nullptr;
            done();
        }
        return;
    }
    if (result) {
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
