#pragma once
// The answer of a ZPL printer to ~HS (ZPL II Programming Guide, ~HS "Host Status Return"): three strings,
// each <STX>fields<ETX><CR><LF>, with comma-separated fields. Pure: bytes in, status out.

#include <cstddef>
#include <string>
#include <string_view>

#include "packd/drivers/device_state.hpp"

namespace packd::drivers {

/// The fields of a ~HS answer packd acts on.
struct ZplHostStatus {
    // String 1: aaa,b,c,dddd,eee,f,g,h,iii,j,k,l
    bool paper_out = false;          // b
    bool paused = false;             // c
    int label_length_dots = 0;       // dddd
    int formats_in_buffer = 0;       // eee
    bool buffer_full = false;        // f
    bool partial_format = false;     // h
    bool corrupt_ram = false;        // j
    bool under_temperature = false;  // k
    bool over_temperature = false;   // l
    // String 2: mmm,n,o,p,q,r,s,t,uuuuuuuu,v,www
    bool head_open = false;      // o
    bool ribbon_out = false;     // p
    bool label_waiting = false;  // t: a peeled label waits to be taken
    long labels_remaining = 0;   // uuuuuuuu
};

/// Where reading a ~HS answer stands after the bytes seen so far.
enum class ZplStatusProgress {
    incomplete,  ///< a prefix of a valid answer: read more
    complete,    ///< `status` holds the answer; `consumed` bytes belong to it
    malformed,   ///< not a ~HS answer; `error` says why
};

struct ZplStatusParse {
    ZplStatusProgress progress = ZplStatusProgress::incomplete;
    ZplHostStatus status;
    std::size_t consumed = 0;
    std::string error;
};

/// The longest ~HS answer packd waits for; real ones are about 80 bytes.
inline constexpr std::size_t kMaxZplStatusBytes = 512;

/// Reads a ~HS answer from the start of `bytes`. CR and LF between strings are skipped; anything else outside
/// <STX>...<ETX>, a string with the wrong number of fields, a field that is not a decimal number, or more
/// than kMaxZplStatusBytes without a complete answer is malformed.
ZplStatusParse parse_zpl_host_status(std::string_view bytes);

/// The printer's state in an operator's words: ready, or a fault naming what to do ("paper out: load
/// labels"). A printer with formats still waiting in its buffer is ready; the caller decides whether to wait
/// for them.
DeviceStatus device_status(const ZplHostStatus& status);

/// True when nothing keeps the printer from printing.
bool can_print(const ZplHostStatus& status);

}  // namespace packd::drivers
