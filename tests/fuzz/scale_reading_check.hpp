#pragma once
// The properties every scale codec's reading must have, whatever bytes came in.

#include <cstdlib>
#include <string>

#include "fuzz_check.hpp"
#include "packd/common/text.hpp"
#include "packd/drivers/scale.hpp"
#include "packd/drivers/weight_unit.hpp"

namespace packd::fuzz {

inline void check_scale_reading(const drivers::WeightReading& r, std::string_view input) {
    if (r.valid) {
        check(r.milligrams >= 0, "a valid reading is not negative", input);
        check(r.milligrams <= drivers::kMaxParcelMilligrams, "a valid reading is within 1000 kg", input);
        check(r.reason.empty(), "a valid reading has no reason", r.reason);
    } else {
        check(!r.reason.empty(), "an invalid reading says why", input);
        check(!has_control_character(r.reason), "a reason is one clean line", r.reason);
        // printable() promises the byte structure of UTF-8 (common/text.hpp), which is what JSON and logs
        // need.
        check(is_valid_utf8(r.reason), "a reason is UTF-8", r.reason);
    }
}

}  // namespace packd::fuzz
