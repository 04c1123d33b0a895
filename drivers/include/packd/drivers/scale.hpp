#pragma once
// The scale role: weight readings out, zero and tare in.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "packd/common/result.hpp"
#include "packd/drivers/device.hpp"

namespace packd::drivers {

/// One weight as the scale reported it, converted to grams.
struct WeightReading {
    int64_t milligrams = 0;
    bool stable = false;
    bool valid = true;
    std::string reason;  ///< why the reading is not valid ("overload", "malformed frame ...")
};

class Scale : public Device {
  public:
    using ReadingHandler = std::function<void(const WeightReading&)>;
    virtual std::optional<WeightReading> last_reading() const = 0;
    /// Called on the io_context for every reading, valid or not.
    virtual void on_reading(ReadingHandler handler) = 0;
    virtual Status zero() = 0;
    virtual Status tare() = 0;
};

}  // namespace packd::drivers
