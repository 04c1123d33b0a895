// The PNG preview: the layout both outputs follow (lay_out), drawn at one pixel per printer dot.

#include <png.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <utility>

#include "label_font.hpp"
#include "packd/fulfillment/labels/label.hpp"

namespace packd::fulfillment {
namespace {

int ceil_dots(FT_Pos twenty_six_six) {
    return static_cast<int>((twenty_six_six + 63) / 64);
}

struct Canvas {
    Bitmap& bitmap;

    void darken(int x, int y, int coverage) {
        if (x < 0 || y < 0 || x >= bitmap.width || y >= bitmap.height) {
            return;
        }
        auto& pixel = bitmap.pixels[static_cast<std::size_t>(y * bitmap.width + x)];
        pixel = static_cast<std::uint8_t>(std::min<int>(pixel, 255 - coverage));
    }

    void fill(int x, int y, int width, int height) {
        const int left = std::max(0, x);
        const int top = std::max(0, y);
        const int right = std::min(bitmap.width, x + width);
        const int bottom = std::min(bitmap.height, y + height);
        for (int row = top; row < bottom; ++row) {
            std::fill_n(bitmap.pixels.begin() + row * bitmap.width + left, std::max(0, right - left), 0);
        }
    }
};

// Draws one impression of a line with its em box top at text.y.
Status draw(Canvas& canvas, const TextImpression& text) {
    LabelFace& face = drawing_face();
    const std::lock_guard lock(face.mutex());
    auto sized = face.at_size(text.height);
    if (!sized) {
        return sized.error();
    }
    FT_Face f = *sized;
    const int baseline = text.y + ceil_dots(f->size->metrics.ascender);
    FT_Pos pen = static_cast<FT_Pos>(text.x) * 64;
    for (const char32_t code_point : code_points(text.text)) {
        if (FT_Load_Glyph(f, FT_Get_Char_Index(f, code_point), kGlyphLoadFlags) != 0) {
            continue;
        }
        const FT_GlyphSlot glyph = f->glyph;
        if (FT_Render_Glyph(glyph, FT_RENDER_MODE_NORMAL) == 0) {
            const FT_Bitmap& coverage = glyph->bitmap;
            const int left = static_cast<int>(pen >> 6) + glyph->bitmap_left;
            const int top = baseline - glyph->bitmap_top;
            for (int row = 0; row < static_cast<int>(coverage.rows); ++row) {
                for (int column = 0; column < static_cast<int>(coverage.width); ++column) {
                    canvas.darken(left + column, top + row, coverage.buffer[row * coverage.pitch + column]);
                }
            }
        }
        pen += glyph->advance.x;
    }
    return {};
}

Status draw(Canvas& canvas, const BoxField& box) {
    const int width = std::max(box.width, box.thickness);
    const int height = std::max(box.height, box.thickness);
    const int t = std::min({box.thickness, width, height});
    canvas.fill(box.x, box.y, width, t);               // top
    canvas.fill(box.x, box.y + height - t, width, t);  // bottom
    canvas.fill(box.x, box.y, t, height);              // left
    canvas.fill(box.x + width - t, box.y, t, height);  // right
    return {};
}

Status draw(Canvas& canvas, const PlacedSymbol& barcode) {
    const BarcodeField& field = barcode.field;
    auto symbol = encode_barcode(field.kind, field.data);
    if (!symbol) {
        return symbol.error();
    }
    if (symbol->width != barcode.placed.modules.width || symbol->height != barcode.placed.modules.height) {
        // The layout (and the printer's placement) assumed another size: a bug, not a label to show.
        return fail("the " + std::to_string(symbol->width) + "x" + std::to_string(symbol->height) +
                    " module symbol of '" + well_formed_utf8(field.data) + "' was laid out as " +
                    std::to_string(barcode.placed.modules.width) + "x" +
                    std::to_string(barcode.placed.modules.height));
    }
    // Whole dots per module, no resampling: every bar edge stays sharp, as the printer makes it.
    const int module = field.module_width;
    const int module_height = symbol->height == 1 ? barcode.placed.height_dots : module;
    for (int y = 0; y < symbol->height; ++y) {
        for (int x = 0; x < symbol->width; ++x) {
            if (symbol->is_dark(x, y)) {
                canvas.fill(field.x + x * module, field.y + y * module_height, module, module_height);
            }
        }
    }
    return {};
}

}  // namespace

Result<Bitmap> render_bitmap(const Label& label) {
    if (auto valid = validate(label); !valid) {
        return valid.error();
    }
    Bitmap bitmap{label.size.width_dots, label.size.height_dots,
                  std::vector<std::uint8_t>(static_cast<std::size_t>(label.size.width_dots) *
                                                static_cast<std::size_t>(label.size.height_dots),
                                            255)};
    Canvas canvas{bitmap};
    for (const LaidOutField& field : lay_out(label).fields) {
        auto drawn = std::visit([&](const auto& f) { return draw(canvas, f); }, field);
        if (!drawn) {
            return drawn.error();
        }
    }
    return bitmap;
}

Result<std::string> encode_png(const Bitmap& bitmap) {
    if (bitmap.width < 1 || bitmap.height < 1 ||
        bitmap.pixels.size() !=
            static_cast<std::size_t>(bitmap.width) * static_cast<std::size_t>(bitmap.height)) {
        return fail("bitmap of " + std::to_string(bitmap.width) + "x" + std::to_string(bitmap.height) +
                    " pixels holds " + std::to_string(bitmap.pixels.size()) + " bytes");
    }
    // libpng's simplified API reports errors through the image struct instead of longjmp, which must not
    // cross C++ frames.
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    image.width = static_cast<png_uint_32>(bitmap.width);
    image.height = static_cast<png_uint_32>(bitmap.height);
    image.format = PNG_FORMAT_GRAY;
    png_alloc_size_t size = 0;
    if (png_image_write_get_memory_size(image, size, 0, bitmap.pixels.data(), 0, nullptr) == 0) {
        std::string message = image.message;
        png_image_free(&image);
        return fail("PNG encoding failed: " + message);
    }
    std::string png(size, '\0');
    if (png_image_write_to_memory(&image, png.data(), &size, 0, bitmap.pixels.data(), 0, nullptr) == 0) {
        std::string message = image.message;
        png_image_free(&image);
        return fail("PNG encoding failed: " + message);
    }
    png.resize(size);
    return png;
}

Result<std::string> to_png(const Label& label) {
    auto bitmap = render_bitmap(label);
    if (!bitmap) {
        return bitmap.error();
    }
    return encode_png(*bitmap);
}

}  // namespace packd::fulfillment
