#pragma once
// What differs between serial scales: what to send to ask for a weight, to zero and to tare,
// and how the bytes that come back become readings. Pure: no I/O, no clock; SerialScale
// (serial_scale.hpp) moves the bytes.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "packd/common/result.hpp"
#include "packd/drivers/ascii_scale_codec.hpp"
#include "packd/drivers/scale.hpp"
#include "packd/drivers/weight_unit.hpp"

namespace packd::drivers {

class SerialScaleProtocol {
  public:
    using ReadingSink = std::function<void(const WeightReading&)>;
    /// An answer to zero or tare, in words for the log ("zeroed", "zero refused: balance busy").
    using NoticeSink = std::function<void(const std::string&)>;

    virtual ~SerialScaleProtocol() = default;
    virtual const char* name() const = 0;
    /// Bytes sent on every poll; empty for scales that stream on their own (never written to).
    virtual std::string poll_request() const = 0;
    virtual Result<std::string> zero_request() const = 0;
    virtual Result<std::string> tare_request() const = 0;
    /// Bytes as they arrive, in any pieces. Noise between frames is dropped and counted.
    virtual void feed(std::string_view bytes, const ReadingSink& reading, const NoticeSink& notice) = 0;
    /// Forgets a partial frame (after a reconnect).
    virtual void reset() = 0;
    /// Bytes or lines dropped as noise so far.
    virtual size_t noise() const = 0;
};

/// MT-SICS: polls with SI, zeroes with Z, tares with T.
std::unique_ptr<SerialScaleProtocol> make_mt_sics_protocol();
/// Toledo 8213/8217: polls with W, zeroes with Z; `unit` is what the scale displays.
std::unique_ptr<SerialScaleProtocol> make_toledo_8217_protocol(WeightUnit unit);
/// Continuous output in a configured line format, terminated by LF (a CR before it is dropped).
std::unique_ptr<SerialScaleProtocol> make_ascii_protocol(AsciiScaleCodec codec);

}  // namespace packd::drivers
