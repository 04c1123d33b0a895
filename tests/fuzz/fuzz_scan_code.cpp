// Scan interpretation (fulfillment/stations/src/scan_code.cpp, fulfillment/barcodes/src/gs1.cpp): any scanned
// bytes get a meaning or a reason; a tracking scan's code is a carrier's number whose check holds; a GS1
// element string that parses is sent again the way a scanner transmits it and must come back with the same
// elements.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "packd/fulfillment/barcodes/carrier_tracking.hpp"
#include "packd/fulfillment/stations/scan_code.hpp"

namespace {

using packd::fuzz::check;
using namespace packd::fulfillment;

bool same(const std::vector<Gs1Element>& a, const std::vector<Gs1Element>& b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].ai != b[i].ai || a[i].data != b[i].data) {
            return false;
        }
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    ScanRules rules;
    rules.this_year = 2026;
    const ScanCatalogue catalogue{[](const std::string& code) -> std::optional<Barcode> {
                                      if (code == "MUG-RED") {
                                          return Barcode{code, "MUG", "internal", 1};
                                      }
                                      return std::nullopt;
                                  },
                                  [](const std::string& code) { return code == "A-01"; }};
    const ScanMeaning m = interpret_scan(text, {}, rules, catalogue);
    if (m.kind == ScanKind::invalid) {
        check(!m.reason.empty(), "an invalid scan says why", text);
    } else {
        check(m.reason.empty(), "a valid scan has no reason", text);
        check(!m.code.empty(), "a valid scan names its code", text);
    }
    if (m.kind == ScanKind::tracking) {
        const auto carrier = carrier_number(m.code);
        check(carrier && carrier->check_ok && carrier->number == m.code,
              "a tracking scan's code is a carrier's number whose check holds", text);
    }
    (void)scan_is_verifiable(text, rules, catalogue);
    auto fields = read_gs1_fields(text, rules.this_year);
    if (fields) {
        check(!fields->elements.empty(), "a parsed element string has elements", text);
        auto again = read_gs1_fields(gs1_transmitted(fields->elements), rules.this_year);
        check(again.ok(), "a parsed element string parses again as transmitted", text);
        check(same(again->elements, fields->elements), "transmitting keeps the elements", text);
        for (const auto& e : fields->elements) {
            check(e.data.size() <= 90, "no element holds more than 90 characters", e.data);
        }
        if (fields->net_weight_mg) {
            check(*fields->net_weight_mg >= 0 && *fields->net_weight_mg <= 999999LL * 1000000,
                  "a net weight is within 999999 kg", text);
        }
    } else {
        check(!fields.error().message.empty(), "a failed parse says why", text);
    }
    return 0;
}
