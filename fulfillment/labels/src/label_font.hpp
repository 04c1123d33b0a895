#pragma once
// The label font through FreeType: one face for drawing previews and one behind the glyph-advance cache
// that every text measurement reads, each with its own lock, so measuring a label on the event loop never
// waits for a preview being drawn on another thread.

#include <ft2build.h>
#include FT_FREETYPE_H

#include <mutex>
#include <string>
#include <vector>

#include "packd/common/result.hpp"

namespace packd::fulfillment {

// Measuring and drawing load glyphs with the same flags (hinted, no kerning anywhere), so an advance read
// from the cache is the advance the drawing pen moves by.
inline constexpr FT_Int32 kGlyphLoadFlags = FT_LOAD_DEFAULT;

/// One FreeType library and face of the label font. FreeType objects are not thread-safe: every use goes
/// through mutex(). The face loads on first use and stays loaded; a file that fails to load is tried again
/// next time, so installing the font later heals a running daemon.
class LabelFace {
  public:
    explicit LabelFace(std::string path);
    LabelFace(const LabelFace&) = delete;
    LabelFace& operator=(const LabelFace&) = delete;
    ~LabelFace();

    std::mutex& mutex() { return mutex_; }

    // The calls below are made with mutex() held.
    void use(std::string path);
    /// The face set to `height_dots` pixels per em.
    Result<FT_Face> at_size(int height_dots);

  private:
    void unload();

    std::mutex mutex_;
    std::string path_;
    FT_Library library_ = nullptr;
    FT_Face face_ = nullptr;
    int size_ = 0;
};

/// The face previews are drawn with.
LabelFace& drawing_face();

/// The advance in 26.6 dots of every code point of `text` set at `height_dots`, from the cache (per font,
/// pixel size and code point; filled from FreeType on first use). Without a loadable font every code point
/// is one em, and the result is false. Thread-safe.
bool glyph_advances(std::u32string_view text, int height_dots, std::vector<long>& out);

}  // namespace packd::fulfillment
