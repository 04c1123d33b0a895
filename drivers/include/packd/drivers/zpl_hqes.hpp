#pragma once
// The answer of a ZPL printer to ~HQES (ZPL II Programming Guide, ~HQ "Host Query", query type ES "printer
// status"): one <STX>...<ETX> block of text lines
//
//   PRINTER STATUS
//      ERRORS:         1 00000000 00000005
//      WARNINGS:       0 00000000 00000000
//
// where each line holds a flag (0 or 1) and two groups of eight hex digits (group 2, then group 1) whose bits
// name the condition. Pure: bytes in, flags out; zpl_status.hpp turns them into what an operator reads.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "packd/drivers/zpl_status.hpp"

namespace packd::drivers {

/// The flag and both bit groups of one ERRORS or WARNINGS line.
struct ZplHqesFlags {
    bool any = false;     ///< the leading flag: 1 when the printer reports at least one
    uint32_t group2 = 0;  ///< nibbles 16-9 (the guide lists none in use for errors or warnings)
    uint32_t group1 = 0;  ///< nibbles 8-1
};

struct ZplHqesAnswer {
    ZplHqesFlags errors;
    ZplHqesFlags warnings;
};

struct ZplHqesParse {
    ZplStatusProgress progress = ZplStatusProgress::incomplete;
    ZplHqesAnswer answer;
    std::size_t consumed = 0;
    std::string error;
};

/// The longest ~HQES answer packd waits for; real ones are under 100 bytes.
inline constexpr std::size_t kMaxZplHqesBytes = 512;

/// Reads a ~HQES answer from the start of `bytes` (CR and LF before the STX are skipped, as are the CR LF
/// after the ETX). Malformed: a byte other than CR/LF before STX, no "PRINTER STATUS" title, a missing or
/// repeated ERRORS or WARNINGS line, a flag that is not 0 or 1, a group that is not eight hex digits, or
/// more than kMaxZplHqesBytes without a complete answer.
ZplHqesParse parse_zpl_hqes(std::string_view bytes);

/// Adds what a ~HQES answer reports to a status (from ~HS, or a fresh one when the printer is asked only
/// ~HQES): the conditions both answers know are or-ed, the rest fill the fields only ~HQES has.
void merge_hqes(const ZplHqesAnswer& answer, ZplHostStatus& status);

}  // namespace packd::drivers
