#pragma once
// What a camera scanner does with its frames, apart from the device: one frame every `interval` goes to
// the barcode decoder (decoding costs tens of milliseconds, so not every frame), never a second while
// one is being decoded, and a code that stays in view is one scan until it has been out of view for
// `repeat_after`. The clock is passed in; the decoder is a function, so this runs without a camera.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "packd/common/result.hpp"
#include "packd/drivers/camera_frame.hpp"
#include "packd/drivers/reconnecting.hpp"
#include "packd/drivers/scanner.hpp"

namespace packd::drivers {

/// Decodes an image (PGM or JPEG bytes) and calls `done` later, on the io_context, with what it found.
using CameraFrameDecoder = std::function<void(std::vector<std::uint8_t> image,
                                              std::function<void(Result<std::vector<ScanReading>>)> done)>;

/// The same code on consecutive frames is one scan until it has been out of view for `repeat_after`.
class CameraScanDebounce {
  public:
    explicit CameraScanDebounce(std::chrono::milliseconds repeat_after) : repeat_after_(repeat_after) {}
    /// The codes found on a frame taken at `at`; returns those that are new scans, in their order.
    std::vector<ScanReading> frame(std::chrono::milliseconds at, const std::vector<ScanReading>& found);

  private:
    std::chrono::milliseconds repeat_after_;
    std::map<std::string, std::chrono::milliseconds> last_seen_;  ///< symbology + data -> last frame with it
};

struct CameraFeedSettings {
    std::chrono::milliseconds interval{200};       ///< at most one frame decoded per interval
    std::chrono::milliseconds repeat_after{2000};  ///< a code out of view this long scans again
    std::chrono::milliseconds decode_lost{30000};  ///< a decode with no answer this long is given up
};

class CameraFeed {
  public:
    using Emit = std::function<void(const ScanReading&)>;
    CameraFeed(CameraFeedSettings settings, CameraFrameDecoder decoder, Emit emit);
    ~CameraFeed() { alive_.end(); }
    CameraFeed(const CameraFeed&) = delete;
    CameraFeed& operator=(const CameraFeed&) = delete;

    /// A frame taken at `at` (any monotonic clock). Converted and handed to the decoder when one is due
    /// and none is being decoded; otherwise dropped. Returns true when it went to the decoder. A frame
    /// that does not convert is reported as a rejected scan (once until a frame converts again).
    bool offer(std::chrono::milliseconds at, const CameraFrameLayout& layout,
               std::span<const std::uint8_t> frame);

    bool decoding() const { return decoding_; }
    std::uint64_t frames_decoded() const { return frames_decoded_; }

  private:
    CameraFeedSettings settings_;
    CameraFrameDecoder decoder_;
    Emit emit_;
    CameraScanDebounce debounce_;
    bool decoding_ = false;
    bool have_offered_ = false;
    std::chrono::milliseconds last_offered_{0};
    std::string last_bad_frame_;
    std::uint64_t frames_decoded_ = 0;
    Liveness alive_;
};

}  // namespace packd::drivers
