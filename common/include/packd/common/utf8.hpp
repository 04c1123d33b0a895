#pragma once
// Code points out of UTF-8 from outside, one step at a time, with ill-formed bytes read as '?'.

#include <cstddef>
#include <string>
#include <string_view>

namespace packd {

struct Utf8Step {
    char32_t code_point;  ///< '?' when ill-formed
    std::size_t length;   ///< bytes read; 1 when ill-formed
    bool well_formed;
};

/// Reads one code point at `pos` (< text.size()), accepting exactly the well-formed sequences of Unicode
/// Table 3-7 (no overlong forms, no surrogates, nothing above U+10FFFF).
Utf8Step utf8_step(std::string_view text, std::size_t pos);

/// `utf8` with every byte that is not part of a well-formed UTF-8 sequence replaced by '?'.
std::string well_formed_utf8(std::string_view utf8);

/// The code points of `utf8`, read the same way: a byte outside well-formed UTF-8 reads as '?'.
std::u32string code_points(std::string_view utf8);

}  // namespace packd
