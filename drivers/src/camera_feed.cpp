#include "packd/drivers/camera_feed.hpp"

#include <utility>

#include "packd/common/log.hpp"

namespace packd::drivers {

std::vector<ScanReading> CameraScanDebounce::frame(std::chrono::milliseconds at,
                                                   const std::vector<ScanReading>& found) {
    std::vector<ScanReading> fresh;
    for (const ScanReading& reading : found) {
        const std::string key = reading.symbology + '\0' + reading.data;
        const auto seen = last_seen_.find(key);
        if (seen == last_seen_.end() || at - seen->second > repeat_after_) {
            fresh.push_back(reading);
        }
        last_seen_[key] = at;
    }
    // Codes out of view for longer than repeat_after are forgotten, so the map stays small.
    std::erase_if(last_seen_, [&](const auto& kv) { return at - kv.second > repeat_after_; });
    return fresh;
}

CameraFeed::CameraFeed(CameraFeedSettings settings, CameraFrameDecoder decoder, Emit emit)
    : settings_(settings),
      decoder_(std::move(decoder)),
      emit_(std::move(emit)),
      debounce_(settings.repeat_after) {}

bool CameraFeed::offer(std::chrono::milliseconds at, const CameraFrameLayout& layout,
                       std::span<const std::uint8_t> frame) {
    const bool due = !have_offered_ || at - last_offered_ >= settings_.interval;
    if (!due) {
        return false;
    }
    if (decoding_) {
        if (at - last_offered_ < settings_.decode_lost) {
            return false;
        }
        // The decoder was replaced (a reload) and dropped our frame without an answer.
        log::warning("camera frame decode had no answer after " +
                     std::to_string(settings_.decode_lost.count()) + " ms; decoding the next frame");
        decoding_ = false;
    }
    have_offered_ = true;
    last_offered_ = at;
    auto image = frame_to_image(layout, frame);
    if (!image) {
        if (image.error().message != last_bad_frame_) {
            last_bad_frame_ = image.error().message;
            emit_({{}, {}, last_bad_frame_, {}});
        }
        return false;
    }
    last_bad_frame_.clear();
    decoding_ = true;
    ++frames_decoded_;
    decoder_(std::move(*image), [this, alive = alive_.token(), at](Result<std::vector<ScanReading>> found) {
        if (!alive) {
            return;
        }
        decoding_ = false;
        // A frame without a barcode is the usual case for a camera: nothing to report.
        const std::vector<ScanReading> codes = found ? *found : std::vector<ScanReading>{};
        for (const ScanReading& reading : debounce_.frame(at, codes)) {
            emit_(reading);
        }
    });
    return true;
}

}  // namespace packd::drivers
