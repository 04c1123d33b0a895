// The PNG preview, and the label font that both outputs measure text with.

#include <ft2build.h>
#include FT_FREETYPE_H
#include <png.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <utility>

#include "packd/fulfillment/label.hpp"

namespace packd::fulfillment {
namespace {

// FreeType faces are not thread-safe, so every use goes through the cache's mutex. Faces load on first
// use and stay loaded; a file that fails to load is tried again next time, so installing the font later
// heals a running daemon.
class FontCache {
  public:
    FontCache() : files_(default_label_fonts()) {}
    FontCache(const FontCache&) = delete;
    FontCache& operator=(const FontCache&) = delete;
    ~FontCache() {
        unload();
        if (library_ != nullptr) {
            FT_Done_FreeType(library_);
        }
    }

    std::mutex& mutex() { return mutex_; }

    // Callers hold mutex().
    void use(LabelFonts files) {
        unload();
        files_ = std::move(files);
    }

    // Callers hold mutex(). The face is set to `height_dots` pixels per em.
    Result<FT_Face> face(bool bold, int height_dots) {
        FT_Face& loaded = bold ? bold_ : regular_;
        const std::string& path = bold ? files_.bold : files_.regular;
        if (library_ == nullptr && FT_Init_FreeType(&library_) != 0) {
            library_ = nullptr;
            return fail("cannot start the FreeType font library");
        }
        if (loaded == nullptr && FT_New_Face(library_, path.c_str(), 0, &loaded) != 0) {
            loaded = nullptr;
            return fail("cannot load label font '" + path + "'");
        }
        if (FT_Set_Pixel_Sizes(loaded, 0, static_cast<FT_UInt>(std::max(1, height_dots))) != 0) {
            return fail("label font '" + path + "' cannot be set to " + std::to_string(height_dots) +
                        " dots");
        }
        return loaded;
    }

  private:
    void unload() {
        for (FT_Face* face : {&regular_, &bold_}) {
            if (*face != nullptr) {
                FT_Done_Face(*face);
                *face = nullptr;
            }
        }
    }

    std::mutex mutex_;
    LabelFonts files_;
    FT_Library library_ = nullptr;
    FT_Face regular_ = nullptr;
    FT_Face bold_ = nullptr;
};

FontCache& font_cache() {
    static FontCache cache;
    return cache;
}

// Measuring and drawing load glyphs with the same flags, so the advances (and the width that decides where
// text is cut) are the same in both.
constexpr FT_Int32 kGlyphLoadFlags = FT_LOAD_DEFAULT;

FT_Pos advance_sum(FT_Face face, std::string_view utf8) {
    FT_Pos width = 0;
    for (const char32_t code_point : code_points(utf8)) {
        if (FT_Load_Glyph(face, FT_Get_Char_Index(face, code_point), kGlyphLoadFlags) == 0) {
            width += face->glyph->advance.x;
        }
    }
    return width;
}

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

// Draws `text` (already fitted) with its em box top at field.y; ink stays left of `clip_right` so a glyph
// that overhangs its advance cannot reach a neighbouring field.
Status draw_text(Canvas& canvas, const TextField& field, std::string_view text, int clip_right) {
    FontCache& cache = font_cache();
    const std::lock_guard lock(cache.mutex());
    auto face = cache.face(field.bold, field.height);
    if (!face) {
        return face.error();
    }
    FT_Face f = *face;
    const int baseline = field.y + ceil_dots(f->size->metrics.ascender);
    FT_Pos pen = static_cast<FT_Pos>(field.x) * 64;
    for (const char32_t code_point : code_points(text)) {
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
                    const int x = left + column;
                    if (x < field.x || x >= clip_right) {
                        continue;
                    }
                    canvas.darken(x, top + row, coverage.buffer[row * coverage.pitch + column]);
                }
            }
        }
        pen += glyph->advance.x;
    }
    return {};
}

Status draw(Canvas& canvas, const LabelSize& size, const TextField& field) {
    int clip_right = size.width_dots;
    if (field.max_width > 0) {
        clip_right = std::min(clip_right, field.x + field.max_width);
    }
    return draw_text(canvas, field, fitted_text(field, size), clip_right);
}

Status draw(Canvas& canvas, const LabelSize&, const BoxField& box) {
    const int width = std::max(box.width, box.thickness);
    const int height = std::max(box.height, box.thickness);
    const int t = std::min({box.thickness, width, height});
    canvas.fill(box.x, box.y, width, t);               // top
    canvas.fill(box.x, box.y + height - t, width, t);  // bottom
    canvas.fill(box.x, box.y, t, height);              // left
    canvas.fill(box.x + width - t, box.y, t, height);  // right
    return {};
}

Status draw(Canvas& canvas, const LabelSize& size, const BarcodeField& field) {
    auto placed = place_barcode(field);
    if (!placed) {
        return placed.error();
    }
    // Whole dots per module, no resampling: every bar edge stays sharp, as the printer makes it.
    const BarcodeSymbol& symbol = placed->symbol;
    const int module = field.module_width;
    const int module_height = symbol.height == 1 ? placed->height_dots : module;
    for (int y = 0; y < symbol.height; ++y) {
        for (int x = 0; x < symbol.width; ++x) {
            if (symbol.is_dark(x, y)) {
                canvas.fill(field.x + x * module, field.y + y * module_height, module, module_height);
            }
        }
    }
    if (placed->human_readable) {
        return draw(canvas, size, *placed->human_readable);
    }
    return {};
}

}  // namespace

LabelFonts default_label_fonts() {
    return {PACKD_LABEL_FONT, PACKD_LABEL_FONT_BOLD};
}

void use_label_fonts(LabelFonts fonts) {
    FontCache& cache = font_cache();
    const std::lock_guard lock(cache.mutex());
    cache.use(std::move(fonts));
}

int text_width_dots(std::string_view utf8, int height_dots, bool bold) {
    FontCache& cache = font_cache();
    const std::lock_guard lock(cache.mutex());
    auto face = cache.face(bold, height_dots);
    if (!face) {
        return static_cast<int>(code_points(utf8).size()) * height_dots;
    }
    return ceil_dots(advance_sum(*face, utf8));
}

Result<Bitmap> render_bitmap(const Label& label) {
    if (auto valid = validate(label); !valid) {
        return valid.error();
    }
    Bitmap bitmap{label.size.width_dots, label.size.height_dots,
                  std::vector<std::uint8_t>(static_cast<std::size_t>(label.size.width_dots) *
                                                static_cast<std::size_t>(label.size.height_dots),
                                            255)};
    Canvas canvas{bitmap};
    for (const LabelField& field : label.fields) {
        auto drawn = std::visit([&](const auto& f) { return draw(canvas, label.size, f); }, field);
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
