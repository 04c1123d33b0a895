// The glyph-advance cache gives what FreeType gives: every width measured through it equals the sum of the
// hinted advances (FT_LOAD_DEFAULT, no kerning) read straight from a face of the same font file, the first
// time and every time after, and from several threads measuring at once.

#include <ft2build.h>
#include FT_FREETYPE_H
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "packd/fulfillment/labels/label.hpp"

namespace packd::fulfillment {
namespace {

const std::vector<std::string> kTexts = {"SHIP TO:",
                                         "Zoë Ünal, Müller & Söhne GmbH",
                                         "SSCC (00) 340123450000000000",
                                         "Łódź Ærø ŒÆ ß",
                                         "東京 😀 \xe2\x80\x8b",
                                         std::string(300, 'W'),
                                         "a\tb  c...",
                                         "?\xc3\xa9?",
                                         ""};
const std::vector<int> kHeights = {10, 16, 23, 24, 32, 41, 61, 90, 200};

// The width as text_width_dots measured it before the cache: a fresh face, one FT_Load_Glyph a character.
int freetype_width(const std::string& text, int height) {
    FT_Library library = nullptr;
    FT_Face face = nullptr;
    EXPECT_EQ(FT_Init_FreeType(&library), 0);
    EXPECT_EQ(FT_New_Face(library, default_label_fonts().regular.c_str(), 0, &face), 0);
    EXPECT_EQ(FT_Set_Pixel_Sizes(face, 0, static_cast<FT_UInt>(height)), 0);
    FT_Pos width = 0;
    for (const char32_t code_point : code_points(text)) {
        if (FT_Load_Glyph(face, FT_Get_Char_Index(face, code_point), FT_LOAD_DEFAULT) == 0) {
            width += face->glyph->advance.x;
        }
    }
    FT_Done_Face(face);
    FT_Done_FreeType(library);
    return static_cast<int>((width + 63) / 64);
}

TEST(GlyphAdvances, EveryWidthIsWhatFreeTypeGives) {
    for (int pass = 0; pass < 2; ++pass) {  // filling the cache, then from it
        for (const std::string& text : kTexts) {
            for (const int height : kHeights) {
                EXPECT_EQ(text_width_dots(text, height, false), freetype_width(text, height))
                    << "'" << text.substr(0, 30) << "' at " << height << " dots, pass " << pass;
                EXPECT_EQ(text_width_dots(text, height, true),
                          freetype_width(text, height) + emphasis_dots(height));
            }
        }
    }
}

TEST(GlyphAdvances, ThreadsMeasuringAtOnceGetTheSameWidths) {
    std::vector<int> expected;
    for (const std::string& text : kTexts) {
        for (const int height : kHeights) {
            expected.push_back(freetype_width(text, height));
        }
    }
    // A font change empties the cache, so every thread fills it while the others read it.
    use_label_fonts(default_label_fonts());
    std::vector<std::vector<int>> measured(4);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < measured.size(); ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 20; ++round) {
                measured[t].clear();
                for (const std::string& text : kTexts) {
                    for (const int height : kHeights) {
                        measured[t].push_back(text_width_dots(text, height, false));
                    }
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    for (const auto& widths : measured) {
        EXPECT_EQ(widths, expected);
    }
}

}  // namespace
}  // namespace packd::fulfillment
