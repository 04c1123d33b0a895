// ZXing 1.4.0: Result::text() as UTF-8 rather than std::wstring.
#define ZX_USE_UTF8 1

#include "packd/fulfillment/image_scan.hpp"

#include <ZXing/BarcodeFormat.h>
#include <ZXing/DecodeHints.h>
#include <ZXing/ImageView.h>
#include <ZXing/ReadBarcode.h>
#include <png.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <optional>

extern char** environ;

namespace packd::fulfillment {
namespace {

// ---- Image files --------------------------------------------------------------------------------------

Status check_size(int64_t width, int64_t height, const ImageDecodeLimits& limits) {
    if (width <= 0 || height <= 0) {
        return fail("image has no pixels");
    }
    if (width > limits.max_width || height > limits.max_height || width * height > limits.max_pixels) {
        return fail("image of " + std::to_string(width) + "x" + std::to_string(height) +
                    " pixels is larger than allowed (" + std::to_string(limits.max_width) + "x" +
                    std::to_string(limits.max_height) + ", " + std::to_string(limits.max_pixels) +
                    " pixels)");
    }
    return {};
}

Result<GreyImage> load_png(std::span<const std::uint8_t> bytes, const ImageDecodeLimits& limits) {
    // The simplified API reports errors in image.message instead of longjmp'ing through our frames.
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    if (png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()) == 0) {
        return fail(std::string("not a readable PNG: ") + image.message);
    }
    if (auto st = check_size(image.width, image.height, limits); !st) {
        png_image_free(&image);
        return st.error();
    }
    image.format = PNG_FORMAT_GRAY;
    GreyImage grey;
    grey.width = static_cast<int>(image.width);
    grey.height = static_cast<int>(image.height);
    grey.pixels.resize(PNG_IMAGE_SIZE(image));
    if (png_image_finish_read(&image, nullptr, grey.pixels.data(), 0, nullptr) == 0) {
        std::string message = image.message;
        png_image_free(&image);
        return fail("PNG is damaged: " + message);
    }
    return grey;
}

// Netpbm PGM, binary (P5), maxval up to 255: "P5", width, height, maxval, one whitespace, the pixels.
Result<GreyImage> load_pgm(std::span<const std::uint8_t> bytes, const ImageDecodeLimits& limits) {
    std::size_t pos = 2;
    int64_t numbers[3] = {0, 0, 0};
    for (int64_t& n : numbers) {
        while (pos < bytes.size() && (std::isspace(bytes[pos]) || bytes[pos] == '#')) {
            if (bytes[pos] == '#') {
                while (pos < bytes.size() && bytes[pos] != '\n') {
                    ++pos;
                }
            } else {
                ++pos;
            }
        }
        if (pos >= bytes.size() || !std::isdigit(bytes[pos])) {
            return fail("PGM header is damaged");
        }
        while (pos < bytes.size() && std::isdigit(bytes[pos]) && n < 1'000'000) {
            n = n * 10 + (bytes[pos++] - '0');
        }
    }
    if (numbers[2] < 1 || numbers[2] > 255) {
        return fail("PGM with maxval " + std::to_string(numbers[2]) + ": only 8-bit grey is read");
    }
    if (auto st = check_size(numbers[0], numbers[1], limits); !st) {
        return st.error();
    }
    ++pos;  // the single whitespace after maxval
    const auto size = static_cast<std::size_t>(numbers[0] * numbers[1]);
    if (pos > bytes.size() || bytes.size() - pos < size) {
        return fail("PGM is truncated: " + std::to_string(size) + " pixel bytes expected");
    }
    GreyImage grey{static_cast<int>(numbers[0]), static_cast<int>(numbers[1]),
                   std::vector<std::uint8_t>(bytes.begin() + static_cast<std::ptrdiff_t>(pos),
                                             bytes.begin() + static_cast<std::ptrdiff_t>(pos + size))};
    if (numbers[2] != 255) {
        for (auto& p : grey.pixels) {
            p = static_cast<std::uint8_t>(std::min<int64_t>(255, p * 255 / numbers[2]));
        }
    }
    return grey;
}

// ---- Reply lines --------------------------------------------------------------------------------------

std::string to_hex(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (const char c : bytes) {
        out += kHex[static_cast<unsigned char>(c) >> 4];
        out += kHex[static_cast<unsigned char>(c) & 0x0F];
    }
    return out;
}

int hex_value(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

std::optional<std::string> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) {
        return std::nullopt;
    }
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = hex_value(hex[i]);
        const int lo = hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            return std::nullopt;
        }
        out += static_cast<char>(hi * 16 + lo);
    }
    return out;
}

