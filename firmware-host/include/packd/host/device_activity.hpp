#pragma once
// When each device last did something and what: a scanner's last scan and a scale's last reading, for the
// device page and `packctl status`. A printer's last label comes from the store (Store::printer_queues).

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace packd::host {

class DeviceActivity {
  public:
    /// `what` is shown as it is given: the caller makes outside text printable.
    void note(const std::string& role, const std::string& name, nlohmann::json what) {
        const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
        last_[role + " " + name] = {{"at_ms", now}, {"what", std::move(what)}};
    }
    /// {"at_ms": ..., "what": ...}, or null when the device did nothing since packd started.
    nlohmann::json of(const std::string& role, const std::string& name) const {
        const auto it = last_.find(role + " " + name);
        return it == last_.end() ? nlohmann::json() : it->second;
    }

  private:
    std::map<std::string, nlohmann::json> last_;
};

}  // namespace packd::host
