#pragma once
// Scales that stream one line per reading in a format of their own (A&D, Ohaus, Kern, Adam,
// most "continuous output" indicators). The admin describes the line in the config: a regular
// expression with numbered groups, or fixed columns. Pure: no I/O, no clock.

#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>

#include "packd/common/result.hpp"
#include "packd/drivers/scale.hpp"
#include "packd/drivers/weight_unit.hpp"

namespace packd::drivers {

/// Where each field of a line is: a regex group number (0: not in the line) or a column range.
struct AsciiField {
    int group = 0;      ///< regex mode: 1-based group number; 0 = absent
    size_t start = 0;   ///< columns mode: 0-based first character
    size_t length = 0;  ///< columns mode: 0 = absent
};

/// How a line looks, as the config says it.
struct AsciiScaleFormat {
    enum class Mode { regex, columns };
    Mode mode = Mode::regex;
    std::string pattern;               ///< regex mode, ECMAScript syntax, matched against the whole line
    AsciiField sign;                   ///< "-" negative, "+" or blank positive
    AsciiField value;                  ///< required: a decimal number, blanks around it allowed
    AsciiField unit;                   ///< "g", "kg", "lb", "oz" ...; absent: `default_unit`
    AsciiField stability;              ///< absent: every reading is taken as stable
    std::string stable_text = "ST";    ///< the stability field reads this when stable
    std::string overload_text = "OL";  ///< ... and this when overloaded
    WeightUnit default_unit = WeightUnit::gram;
};

/// Line -> reading for one configured format.
class AsciiScaleCodec {
  public:
    /// Checks the format (the regex compiles, the groups exist, a value field is set).
    static Result<AsciiScaleCodec> make(const AsciiScaleFormat& format);
    /// One line without its terminator. Lines that do not match are invalid readings.
    WeightReading parse_line(std::string_view line) const;
    const AsciiScaleFormat& format() const { return format_; }

  private:
    AsciiScaleFormat format_;
    std::shared_ptr<const std::regex> regex_;
};

/// The longest line packd keeps from a continuous-output scale.
inline constexpr size_t kAsciiMaxLine = 128;

}  // namespace packd::drivers