bool is_token(std::string_view s) {
    return !s.empty() && s.size() <= 64 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 0x7F; });
}

}  // namespace

Result<GreyImage> load_grey_image(std::span<const std::uint8_t> bytes, const ImageDecodeLimits& limits) {
    if (bytes.empty()) {
        return fail("image is empty");
    }
    if (bytes.size() > limits.max_bytes) {
        return fail("image of " + std::to_string(bytes.size()) + " bytes is larger than allowed (" +
                    std::to_string(limits.max_bytes) + ")");
    }
    constexpr std::uint8_t kPngSignature[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (bytes.size() >= 8 && std::equal(std::begin(kPngSignature), std::end(kPngSignature), bytes.begin())) {
        return load_png(bytes, limits);
    }
    if (bytes.size() >= 2 && bytes[0] == 'P' && bytes[1] == '5') {
        return load_pgm(bytes, limits);
    }
    return fail("not an image packd reads (PNG or binary PGM)");
}

Result<std::vector<ImageBarcode>> decode_image_here(std::span<const std::uint8_t> bytes,
                                                    const ImageDecodeLimits& limits, bool try_harder) {
    auto image = load_grey_image(bytes, limits);
    if (!image) {
        return image.error();
    }
    using ZXing::BarcodeFormat;
    const auto formats = BarcodeFormat::Code128 | BarcodeFormat::EAN13 | BarcodeFormat::EAN8 |
                         BarcodeFormat::UPCA | BarcodeFormat::UPCE | BarcodeFormat::ITF |
                         BarcodeFormat::DataMatrix | BarcodeFormat::QRCode | BarcodeFormat::PDF417 |
                         BarcodeFormat::DataBar | BarcodeFormat::DataBarExpanded;
    const ZXing::ImageView view(image->pixels.data(), image->width, image->height, ZXing::ImageFormat::Lum);
    std::vector<ImageBarcode> found;
    for (const bool harder : {false, true}) {
        if (harder && (!try_harder || !found.empty())) {
            break;
        }
        const auto hints = ZXing::DecodeHints()
                               .setFormats(formats)
                               .setTryHarder(harder)
                               .setTryRotate(harder)
                               .setTryDownscale(harder)
                               .setMaxNumberOfSymbols(16);
        for (const ZXing::Result& r : ZXing::ReadBarcodes(view, hints)) {
            if (r.isValid()) {
                found.push_back({r.text(), r.symbologyIdentifier(), ZXing::ToString(r.format())});
            }
        }
    }
    if (found.empty()) {
        return fail("no barcode found in the " + std::to_string(image->width) + "x" +
                    std::to_string(image->height) + " image");
    }
    return found;
}

std::string encode_decoder_reply(const Result<std::vector<ImageBarcode>>& result) {
    if (!result) {
        std::string message = result.error().message;
        std::replace_if(
            message.begin(), message.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
        return "error " + message + "\n";
    }
    std::string out;
    for (const ImageBarcode& b : *result) {
        out += "barcode " + (b.format.empty() ? "-" : b.format) + " " +
               (b.symbology.empty() ? "-" : b.symbology) + " " + (b.text.empty() ? "-" : to_hex(b.text)) +
               "\n";
    }
    return out + "end\n";
}

Result<std::vector<ImageBarcode>> parse_decoder_reply(std::string_view reply) {
    std::vector<ImageBarcode> found;
    while (!reply.empty()) {
        const std::size_t end = reply.find('\n');
        if (end == std::string_view::npos) {
            return fail("the image decoder's reply ends in the middle of a line");
        }
        const std::string_view line = reply.substr(0, end);
        reply.remove_prefix(end + 1);
        if (line == "end") {
            return reply.empty() ? Result<std::vector<ImageBarcode>>(found)
                                 : fail("the image decoder wrote more after its end");
        }
        if (line.substr(0, 6) == "error ") {
            return fail(std::string(line.substr(6)));
        }
        std::vector<std::string_view> words;
        std::string_view rest = line;
        for (std::size_t space = rest.find(' '); space != std::string_view::npos; space = rest.find(' ')) {
            words.push_back(rest.substr(0, space));
            rest.remove_prefix(space + 1);
        }
        words.push_back(rest);
        if (words.size() != 4 || words[0] != "barcode" || !is_token(words[1]) || !is_token(words[2])) {
            return fail("the image decoder's reply is garbled");
        }
        auto text = words[3] == "-" ? std::optional<std::string>("") : from_hex(words[3]);
        if (!text) {
            return fail("the image decoder's reply is garbled");
        }
        found.push_back({std::move(*text), words[2] == "-" ? "" : std::string(words[2]),
                         words[1] == "-" ? "" : std::string(words[1])});
    }
    return fail("the image decoder stopped without finishing its reply");
}

Result<std::vector<ImageBarcode>> decode_image(std::span<const std::uint8_t> bytes,
                                               const std::string& decoder_path,
                                               const ImageDecodeLimits& limits) {
    if (bytes.size() > limits.max_bytes) {
        return fail("image of " + std::to_string(bytes.size()) + " bytes is larger than allowed (" +
                    std::to_string(limits.max_bytes) + ")");
    }
    // The image goes in as a sealed-off memory file on the helper's stdin: no pipe to keep fed, no
    // SIGPIPE when the helper dies early.
    const int image_fd = memfd_create("packd-image", MFD_CLOEXEC);
    if (image_fd < 0) {
        return fail(std::string("cannot hand the image to the decoder: memfd_create: ") +
                    std::strerror(errno));
    }
    std::size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::write(image_fd, bytes.data() + written, bytes.size() - written);
        if (n <= 0) {
            ::close(image_fd);
            return fail(std::string("cannot hand the image to the decoder: ") + std::strerror(errno));
        }
        written += static_cast<std::size_t>(n);
    }
    ::lseek(image_fd, 0, SEEK_SET);
    int reply_pipe[2];
    if (::pipe2(reply_pipe, O_CLOEXEC) != 0) {
        ::close(image_fd);
        return fail(std::string("cannot start the image decoder: pipe: ") + std::strerror(errno));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, image_fd, 0);
    posix_spawn_file_actions_adddup2(&actions, reply_pipe[1], 1);
    const std::string timeout_s = std::to_string(std::max<int64_t>(1, limits.timeout.count() / 1000 + 1));
    std::vector<std::string> args = {decoder_path, "--cpu-seconds", timeout_s};
    std::vector<char*> argv;
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, decoder_path.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(image_fd);
    ::close(reply_pipe[1]);
    if (spawned != 0) {
        ::close(reply_pipe[0]);
        return fail("cannot start the image decoder " + decoder_path + ": " + std::strerror(spawned));
    }
    std::string reply;
    const auto deadline = std::chrono::steady_clock::now() + limits.timeout;
    bool timed_out = false;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        pollfd p{reply_pipe[0], POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready <= 0) {
            timed_out = ready == 0;
            break;
        }
        char buffer[4096];
        const ssize_t n = ::read(reply_pipe[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        if (reply.size() < 1024 * 1024) {
            reply.append(buffer, static_cast<std::size_t>(n));
        }
    }
    ::close(reply_pipe[0]);
    if (timed_out) {
        ::kill(pid, SIGKILL);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) {
        return fail("decoding the image took longer than " + std::to_string(limits.timeout.count()) +
                    " ms; the decoder was stopped");
    }
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        const char* name = sigabbrev_np(sig);
        const std::string signal =
            name != nullptr ? std::string("SIG") + name : "signal " + std::to_string(sig);
        return fail("the image decoder crashed on this image (" + signal +
                    (sig == SIGABRT ? ", a failed ZXing assertion" : "") + "): nothing read from it");
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return fail("the image decoder failed (exit status " + std::to_string(WEXITSTATUS(status)) + ")");
    }
    return parse_decoder_reply(reply);
}

}  // namespace packd::fulfillment
