#pragma once
// The label printer role: a job in, done or a reason out.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "packd/common/result.hpp"
#include "packd/drivers/device.hpp"

namespace packd::drivers {

/// One label as the printer receives it, plus its preview for printers that keep one.
struct PrintJob {
    std::string id;           ///< unique and stable across restarts; names the output of file printers
    std::string zpl;          ///< one or more complete ^XA...^XZ formats
    std::string preview_png;  ///< PNG bytes; drawn only for printers that want it, empty when none was
};

/// What became of the jobs of one batch, in the order they were given: the first `printed` printed; the
/// `uncertain` after them reached the printer, which never said whether they printed; the rest did not print
/// (they were not sent, or were cancelled in the printer before they printed) and may be sent again.
struct PrintOutcome {
    Status status;              ///< failed: why not all of the jobs are known to have printed
    std::size_t printed = 0;    ///< the first `printed` jobs printed
    std::size_t uncertain = 0;  ///< the next `uncertain` may have printed: never to be sent again unasked
};

/// Called once, just before the first byte of a batch leaves packd (the print queue marks the jobs as being
/// sent, durably). When it fails, nothing is sent and the batch fails with its reason.
using BeforeSend = std::function<Status()>;

/// What a printer can tell, after a crash, of a job whose bytes may have reached it.
enum class SentJobFate { printed, not_printed, unknown };

/// A printer packd sends labels to. `print` completes on the io_context the printer was
/// made with; the job counts as printed only when `done` reports success.
class LabelPrinter : public Device {
  public:
    virtual void print(const PrintJob& job, std::function<void(Status)> done) = 0;
    /// How many jobs one `print_batch` may carry: a printer that checks its status before and after the
    /// formats takes several between two checks, so it prints at its own speed rather than at the pace
    /// of status round trips.
    virtual std::size_t batch_limit() const { return 1; }
    /// True for printers that keep a PNG preview beside each label (the file printer): only for them is a
    /// preview drawn before the job is sent. A printer needs the ZPL alone.
    virtual bool wants_preview() const { return false; }
    /// Prints `jobs` in order, at most batch_limit() of them, calling `before_send` (when set) just before
    /// the first byte goes out. By default one `print` after another, stopping at the first failure, which
    /// counts as not printed: right for a printer whose `print` either completes or leaves nothing behind.
    virtual void print_batch(const std::vector<PrintJob>& jobs, BeforeSend before_send,
                             std::function<void(PrintOutcome)> done);
    void print_batch(const std::vector<PrintJob>& jobs, std::function<void(PrintOutcome)> done) {
        print_batch(jobs, nullptr, std::move(done));
    }
    /// After a crash, what became of a job packd was sending to this printer: only a printer that can tell
    /// (a file printer, by its file) says anything but `unknown`, and an unknown job waits for the operator.
    virtual SentJobFate fate_after_crash(const PrintJob& /*job*/) const { return SentJobFate::unknown; }
};

}  // namespace packd::drivers
