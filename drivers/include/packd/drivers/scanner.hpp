#pragma once
// The scanner role: scans out.

#include <functional>
#include <string>

#include "packd/drivers/device.hpp"

namespace packd::drivers {

/// The bytes of one scan as the scanner delivered them.
struct ScanReading {
    std::string data;
    std::string symbology;  ///< AIM identifier such as "]C1" when the scanner sent one
    std::string
        rejected;  ///< why the driver could not take it as a scan (typed by hand, cut short); empty if fine
    std::string warning;  ///< for the operator, e.g. the keyboard layout looks wrong
};

class Scanner : public Device {
  public:
    using ScanHandler = std::function<void(const ScanReading&)>;
    /// Called on the io_context for every scan.
    virtual void on_scan(ScanHandler handler) = 0;
};

}  // namespace packd::drivers
