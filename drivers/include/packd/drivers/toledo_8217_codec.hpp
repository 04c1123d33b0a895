#pragma once
// The Toledo 8213/8217 "demand" protocol that most US shipping scales speak (Mettler Toledo
// PS60, Brecknell, Cardinal, Rice Lake, Transcell): packd sends "W", the scale answers with a
// weight record or a status record. Pure: no I/O, no clock.
//
// Records (Transcell PC-150 manual, appendix B.1.4 "Toledo 8213 demand format"; Rice Lake
// BenchPro manual, "Unrecognized command"), 7 data bits, even parity, 1 stop bit:
//   weight record  STX  weight digits with a decimal point ("003.45")           CR
//   status record  STX  '?'  status byte                                          CR
// The status byte: bit 0 in motion, 1 over capacity, 2 under zero, 3 outside the zero capture
// range, 4 at centre of zero, 5 and 6 always 1, 7 parity (cleared here).

#include <functional>
#include <string>
#include <string_view>

#include "packd/drivers/scale.hpp"
#include "packd/drivers/weight_unit.hpp"

namespace packd::drivers {

inline constexpr char kToledoWeigh[] = "W";
inline constexpr char kToledoZero[] = "Z";
inline constexpr size_t kToledoMaxRecord = 16;

/// Cuts a byte stream into records between STX and CR. Bytes outside a record are noise and
/// dropped; an STX inside a record starts it again (the first was cut by a reconnect); a record
/// longer than kToledoMaxRecord is dropped.
class Toledo8217Splitter {
  public:
    /// Calls `emit` with the bytes between STX and CR of every complete record.
    void feed(std::string_view bytes, const std::function<void(std::string_view)>& emit);
    /// Bytes dropped as noise so far.
    size_t noise_bytes() const { return noise_; }

  private:
    std::string record_;
    bool in_record_ = false;
    size_t noise_ = 0;
};

/// One record (without STX and CR) -> a reading. The protocol sends no unit in most modes:
/// `unit` is what the scale is set to; a record that names its own unit ("1.25 LB") wins.
WeightReading parse_toledo_8217_record(std::string_view record, WeightUnit unit);

}  // namespace packd::drivers
