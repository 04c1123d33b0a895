#include "packd/drivers/label_printer.hpp"

namespace packd::drivers {
namespace {

/// One job after another through `print`, for printers that take one job at a time.
struct OneByOne : std::enable_shared_from_this<OneByOne> {
    LabelPrinter* printer;
    std::vector<PrintJob> jobs;
    std::function<void(PrintOutcome)> done;
    std::size_t next = 0;

    void step() {
        if (next == jobs.size()) {
            done(PrintOutcome{{}, next, 0});
            return;
        }
        auto self = shared_from_this();
        printer->print(jobs[next], [self](Status st) {
            if (!st) {
                self->done(PrintOutcome{std::move(st), self->next, 0});
                return;
            }
            ++self->next;
            self->step();
        });
    }
};

}  // namespace

void LabelPrinter::print_batch(const std::vector<PrintJob>& jobs, BeforeSend before_send,
                               std::function<void(PrintOutcome)> done) {
    if (before_send && !jobs.empty()) {
        if (Status st = before_send(); !st) {
            done(PrintOutcome{std::move(st), 0, 0});
            return;
        }
    }
    auto run = std::make_shared<OneByOne>();
    run->printer = this;
    run->jobs = jobs;
    run->done = std::move(done);
    run->step();
}

}  // namespace packd::drivers
