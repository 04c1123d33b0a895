#pragma once
// The label printer role: a job in, done or a reason out.

#include <functional>
#include <string>

#include "packd/common/result.hpp"
#include "packd/drivers/device_state.hpp"

namespace packd::drivers {

/// One label as the printer receives it, plus the preview packd drew of it.
struct PrintJob {
    std::string id;           ///< unique and stable across restarts; names the output of file printers
    std::string zpl;          ///< one or more complete ^XA...^XZ formats
    std::string preview_png;  ///< PNG bytes, empty when none was drawn
};

/// A printer packd sends labels to. `print` completes on the io_context the printer was
/// made with; the job counts as printed only when `done` reports success.
class LabelPrinter {
  public:
    virtual ~LabelPrinter() = default;
    virtual const std::string& name() const = 0;
    virtual DeviceStatus status() const = 0;
    virtual void print(const PrintJob& job, std::function<void(Status)> done) = 0;
};

}  // namespace packd::drivers
