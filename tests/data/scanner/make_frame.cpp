// One-off: a 1280x720 white frame with an EAN-13 symbol (ZXing-cpp's writer, 3 px per module,
// 200 px tall, centred), written as PGM (for cjpeg) and PNG (libpng simplified API).
#include <ZXing/BarcodeFormat.h>
#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>
#include <png.h>
#include <cstdio>
#include <vector>
int main(int argc, char** argv) {
    if (argc != 4)
        return 2;
    const int W = 1280, H = 720, scale = 3, bar = 200;
    std::vector<unsigned char> px(W * H, 255);
    auto m = ZXing::MultiFormatWriter(ZXing::BarcodeFormat::EAN13).setMargin(0).encode(argv[1], 0, 0);
    const int x0 = W / 2 - m.width() * scale / 2, y0 = H / 2 - bar / 2;
    for (int y = 0; y < bar; ++y)
        for (int x = 0; x < m.width() * scale; ++x)
            if (m.get(x / scale, 0))
                px[(y0 + y) * W + x0 + x] = 0;
    FILE* f = std::fopen(argv[2], "wb");
    std::fprintf(f, "P5\n%d %d\n255\n", W, H);
    std::fwrite(px.data(), 1, px.size(), f);
    std::fclose(f);
    png_image img{};
    img.version = PNG_IMAGE_VERSION;
    img.width = W;
    img.height = H;
    img.format = PNG_FORMAT_GRAY;
    return png_image_write_to_file(&img, argv[3], 0, px.data(), 0, nullptr) ? 0 : 1;
}
