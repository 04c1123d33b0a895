#pragma once
// What a device can be in, as an operator would say it on a station screen.

#include <string>

namespace packd::drivers {

enum class DeviceState { ready, offline, fault };

inline const char* to_string(DeviceState s) {
    switch (s) {
        case DeviceState::ready:
            return "ready";
        case DeviceState::offline:
            return "offline";
        case DeviceState::fault:
            return "fault";
    }
    return "unknown";
}

/// A device's state plus the line an operator reads ("paper out", "no such FIFO").
struct DeviceStatus {
    DeviceState state = DeviceState::offline;
    std::string detail;
};

}  // namespace packd::drivers
