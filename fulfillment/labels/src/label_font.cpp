// The label font: FreeType faces, and the glyph-advance cache that makes measuring text a table lookup.
// A label measures every line at least once, and fitting a long one measures it at several sizes; loading a
// hinted glyph costs microseconds, a cached advance nanoseconds, and both give the same number.

#include "label_font.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <utility>

#include "packd/fulfillment/labels/label.hpp"

namespace packd::fulfillment {
namespace {

// The cache is bounded so that hostile data (every code point of Unicode, a template with every font
// size) costs FreeType time, not memory: past these counts lookups still work, they are just not kept.
constexpr char32_t kDenseCodePoints = 0x250;  // ASCII, Latin-1, Latin Extended-A and -B
constexpr std::size_t kMaxSparsePerSize = 4096;
constexpr std::size_t kMaxSizes = 96;

// Advances of one pixel size, in 26.6 dots; -1 means not loaded yet.
struct SizeAdvances {
    SizeAdvances() { dense.fill(-1); }
    std::array<std::int32_t, kDenseCodePoints> dense;
    std::unordered_map<char32_t, std::int32_t> sparse;
};

class AdvanceCache {
  public:
    AdvanceCache() : face_(default_label_fonts().regular) {}

    void use(std::string path) {
        const std::lock_guard lock(face_.mutex());
        face_.use(std::move(path));
        sizes_.clear();
    }

    bool advances(std::u32string_view text, int height_dots, std::vector<long>& out) {
        out.clear();
        out.reserve(text.size());
        const std::lock_guard lock(face_.mutex());
        SizeAdvances* table = table_for(height_dots);
        FT_Face face = nullptr;
        for (const char32_t code_point : text) {
            std::int32_t* slot = nullptr;
            if (code_point < kDenseCodePoints) {
                slot = &table->dense[code_point];
            } else if (const auto it = table->sparse.find(code_point); it != table->sparse.end()) {
                slot = &it->second;
            }
            if (slot != nullptr && *slot >= 0) {
                out.push_back(*slot);
                continue;
            }
            if (face == nullptr) {
                auto loaded = face_.at_size(height_dots);
                if (!loaded) {
                    // One em a character over-estimates, so printed text still never overflows.
                    out.assign(text.size(), static_cast<long>(height_dots) * 64);
                    return false;
                }
                face = *loaded;
            }
            // A glyph that does not load adds nothing, as the drawing pen does not move for it.
            std::int32_t advance = 0;
            if (FT_Load_Glyph(face, FT_Get_Char_Index(face, code_point), kGlyphLoadFlags) == 0) {
                advance = static_cast<std::int32_t>(
                    std::clamp<FT_Pos>(face->glyph->advance.x, 0, std::int32_t{1} << 30));
            }
            if (slot != nullptr) {
                *slot = advance;
            } else if (table->sparse.size() < kMaxSparsePerSize) {
                table->sparse.emplace(code_point, advance);
            }
            out.push_back(advance);
        }
        return true;
    }

  private:
    SizeAdvances* table_for(int height_dots) {
        auto it = sizes_.find(height_dots);
        if (it == sizes_.end()) {
            if (sizes_.size() >= kMaxSizes) {
                sizes_.clear();
            }
            it = sizes_.emplace(height_dots, std::make_unique<SizeAdvances>()).first;
        }
        return it->second.get();
    }

    LabelFace face_;
    std::unordered_map<int, std::unique_ptr<SizeAdvances>> sizes_;
};

AdvanceCache& advance_cache() {
    static AdvanceCache cache;
    return cache;
}

}  // namespace

LabelFace::LabelFace(std::string path) : path_(std::move(path)) {}

LabelFace::~LabelFace() {
    unload();
    if (library_ != nullptr) {
        FT_Done_FreeType(library_);
    }
}

void LabelFace::use(std::string path) {
    unload();
    path_ = std::move(path);
}

Result<FT_Face> LabelFace::at_size(int height_dots) {
    if (library_ == nullptr && FT_Init_FreeType(&library_) != 0) {
        library_ = nullptr;
        return fail("cannot start the FreeType font library");
    }
    if (face_ == nullptr && FT_New_Face(library_, path_.c_str(), 0, &face_) != 0) {
        face_ = nullptr;
        return fail("cannot load label font '" + path_ + "'");
    }
    const int size = std::max(1, height_dots);
    if (size != size_) {
        if (FT_Set_Pixel_Sizes(face_, 0, static_cast<FT_UInt>(size)) != 0) {
            size_ = 0;
            return fail("label font '" + path_ + "' cannot be set to " + std::to_string(height_dots) +
                        " dots");
        }
        size_ = size;
    }
    return face_;
}

void LabelFace::unload() {
    if (face_ != nullptr) {
        FT_Done_Face(face_);
        face_ = nullptr;
    }
    size_ = 0;
}

LabelFace& drawing_face() {
    static LabelFace face(default_label_fonts().regular);
    return face;
}

bool glyph_advances(std::u32string_view text, int height_dots, std::vector<long>& out) {
    return advance_cache().advances(text, height_dots, out);
}

LabelFonts default_label_fonts() {
    return {PACKD_LABEL_FONT};
}

void use_label_fonts(LabelFonts fonts) {
    {
        LabelFace& face = drawing_face();
        const std::lock_guard lock(face.mutex());
        face.use(fonts.regular);
    }
    advance_cache().use(std::move(fonts.regular));
}

}  // namespace packd::fulfillment
