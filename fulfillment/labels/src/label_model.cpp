// The label model as bytes (label_model.hpp): written by packd, read back from the store, so the reader
// trusts nothing: every number is range-checked, every escape must be well-formed, and the whole is bounded.

#include "packd/fulfillment/labels/label_model.hpp"

#include <array>
#include <charconv>
#include <type_traits>
#include <vector>

namespace packd::fulfillment {
namespace {

constexpr std::string_view kHeader = "packd-label 1";
constexpr std::size_t kMaxBytes = 4 * 1024 * 1024;
constexpr std::size_t kMaxFields = 10000;
constexpr char kHex[] = "0123456789ABCDEF";

constexpr std::array<std::pair<BarcodeKind, std::string_view>, 4> kKinds = {{
    {BarcodeKind::Code128, "code128"},
    {BarcodeKind::Gs1_128, "gs1_128"},
    {BarcodeKind::Gs1DataMatrix, "gs1_datamatrix"},
    {BarcodeKind::QrCode, "qr"},
}};

void append_escaped(std::string& out, std::string_view bytes) {
    for (const char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F || c == '%') {
            out += '%';
            out += kHex[byte >> 4];
            out += kHex[byte & 0x0F];
        } else {
            out += c;
        }
    }
}

void append_numbers(std::string& out, std::initializer_list<int> numbers) {
    for (const int n : numbers) {
        out += ' ';
        out += std::to_string(n);
    }
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// One line being read: words separated by single spaces, and the rest of the line as escaped text.
class LineReader {
  public:
    LineReader(std::string_view line, std::size_t number) : rest_(line), number_(number) {}

    std::string_view word() {
        const std::size_t end = rest_.find(' ');
        const std::string_view w = rest_.substr(0, end);
        rest_ = end == std::string_view::npos ? std::string_view() : rest_.substr(end + 1);
        ended_ = end == std::string_view::npos;
        return w;
    }

    bool number(int& out) {
        const std::string_view w = word();
        const char* first = w.data();
        const char* last = w.data() + w.size();
        if (w.empty() || (w.size() > 1 && (w[0] == '0' || (w[0] == '-' && w[1] == '0')))) {
            return fail_with("expected a number, found \"" + std::string(w.substr(0, 16)) + "\"");
        }
        const auto [end, ec] = std::from_chars(first, last, out);
        if (ec != std::errc() || end != last) {
            return fail_with("expected a number, found \"" + std::string(w.substr(0, 16)) + "\"");
        }
        return true;
    }

    bool flag(bool& out) {
        int n = 0;
        if (!number(n) || (n != 0 && n != 1)) {
            return fail_with("expected 0 or 1");
        }
        out = n == 1;
        return true;
    }

    // The rest of the line, unescaped; there must be a space before it (it may be empty).
    bool text(std::string& out) {
        if (ended_) {
            return fail_with("expected a text after the numbers");
        }
        out.clear();
        for (std::size_t i = 0; i < rest_.size(); ++i) {
            if (rest_[i] != '%') {
                out += rest_[i];
                continue;
            }
            const int high = i + 2 < rest_.size() ? hex_value(rest_[i + 1]) : -1;
            const int low = i + 2 < rest_.size() ? hex_value(rest_[i + 2]) : -1;
            if (high < 0 || low < 0) {
                return fail_with("a '%' that is not followed by two hex digits (0-9, A-F)");
            }
            out += static_cast<char>(high * 16 + low);
            i += 2;
        }
        rest_ = {};
        ended_ = true;
        return true;
    }

    bool end() {
        if (!ended_ || !rest_.empty()) {
            return fail_with("more on the line than its field has");
        }
        return true;
    }

    bool fail_with(std::string message) {
        if (problem_.empty()) {
            problem_ = "label model line " + std::to_string(number_) + ": " + std::move(message);
        }
        return false;
    }

    const std::string& problem() const { return problem_; }

  private:
    std::string_view rest_;
    std::size_t number_;
    bool ended_ = false;
    std::string problem_;
};

bool read_field(LineReader& r, std::string_view type, Label& label) {
    if (type == "text") {
        TextField t;
        const bool ok = r.number(t.x) && r.number(t.y) && r.number(t.height) && r.number(t.max_width) &&
                        r.flag(t.bold) && r.number(t.min_height) && r.text(t.text) && r.end();
        label.fields.emplace_back(std::move(t));
        return ok;
    }
    if (type == "barcode") {
        BarcodeField b;
        const std::string_view kind = r.word();
        bool known = false;
        for (const auto& [k, name] : kKinds) {
            if (kind == name) {
                b.kind = k;
                known = true;
            }
        }
        if (!known) {
            return r.fail_with("unknown symbology \"" + std::string(kind.substr(0, 16)) + "\"");
        }
        const bool ok = r.number(b.x) && r.number(b.y) && r.number(b.module_width) && r.number(b.height) &&
                        r.flag(b.human_readable) && r.text(b.data) && r.end();
        label.fields.emplace_back(std::move(b));
        return ok;
    }
    if (type == "box") {
        BoxField b;
        const bool ok = r.number(b.x) && r.number(b.y) && r.number(b.width) && r.number(b.height) &&
                        r.number(b.thickness) && r.end();
        label.fields.emplace_back(b);
        return ok;
    }
    return r.fail_with("unknown field type \"" + std::string(type.substr(0, 16)) + "\"");
}

}  // namespace

std::string serialize_label(const Label& label) {
    std::string out(kHeader);
    out += "\nsize";
    append_numbers(out, {label.size.width_dots, label.size.height_dots, label.size.dpi});
    out += '\n';
    for (const LabelField& field : label.fields) {
        std::visit(
            [&](const auto& f) {
                using Field = std::decay_t<decltype(f)>;
                if constexpr (std::is_same_v<Field, TextField>) {
                    out += "text";
                    append_numbers(out, {f.x, f.y, f.height, f.max_width, f.bold ? 1 : 0, f.min_height});
                    out += ' ';
                    append_escaped(out, f.text);
                } else if constexpr (std::is_same_v<Field, BarcodeField>) {
                    out += "barcode ";
                    for (const auto& [kind, name] : kKinds) {
                        if (kind == f.kind) {
                            out += name;
                        }
                    }
                    append_numbers(out, {f.x, f.y, f.module_width, f.height, f.human_readable ? 1 : 0});
                    out += ' ';
                    append_escaped(out, f.data);
                } else {
                    out += "box";
                    append_numbers(out, {f.x, f.y, f.width, f.height, f.thickness});
                }
            },
            field);
        out += '\n';
    }
    return out;
}

Result<Label> parse_label(std::string_view bytes) {
    if (bytes.size() > kMaxBytes) {
        return fail("label model of " + std::to_string(bytes.size()) + " bytes is over the limit of 4 MiB");
    }
    std::vector<std::string_view> lines;
    while (!bytes.empty()) {
        const std::size_t end = bytes.find('\n');
        if (end == std::string_view::npos) {
            return fail("label model line " + std::to_string(lines.size() + 1) +
                        ": does not end with a newline");
        }
        lines.push_back(bytes.substr(0, end));
        bytes.remove_prefix(end + 1);
    }
    if (lines.empty() || lines[0] != kHeader) {
        return fail("label model line 1: expected \"" + std::string(kHeader) + "\"");
    }
    if (lines.size() > kMaxFields + 2) {
        return fail("label model holds more than " + std::to_string(kMaxFields) + " fields");
    }
    Label label;
    LineReader size(lines.size() > 1 ? lines[1] : std::string_view(), 2);
    if (size.word() != "size" || !size.number(label.size.width_dots) ||
        !size.number(label.size.height_dots) || !size.number(label.size.dpi) || !size.end()) {
        return fail(size.problem().empty() ? "label model line 2: expected \"size WIDTH HEIGHT DPI\""
                                           : size.problem());
    }
    for (std::size_t i = 2; i < lines.size(); ++i) {
        LineReader r(lines[i], i + 1);
        const std::string_view type = r.word();
        if (!read_field(r, type, label)) {
            return fail(r.problem());
        }
    }
    return label;
}

}  // namespace packd::fulfillment
