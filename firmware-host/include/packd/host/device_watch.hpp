#pragma once
// What the devices are doing, looked at once and shown three ways: the retained MQTT status message, the
// systemd status line and `packctl status`; and device alerts for the shop when a device's state changes,
// from the state its driver pushes and, as a backstop, from the daemon's look every few seconds.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "packd/drivers/device_state.hpp"
#include "packd/drivers/scale.hpp"
#include "packd/fulfillment/store/store.hpp"
#include "packd/host/device_registry.hpp"

namespace packd::host {

/// Every device at one moment: printers (with queues of printers no longer configured), scales, scanners.
struct DeviceSnapshot {
    struct Device {
        std::string role;  ///< "printer", "scale" or "scanner"
        std::string name;
        bool configured = true;  ///< false: only a print queue, for labels of a printer no longer configured
        drivers::DeviceStatus status;
        std::string last_error;                         ///< printers: their queue's last error
        std::optional<drivers::WeightReading> reading;  ///< scales: the last reading
    };
    /// Printers, then scales, then scanners; each role by name.
    std::vector<Device> devices;
};

DeviceSnapshot snapshot_devices(const DeviceRegistry& registry);

/// {"printers": {"desk": "ready"}, "scales": ..., "scanners": ...}: the devices of the retained status.
nlohmann::json retained_status_devices(const DeviceSnapshot& snapshot);
/// ", printer desk offline, scale bench fault": the devices not ready, for the systemd status line.
std::string status_line_devices(const DeviceSnapshot& snapshot);
/// {"printers": [...], "scales": [...], "scanners": [...]} with state, detail, a printer's last error and a
/// scale's reading: the devices of `packctl status`.
nlohmann::json status_json_devices(const DeviceSnapshot& snapshot);

/// A device whose state changed since the last look.
struct DeviceAlert {
    std::string role;
    std::string name;
    drivers::DeviceStatus status;
};

/// Remembers the last state seen of each device and raises an alert when it changes.
class DeviceWatch {
  public:
    /// The changes since the last call. A device is taken to have been ready before the first look: one
    /// that starts offline is worth an alert too.
    std::vector<DeviceAlert> changes(const DeviceSnapshot& snapshot);
    /// One change a driver pushed: the alert when `status` differs from the state seen last of this
    /// device (by a push or a look), so a push and the next look never raise the same alert twice.
    std::optional<DeviceAlert> change(const std::string& role, const std::string& name,
                                      const drivers::DeviceStatus& status);
    /// changes(), each written to the outbox on `topic` in one transaction and logged. True when
    /// something changed; a store error is logged and leaves the outbox as it was.
    bool record(const DeviceSnapshot& snapshot, fulfillment::Store& store, const std::string& topic);
    /// `alerts` written to the outbox on `topic` in one transaction and logged; true when there were any
    /// and they were written.
    bool record(const std::vector<DeviceAlert>& alerts, fulfillment::Store& store, const std::string& topic);

    /// The alert message for the shop.
    static std::string alert_json(const DeviceAlert& alert);

  private:
    /// By "printer desk".
    std::map<std::string, drivers::DeviceState> last_;
};

}  // namespace packd::host
