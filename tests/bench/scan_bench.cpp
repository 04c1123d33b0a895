// Scan benchmark: what one scan costs from key events to a meaning, and one camera frame to barcodes.
// Prints figures and the floor measured in the same run (docs/PERFORMANCE.md); asserts nothing.
// Takes no arguments of its own (scripts/bench passes its own through; they are ignored here).

#include <ZXing/BarcodeFormat.h>
#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>
#include <linux/input-event-codes.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <iostream>

#include "bench_report.hpp"
#include "packd/drivers/camera_frame.hpp"
#include "packd/drivers/keyboard_wedge.hpp"
#include "packd/fulfillment/labels/label.hpp"
#include "packd/fulfillment/scanning/image_decoder.hpp"
#include "packd/fulfillment/scanning/image_scan.hpp"
#include "packd/fulfillment/stations/scan_code.hpp"
#include "test_env.hpp"
#include "wedge_keys.hpp"

namespace {

using namespace packd;
using Clock = std::chrono::steady_clock;

struct Timing {
    double p50_us = 0, p99_us = 0;
    std::size_t n = 0;
};

// Runs `op` in batches of `batch`, `batches` times; per-op time of each batch, p50 and p99 over batches.
Timing measure(int batches, int batch, const std::function<void()>& op) {
    std::vector<double> per_op;
    for (int b = 0; b < batches; ++b) {
        const auto start = Clock::now();
        for (int i = 0; i < batch; ++i) {
            op();
        }
        per_op.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count() / batch);
    }
    std::sort(per_op.begin(), per_op.end());
    return {per_op[per_op.size() / 2], per_op[per_op.size() * 99 / 100],
            static_cast<std::size_t>(batches) * static_cast<std::size_t>(batch)};
}

bench::Row row(std::string id, std::string what, const Timing& t, std::string notes) {
    return {std::move(id),
            std::move(what),
            std::to_string(t.n),
            bench::fixed(t.p50_us, 3) + " us",
            bench::fixed(t.p50_us, 3) + " us",
            bench::fixed(t.p99_us, 3) + " us",
            std::move(notes)};
}

std::vector<std::uint8_t> camera_frame() {
    const auto symbol = fulfillment::encode_barcode(fulfillment::BarcodeKind::Gs1_128,
                                                    "(01)09501101530003(17)140704(10)AB-123");
    fulfillment::Bitmap frame{1280, 720, std::vector<std::uint8_t>(1280 * 720, 255)};
    const int scale = 3;
    const int x0 = 640 - symbol->width * scale / 2;
    for (int y = 260; y < 460; ++y) {
        for (int x = 0; x < symbol->width * scale; ++x) {
            if (symbol->is_dark(x / scale, 0)) {
                frame.pixels[static_cast<std::size_t>(y * 1280 + x0 + x)] = 0;
            }
        }
    }
    const auto png = fulfillment::encode_png(frame);
    return {png->begin(), png->end()};
}

}  // namespace

