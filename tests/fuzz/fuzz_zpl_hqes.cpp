// A ZPL printer's answer to ~HQES (drivers/src/zpl_hqes.cpp): any bytes from the network or a USB printer
// give flags, a request for more bytes, or a reason; a complete answer reads the same from exactly the bytes
// it consumed, and the status an operator sees has words and is ready exactly when the printer can print.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "packd/drivers/zpl_hqes.hpp"

namespace {

using packd::drivers::ZplStatusProgress;
using packd::fuzz::check;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const auto parse = packd::drivers::parse_zpl_hqes(bytes);
    switch (parse.progress) {
        case ZplStatusProgress::incomplete:
            check(bytes.size() <= packd::drivers::kMaxZplHqesBytes, "no endless wait for more bytes", bytes);
            check(parse.error.empty(), "an incomplete answer has no error", parse.error);
            break;
        case ZplStatusProgress::malformed:
            check(!parse.error.empty(), "a malformed answer says why", bytes);
            break;
        case ZplStatusProgress::complete: {
            check(parse.consumed > 0 && parse.consumed <= bytes.size(), "an answer consumes what it read",
                  bytes);
            check(parse.consumed <= packd::drivers::kMaxZplHqesBytes, "an answer is bounded", bytes);
            const auto again = packd::drivers::parse_zpl_hqes(bytes.substr(0, parse.consumed));
            check(again.progress == ZplStatusProgress::complete && again.consumed == parse.consumed,
                  "the consumed bytes alone are the same answer", bytes);
            packd::drivers::ZplHostStatus status;
            packd::drivers::merge_hqes(parse.answer, status);
            const auto shown = packd::drivers::device_status(status);
            check(!shown.detail.empty(), "a status has words for the operator", bytes);
            check(packd::drivers::can_print(status) == (shown.state == packd::drivers::DeviceState::ready),
                  "ready exactly when the printer can print", bytes);
            check(!parse.answer.errors.any || !packd::drivers::can_print(status),
                  "the error flag never reads as ready", bytes);
            break;
        }
    }
    return 0;
}
