// Labels the shop supplies: checked ZPL as it came, PNG and PDF as ZPL graphics. ZPL command syntax follows
// the ZPL II Programming Guide ("ZPL II Basics": a format is ^XA ... ^XZ; ^ starts a format command and ~ a
// control command, each named by two characters, case-insensitive).

#include "packd/fulfillment/labels/supplied_label.hpp"

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <memory>
#include <mutex>

#include "packd/fulfillment/labels/zpl_graphic.hpp"

namespace packd::fulfillment {
namespace {

char upper(char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Commands a label from outside must not carry: prefix and delimiter changes would make the printer read the
// rest differently from this check; the others persist settings or act on other jobs.
struct RefusedCommand {
    char prefix;  // '^', '~', or 0 for both
    std::array<char, 2> name;
    const char* why;
};
constexpr std::array<RefusedCommand, 6> kRefused = {{
    {0, {'C', 'C'}, "changes the command prefix"},
    {0, {'C', 'D'}, "changes the delimiter"},
    {0, {'C', 'T'}, "changes the control prefix"},
    {'^', {'J', 'U'}, "stores or restores printer settings"},
    {'~', {'J', 'R'}, "resets the printer"},
    {'~', {'J', 'A'}, "cancels every job in the printer"},
}};

std::string at_offset(std::size_t offset) {
    return " at byte " + std::to_string(offset);
}

// Poppler reports problems of a damaged PDF on stderr unless told otherwise; the caller gets one reason
// instead.
void quiet(const std::string&, void*) {}

Result<std::vector<Bitmap>> render_pdf(std::string_view pdf, const LabelSize& size) {
    if (pdf.size() > static_cast<std::size_t>(INT_MAX)) {
        return fail("PDF is too large");
    }
    static std::once_flag silenced;
    std::call_once(silenced, [] { poppler::set_debug_error_function(quiet, nullptr); });
    // load_from_raw_data reads `pdf` in place; the document does not outlive this function.
    std::unique_ptr<poppler::document> document(
        poppler::document::load_from_raw_data(pdf.data(), static_cast<int>(pdf.size())));
    if (!document) {
        return fail("not a readable PDF file");
    }
    if (document->is_locked()) {
        return fail("PDF is password-protected");
    }
    const int pages = document->pages();
    if (pages <= 0) {
        return fail("PDF has no pages");
    }
    if (pages > kMaxSuppliedPages) {
        return fail("PDF has " + std::to_string(pages) + " pages; a supplied label has at most " +
                    std::to_string(kMaxSuppliedPages));
    }
    poppler::page_renderer renderer;
    renderer.set_image_format(poppler::image::format_gray8);
    renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
    renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
    std::vector<Bitmap> out;
    for (int i = 0; i < pages; ++i) {
        std::unique_ptr<poppler::page> page(document->create_page(i));
        if (!page) {
            return fail("PDF page " + std::to_string(i + 1) + " cannot be read");
        }
        const poppler::rectf box = page->page_rect(poppler::media_box);
        double width_pt = box.width();
        double height_pt = box.height();
        const auto orientation = page->orientation();
        if (orientation == poppler::page::landscape || orientation == poppler::page::seascape) {
            std::swap(width_pt, height_pt);
        }
        if (!(width_pt >= 1.0 && height_pt >= 1.0 && width_pt < 1e5 && height_pt < 1e5)) {
            return fail("PDF page " + std::to_string(i + 1) + " has no usable size");
        }
        // Render straight at the size the page takes on the stock, so the printer's dots are drawn once;
        // a page whose orientation differs from the stock's is rendered for the turned stock and turned.
        const bool turn =
            (width_pt > height_pt) != (size.width_dots > size.height_dots) && width_pt != height_pt;
        const double stock_w = turn ? size.height_dots : size.width_dots;
        const double stock_h = turn ? size.width_dots : size.height_dots;
        const double dots_per_point = std::min(stock_w / width_pt, stock_h / height_pt);
        const double resolution = dots_per_point * 72.0;
        const poppler::image image = renderer.render_page(page.get(), resolution, resolution);
        if (!image.is_valid() || image.width() <= 0 || image.height() <= 0) {
            return fail("PDF page " + std::to_string(i + 1) + " cannot be drawn");
        }
        Bitmap bitmap{image.width(), image.height(), {}};
        bitmap.pixels.resize(static_cast<std::size_t>(image.width()) *
                             static_cast<std::size_t>(image.height()));
        for (int y = 0; y < image.height(); ++y) {
            const char* row = image.const_data() + static_cast<std::ptrdiff_t>(y) * image.bytes_per_row();
            std::memcpy(
                bitmap.pixels.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(image.width()),
                row, static_cast<std::size_t>(image.width()));
        }
        // Rounding may leave the render a dot off the stock; fit_to_label turns it and keeps it on the stock.
        out.push_back(fit_to_label(bitmap, size));
    }
    return out;
}

}  // namespace

Result<SuppliedLabelFormat> parse_supplied_label_format(std::string_view name) {
    std::string lower;
    for (const char c : name) {
        lower += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }
    if (lower == "zpl") {
        return SuppliedLabelFormat::Zpl;
    }
    if (lower == "png") {
        return SuppliedLabelFormat::Png;
    }
    if (lower == "pdf") {
        return SuppliedLabelFormat::Pdf;
    }
    std::string shown(name.substr(0, 32));
    for (char& c : shown) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) {
            c = '?';
        }
    }
    return fail("unknown label format '" + shown + "' (expected zpl, png or pdf)");
}

