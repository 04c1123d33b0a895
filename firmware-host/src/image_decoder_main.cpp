// packd-image-decoder: reads one image (PNG, JPEG or binary PGM) on stdin and writes the barcodes in it on
// stdout (fulfillment/scanning/include/packd/fulfillment/scanning/image_scan.hpp has the protocol). It exists
// so that a ZXing assertion failure on a bad image ends this process and not packd.

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "packd/fulfillment/scanning/image_scan.hpp"

int main(int argc, char** argv) {
    packd::fulfillment::ImageDecodeLimits limits;
    if (argc == 3 && std::string(argv[1]) == "--cpu-seconds") {
        // A runaway decode is stopped by the kernel even if packd is not there to kill it.
        const rlim_t seconds = std::strtoul(argv[2], nullptr, 10);
        const rlimit cpu{seconds, seconds + 1};
        setrlimit(RLIMIT_CPU, &cpu);
    } else if (argc != 1) {
        std::fprintf(stderr, "usage: packd-image-decoder [--cpu-seconds N] < image\n");
        return 2;
    }
    std::vector<std::uint8_t> bytes;
    std::uint8_t buffer[65536];
    for (;;) {
        const ssize_t n = read(0, buffer, sizeof buffer);
        if (n <= 0) {
            break;
        }
        bytes.insert(bytes.end(), buffer, buffer + n);
        if (bytes.size() > limits.max_bytes) {
            break;  // load_grey_image names the limit
        }
    }
    const auto result = packd::fulfillment::decode_image_here(bytes, limits, true);
    const std::string reply = packd::fulfillment::encode_decoder_reply(result);
    std::fwrite(reply.data(), 1, reply.size(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
}
