// Text on labels, shared by both outputs: UTF-8 as the printer and the preview read it, widths from the
// glyph-advance cache, and fitting a line into its field (smaller first, down to the field's floor, then cut
// with "...").

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "label_font.hpp"
#include "packd/common/utf8.hpp"
#include "packd/fulfillment/labels/label.hpp"

namespace packd::fulfillment {
namespace {

constexpr std::u32string_view kEllipsis = U"...";
// No label line holds more (160 at the printer's smallest font across 4 in at 203 dpi): outside text past
// this is not measured, so a name of 100 KB of distinct code points costs no more than a long name.
constexpr std::size_t kLongestLine = 400;

int ceil_dots(long twenty_six_six) {
    // Heights far beyond what validate() allows must not wrap around.
    return static_cast<int>(std::min<long>((twenty_six_six + 63) / 64, std::numeric_limits<int>::max() / 2));
}

long sum(const std::vector<long>& advances) {
    long total = 0;
    for (const long a : advances) {
        total += a;
    }
    return total;
}

// A well-formed line and its code points, measured at one height after another.
class Line {
  public:
    explicit Line(std::string text) : text_(std::move(text)) {
        for (std::size_t pos = 0; pos < text_.size();) {
            if (code_points_.size() == kLongestLine) {
                text_.resize(pos);
                cut_short_ = true;
                break;
            }
            const Utf8Step step = utf8_step(text_, pos);
            code_points_.push_back(step.code_point);
            pos += step.length;
            ends_.push_back(pos);
        }
    }

    const std::string& text() const { return text_; }
    bool empty() const { return text_.empty(); }
    /// More than kLongestLine code points came: what is kept is cut with "..." whatever its width.
    bool cut_short() const { return cut_short_; }

    int width(int height, bool bold) {
        glyph_advances(code_points_, height, advances_);
        return ceil_dots(sum(advances_)) + (bold ? emphasis_dots(height) : 0);
    }

    // The longest prefix that fits `limit` with "..." after it (trailing blanks dropped), at `height`.
    // Widths only grow with the prefix, so the last prefix that fits is the longest.
    std::string cut(int height, bool bold, int limit) {
        std::vector<long> dots;
        glyph_advances(kEllipsis, height, dots);
        const int extra = bold ? emphasis_dots(height) : 0;
        const auto fits = [&](long advance) { return ceil_dots(advance) + extra <= limit; };
        if (!fits(sum(dots))) {
            // Not even the ellipsis fits; show as much of it as does.
            long width = 0;
            std::string shown;
            for (const long dot : dots) {
                if (!fits(width + dot)) {
                    break;
                }
                width += dot;
                shown += '.';
            }
            return shown;
        }
        glyph_advances(code_points_, height, advances_);
        std::size_t best = 0;  // code points kept
        long prefix = 0;
        for (std::size_t count = 1; count <= code_points_.size(); ++count) {
            prefix += advances_[count - 1];
            const char32_t last = code_points_[count - 1];
            if (last == U' ' || last == U'\t') {
                continue;  // dropped before the ellipsis: the same width as the prefix before it
            }
            if (!fits(prefix + sum(dots))) {
                break;
            }
            best = count;
        }
        std::string out = text_.substr(0, best == 0 ? 0 : ends_[best - 1]);
        out += "...";
        return out;
    }

  private:
    std::string text_;
    bool cut_short_ = false;
    std::u32string code_points_;
    std::vector<std::size_t> ends_;  // byte offset after each code point
    std::vector<long> advances_;
};

}  // namespace

int emphasis_dots(int height_dots) {
    return std::clamp(height_dots / 30, 1, 2);
}

int text_width_dots(std::string_view utf8, int height_dots, bool bold) {
    std::vector<long> advances;
    glyph_advances(code_points(utf8), height_dots, advances);
    return ceil_dots(sum(advances)) + (bold ? emphasis_dots(height_dots) : 0);
}

FittedText fit_text(const TextField& field, const LabelSize& size) {
    int limit = size.width_dots - field.x;
    if (field.max_width > 0) {
        limit = std::min(limit, field.max_width);
    }
    Line line(well_formed_utf8(field.text));
    // The printer's smallest scalable size (10 dots, as validate() asks) is the floor of every floor.
    const int floor =
        field.min_height > 0 ? std::min(field.height, std::max(field.min_height, 10)) : field.height;
    if (line.cut_short()) {
        return {line.cut(floor, field.bold, limit), floor};
    }
    const int full = line.empty() ? 0 : line.width(field.height, field.bold);
    if (full <= limit) {
        return {line.text(), field.height};
    }
    // Smaller first: a name set a little smaller is better than a name cut short.
    if (floor < field.height) {
        // Widths grow about in proportion to the height, so start from the proportional guess and step to
        // the largest height that fits with one dot more not fitting: a few measurements, not one a dot.
        const auto fits = [&](int height) { return line.width(height, field.bold) <= limit; };
        const long guess = static_cast<long>(field.height) * std::max(0, limit) / std::max(1, full);
        int height = static_cast<int>(std::clamp<long>(guess, floor, field.height - 1));
        while (height + 1 < field.height && fits(height + 1)) {
            ++height;
        }
        while (height >= floor && !fits(height)) {
            --height;
        }
        if (height >= floor) {
            return {line.text(), height};
        }
    }
    return {line.cut(floor, field.bold, limit), floor};
}

std::string fitted_text(const TextField& field, const LabelSize& size) {
    return fit_text(field, size).text;
}

}  // namespace packd::fulfillment