Status check_supplied_zpl(std::string_view zpl) {
    bool in_format = false;
    std::size_t format_start = 0;
    int formats = 0;
    for (std::size_t i = 0; i < zpl.size(); ++i) {
        const char c = zpl[i];
        if (c != '^' && c != '~') {
            if (!in_format && !is_space(c)) {
                return fail("ZPL has data outside a ^XA...^XZ format" + at_offset(i));
            }
            continue;
        }
        if (i + 2 >= zpl.size()) {
            return fail("ZPL ends inside a command" + at_offset(i));
        }
        const std::array<char, 2> name{upper(zpl[i + 1]), upper(zpl[i + 2])};
        if (c == '^' && name == std::array<char, 2>{'X', 'A'}) {
            if (in_format) {
                return fail("ZPL format starting" + at_offset(format_start) +
                            " has no ^XZ before the next ^XA");
            }
            in_format = true;
            format_start = i;
            i += 2;
            continue;
        }
        if (!in_format) {
            return fail("ZPL has a command outside a ^XA...^XZ format" + at_offset(i));
        }
        if (c == '^' && name == std::array<char, 2>{'X', 'Z'}) {
            in_format = false;
            ++formats;
            i += 2;
            continue;
        }
        for (const RefusedCommand& refused : kRefused) {
            if ((refused.prefix == 0 || refused.prefix == c) && refused.name == name) {
                return fail(std::string("ZPL command ") + c + name[0] + name[1] + at_offset(i) + " " +
                            refused.why + " and is not accepted from outside");
            }
        }
    }
    if (in_format) {
        return fail("ZPL format starting" + at_offset(format_start) + " has no ^XZ");
    }
    if (formats == 0) {
        return fail("ZPL holds no ^XA...^XZ format");
    }
    return {};
}

Result<std::string> supplied_label_to_zpl(SuppliedLabelFormat format, std::string_view bytes,
                                          const LabelSize& size, std::size_t max_bytes) {
    if (bytes.empty()) {
        return fail("supplied label is empty");
    }
    if (bytes.size() > max_bytes) {
        return fail("supplied label is " + std::to_string(bytes.size()) + " bytes, more than the limit of " +
                    std::to_string(max_bytes));
    }
    if (size.width_dots <= 0 || size.height_dots <= 0 || size.dpi <= 0) {
        return fail("label stock has no size");
    }
    switch (format) {
        case SuppliedLabelFormat::Zpl: {
            if (auto st = check_supplied_zpl(bytes); !st) {
                return st.error();
            }
            return std::string(bytes);
        }
        case SuppliedLabelFormat::Png: {
            auto image = decode_png_grey(bytes);
            if (!image) {
                return image.error();
            }
            return zpl_graphic_format(fit_to_label(*image, size), size);
        }
        case SuppliedLabelFormat::Pdf: {
            auto pages = render_pdf(bytes, size);
            if (!pages) {
                return pages.error();
            }
            std::string zpl;
            for (const Bitmap& page : *pages) {
                zpl += zpl_graphic_format(page, size);
            }
            return zpl;
        }
    }
    return fail("unknown label format");
}

}  // namespace packd::fulfillment
