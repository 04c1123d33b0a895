#pragma once
// What every device role (label printer, scale, scanner) has in common: a name, a status, one way to open
// and close it, and a push when its status changes.

#include <functional>
#include <string>

#include "packd/common/result.hpp"
#include "packd/drivers/device_state.hpp"

namespace packd::drivers {

/// Runs on the io_context after a device's status changed (state or detail).
using StateHandler = std::function<void(const DeviceStatus&)>;

class Device {
  public:
    virtual ~Device() = default;
    virtual const std::string& name() const = 0;
    virtual DeviceStatus status() const = 0;
    /// Starts using the device. A device that is not there yet is not an error for the transports that
    /// reconnect: the status says why and they keep looking; the Status returned is for the log.
    virtual Status open() { return {}; }
    /// Lets go of the device and stops looking for it; twice is harmless.
    virtual void close() {}
    /// `handler` is told every change of status(), also one shorter than the host's poll.
    virtual void on_state_change(StateHandler handler) = 0;
};

}  // namespace packd::drivers