int main() {
    const std::string decoder = PACKD_IMAGE_DECODER;
    std::vector<bench::Row> rows;
    std::string sink;

    // Floor: copying the 13 characters of a scan.
    const std::string ean = "4006381333931";
    rows.push_back(row("0", "floor: copy a 13-character scan", measure(200, 10000, [&] { sink = ean; }), ""));

    // One EAN-13 typed by a US-layout scanner: 13 keys + Enter = 56 input events (with SYN_REPORTs).
    drivers::test::KeyTypist us(0, 2000);
    us.type("4 0 0 6 3 8 1 3 3 3 9 3 1");
    us.press(KEY_ENTER);
    drivers::KeyboardWedgeCodec codec{drivers::KeyboardWedgeSettings{}};
    rows.push_back(row("1", "key events -> scan (us, EAN-13)",
                       measure(200, 1000,
                               [&] {
                                   for (const auto& e : us.events) {
                                       codec.feed(e, [&](drivers::KeyedScan s) { sink = std::move(s.text); });
                                   }
                               }),
                       std::to_string(us.events.size()) + " events per scan"));

    // The same from a French-layout scanner read as US in layout-proof mode: every layout is tried.
    drivers::test::KeyTypist fr(0, 2000);
    fr.type("S+4 S+0 S+0 S+6 S+3 S+8 S+1 S+3 S+3 S+3 S+9 S+3 S+1");
    fr.press(KEY_ENTER);
    drivers::KeyboardWedgeSettings proof;
    proof.layout_proof = true;
    drivers::KeyboardWedgeCodec proof_codec(proof);
    rows.push_back(row("2", "key events -> scan, layout-proof (fr read as us)",
                       measure(200, 1000,
                               [&] {
                                   for (const auto& e : fr.events) {
                                       proof_codec.feed(
                                           e, [&](drivers::KeyedScan s) { sink = std::move(s.text); });
                                   }
                               }),
                       "wrong layout: decodes with up to 8 layouts"));

    // GS1 element string: parse and read fields; a whole scan interpretation without catalogue.
    const std::string gs1 =
        "0109501101530003"
        "17140704"
        "10AB-123\x1d"
        "21SN-77";
    rows.push_back(row("3", "GS1 parse + fields (4 AIs)",
                       measure(200, 1000,
                               [&] {
                                   auto f = fulfillment::read_gs1_fields(gs1, 2026);
                                   sink = f ? f->lot : "";
                               }),
                       ""));
    fulfillment::ScanRules rules;
    rules.this_year = 2026;
    const fulfillment::ScanCatalogue none{};
    rows.push_back(row("4", "scan interpretation, ]C1 GS1-128",
                       measure(200, 1000,
                               [&] {
                                   auto m = fulfillment::interpret_scan("]C1" + gs1, {}, rules, none);
                                   sink = m.code;
                               }),
                       "no catalogue lookups"));
    rows.push_back(row("5", "scan interpretation, EAN-13",
                       measure(200, 1000,
                               [&] {
                                   auto m = fulfillment::interpret_scan(ean, {}, rules, none);
                                   sink = m.code;
                               }),
                       "no catalogue lookups"));

    // A 1280x720 camera frame (PNG) with one GS1-128 symbol.
    const auto frame = camera_frame();
    fulfillment::ImageDecodeLimits limits;
    rows.push_back(row("6", "1280x720 frame, decode in-process (plain pass)",
                       measure(20, 1,
                               [&] {
                                   auto r = fulfillment::decode_image_here(frame, limits, false);
                                   sink = r ? (*r)[0].text : r.error().message;
                               }),
                       "PNG " + std::to_string(frame.size()) + " bytes; not how packd runs it"));
    rows.push_back(row("7", "1280x720 frame, decode in helper process",
                       measure(20, 1,
                               [&] {
                                   auto r = fulfillment::decode_image(frame, decoder, limits);
                                   sink = r ? (*r)[0].text : r.error().message;
                               }),
                       "spawn + memfd + decode + reply"));
    const std::vector<std::uint8_t> text(1000, 'x');
    rows.push_back(row("8", "not an image, in helper process",
                       measure(20, 1,
                               [&] {
                                   auto r = fulfillment::decode_image(text, decoder, limits);
                                   sink = r ? "" : r.error().message;
                               }),
                       "floor of the helper: spawn and refuse"));

    // The daemon's way: ImageDecoder on an io_context, the answer by callback on the loop.
    boost::asio::io_context io;
    auto async_decode = [&](fulfillment::ImageDecoder& d, const std::vector<std::uint8_t>& image, int count) {
        int answered = 0;
        for (int i = 0; i < count; ++i) {
            d.decode(image, [&](Result<std::vector<fulfillment::ImageBarcode>> r) {
                sink = r ? (*r)[0].text : r.error().message;
                ++answered;
            });
        }
        while (answered < count) {
            if (io.run_one() == 0) {
                io.restart();  // the loop ran out of work between frames and stopped
            }
        }
    };
    fulfillment::ImageDecoder one_helper(io, {decoder, limits, 1, 64});
    rows.push_back(row("9", "1280x720 frame, ImageDecoder (async helper)",
                       measure(20, 1, [&] { async_decode(one_helper, frame, 1); }),
                       "decode() to callback on the io_context"));
    fulfillment::ImageDecoder two_helpers(io, {decoder, limits, 2, 64});
    rows.push_back(row("10", "1280x720 frames, ImageDecoder, 2 helpers, 8 queued",
                       measure(10, 1, [&] { async_decode(two_helpers, frame, 8); }),
                       "per batch of 8 frames (divide by 8 per frame)"));
    const std::string jpeg_text = test::read_file(test::source_dir() + "/tests/data/scanner/ean13_frame.jpg");
    const std::vector<std::uint8_t> jpeg(jpeg_text.begin(), jpeg_text.end());
    rows.push_back(row("11", "1280x720 JPEG frame, decode in-process (plain pass)",
                       measure(20, 1,
                               [&] {
                                   auto r = fulfillment::decode_image_here(jpeg, limits, false);
                                   sink = r ? (*r)[0].text : r.error().message;
                               }),
                       "JPEG " + std::to_string(jpeg.size()) + " bytes (tests/data/scanner)"));
    rows.push_back(row("12", "1280x720 JPEG frame, ImageDecoder (async helper)",
                       measure(20, 1, [&] { async_decode(one_helper, jpeg, 1); }), ""));
    // A camera's path (drivers/src/camera_frame.cpp): the GS1-128 frame of line 6 as the packed YUYV a
    // webcam hands over (2 bytes a pixel, neutral chroma), converted to PGM, then decoded by the helper.
    const auto grey = fulfillment::load_grey_image(frame, limits);
    std::vector<std::uint8_t> yuyv(grey->pixels.size() * 2, 128);
    for (std::size_t i = 0; i < grey->pixels.size(); ++i) {
        yuyv[2 * i] = grey->pixels[i];
    }
    const drivers::CameraFrameLayout yuyv_layout{drivers::CameraPixelFormat::yuyv, 1280, 720, 2560,
                                                 1280 * 720 * 2};
    std::vector<std::uint8_t> pgm;
    const Timing convert = measure(20, 10, [&] {
        auto r = drivers::frame_to_image(yuyv_layout, yuyv);
        pgm = r ? std::move(*r) : std::vector<std::uint8_t>{};
    });
    rows.push_back(row("13", "1280x720 YUYV camera frame -> PGM", convert,
                       "PGM " + std::to_string(pgm.size()) + " bytes"));
    sink.clear();
    const Timing camera = measure(20, 1, [&] {
        auto r = drivers::frame_to_image(yuyv_layout, yuyv);
        async_decode(one_helper, *r, 1);
    });
    rows.push_back(row("14", "1280x720 YUYV frame -> PGM -> ImageDecoder", camera,
                       "a camera scanner per decoded frame; read " + sink.substr(0, 16) + "..."));
    bench::print_table(rows);
    std::cout
        << "(result column = p50 per scan or frame; each batch's mean per operation, p50/p99 over batches)\n";
    return sink.empty() ? 1 : 0;
}
