#pragma once
// The label printer role: a job in, done or a reason out.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "packd/common/result.hpp"
#include "packd/drivers/device_state.hpp"

namespace packd::drivers {

/// One label as the printer receives it, plus its preview for printers that keep one.
struct PrintJob {
    std::string id;           ///< unique and stable across restarts; names the output of file printers
    std::string zpl;          ///< one or more complete ^XA...^XZ formats
    std::string preview_png;  ///< PNG bytes; drawn only for printers that want it, empty when none was
};

/// What became of the jobs of one batch, in the order they were given.
struct PrintOutcome {
    Status status;            ///< failed: why the jobs after the first `printed` were not printed
    std::size_t printed = 0;  ///< the first `printed` jobs were printed
};

/// A printer packd sends labels to. `print` completes on the io_context the printer was
/// made with; the job counts as printed only when `done` reports success.
class LabelPrinter {
  public:
    virtual ~LabelPrinter() = default;
    virtual const std::string& name() const = 0;
    virtual DeviceStatus status() const = 0;
    virtual void print(const PrintJob& job, std::function<void(Status)> done) = 0;
    /// How many jobs one `print_batch` may carry: a printer that checks its status before and after the
    /// formats takes several between two checks, so it prints at its own speed rather than at the pace
    /// of status round trips.
    virtual std::size_t batch_limit() const { return 1; }
    /// True for printers that keep a PNG preview beside each label (the file printer): only for them is a
    /// preview drawn before the job is sent. A printer needs the ZPL alone.
    virtual bool wants_preview() const { return false; }
    /// Prints `jobs` in order, at most batch_limit() of them; by default one `print` after another,
    /// stopping at the first failure.
    virtual void print_batch(const std::vector<PrintJob>& jobs, std::function<void(PrintOutcome)> done);
};

}  // namespace packd::drivers
