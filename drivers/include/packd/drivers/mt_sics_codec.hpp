#pragma once
// Mettler Toledo MT-SICS (Standard Interface Command Set), level 0 and 1: the commands packd
// sends and the response lines it receives. Pure: no I/O, no clock; the serial transport is in
// serial_scale.cpp.
//
// MT-SICS reference manual (30 "Commands and responses", 2.2 "Format"): every command and
// response is ASCII ending in CR LF; a response starts with the command it answers, a space and
// a status letter: S stable, D dynamic (in motion), A done, I not executable now, + over the
// range, - under the range, L parameter out of range. "ES", "ET" and "EL" are the syntax,
// transmission and logical errors a balance answers to anything it could not take.

#include <string>
#include <string_view>

#include "packd/drivers/scale.hpp"

namespace packd::drivers {

enum class SicsCommand {
    weigh_stable,     ///< S: the next stable weight
    weigh_immediate,  ///< SI: the weight now, stable or not (what packd polls with)
    zero,             ///< Z
    tare,             ///< T: tare with the weight on the pan
    tare_query,       ///< TA: the tare value stored
};

/// The bytes to send, CR LF included.
std::string encode_sics(SicsCommand command);

struct SicsResponse {
    enum class Kind {
        weight,          ///< S S / S D: `reading` holds it
        zero_done,       ///< Z A
        tare_done,       ///< T S: `reading` holds the tare weight taken
        tare_value,      ///< TA A: `reading` holds the stored tare
        not_executable,  ///< X I: busy (in motion, another command running)
        over_range,      ///< X +
        under_range,     ///< X -
        error,           ///< ES, ET, EL, or a parameter out of range
        malformed,       ///< a known command with a body we cannot read
        unrecognised,    ///< not an MT-SICS response at all: line noise
    };
    Kind kind = Kind::unrecognised;
    std::string command;  ///< "S", "SI", "Z", "T", "TA", "ES", ...
    /// For weights a reading; for every other kind a reading marked invalid that says why.
    WeightReading reading;
};

/// Parses one response line (CR LF already removed). Noise in front of a response (bytes of a
/// frame cut by a reconnect) is skipped; a line with no response in it is `unrecognised`.
SicsResponse parse_sics_line(std::string_view line);

/// The longest response line packd keeps; MT-SICS lines are under 30 characters.
inline constexpr size_t kSicsMaxLine = 96;

}  // namespace packd::drivers
