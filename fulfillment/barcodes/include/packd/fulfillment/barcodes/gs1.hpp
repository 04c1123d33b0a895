#pragma once
// GS1 element strings (GS1 General Specifications, section 3): application identifiers with their
// data, in the parenthesised human form and as transmitted with GS (FNC1) separators. Used to print
// GS1-128 and GS1 DataMatrix symbols, and to read what scanners send.

#include <string>
#include <string_view>
#include <vector>

#include "packd/common/result.hpp"

namespace packd::fulfillment {

/// One GS1 application identifier and its data, e.g. {"420", "12345"}.
struct Gs1Element {
    std::string ai;
    std::string data;
};

/// Splits "(01)09501101530003(10)AB-123" or the same element string raw, with GS (0x1D) after each variable
/// length element, into elements; checks AI lengths, the GS1 character set and the check digits of SSCC,
/// GTIN and GLN. A '(' inside data is taken as data unless 2 to 4 digits and ')' follow it.
Result<std::vector<Gs1Element>> parse_gs1(std::string_view text);

/// True when `digits` (all digits, at least two) ends with its GS1 modulo 10 check digit
/// (General Specifications 7.9.1): GTIN-8/12/13/14, SSCC, GLN.
bool gs1_check_digit_holds(std::string_view digits);

/// True when the element ends by its predefined length and needs no FNC1 (GS) after it.
bool gs1_has_predefined_length(std::string_view ai);

/// The element string as printed under a GS1 symbol: "(01)09501101530003(10)AB-123".
std::string gs1_human_readable(const std::vector<Gs1Element>& elements);

/// The element string as a scanner transmits it: data concatenated, GS after variable-length elements.
std::string gs1_transmitted(const std::vector<Gs1Element>& elements);

}  // namespace packd::fulfillment
