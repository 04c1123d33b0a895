#pragma once
// Starting the packd-image-decoder helper and reading what its end means: shared by the blocking
// `decode_image` and the asynchronous `ImageDecoder`, so both speak the same protocol.

#include <sys/types.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "packd/fulfillment/scanning/image_scan.hpp"

namespace packd::fulfillment::detail {

/// A reply longer than this is garbage; what comes after it is dropped unread.
inline constexpr std::size_t kMaxDecoderReply = 1024 * 1024;

/// A running helper: its pid and the read end of its stdout (close-on-exec; the caller owns it).
struct DecoderChild {
    pid_t pid = -1;
    int reply_fd = -1;
};

/// Starts the helper with the image as a sealed memory file on its stdin, so there is no pipe to keep
/// fed and no SIGPIPE when the helper dies early.
Result<DecoderChild> spawn_decoder(std::span<const std::uint8_t> bytes, const std::string& decoder_path,
                                   const ImageDecodeLimits& limits);

/// What the helper's end means: its wait status (from waitpid), its reply, and whether we stopped it.
Result<std::vector<ImageBarcode>> decoder_outcome(int wait_status, std::string_view reply, bool timed_out,
                                                  const ImageDecodeLimits& limits);

}  // namespace packd::fulfillment::detail
