#pragma once
// The answer of a ZPL printer to ~HS (ZPL II Programming Guide, ~HS "Host Status Return"): three strings,
// each <STX>fields<ETX><CR><LF>, with comma-separated fields. Pure: bytes in, status out.

#include <cstddef>
#include <cstdint>
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
    // Only ~HQES tells these (zpl_hqes.hpp, merge_hqes); a ~HS answer leaves them false.
    bool cutter_fault = false;
    bool motor_over_temperature = false;
    bool head_fault = false;  ///< bad element, head not detected, thermistor open
    bool invalid_firmware_config = false;
    bool paper_path_fault = false;    ///< jam, feed error, presenter, black mark (kiosk printers)
    uint32_t other_error_group1 = 0;  ///< error bits the guide's table does not name
    uint32_t other_error_group2 = 0;
    bool error_flag_only = false;  ///< the error flag without any bit
    bool needs_calibration = false;
    bool clean_head = false;
    bool replace_head = false;
    bool paper_near_end = false;
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
