// The barcode symbols labels carry, as grids of modules: Code 128 and QR with ZXing, GS1-128 with ZXing and
// FNC1, GS1 DataMatrix with packd's own ECC 200 encoder (gs1_data_matrix.cpp).

#include "packd/fulfillment/barcodes/symbols.hpp"

#include <ZXing/BarcodeFormat.h>
#include <ZXing/BitMatrix.h>
#include <ZXing/MultiFormatWriter.h>

#include <algorithm>
#include <array>
#include <exception>
#include <mutex>
#include <optional>
#include <string>

#include "packd/common/utf8.hpp"
#include "packd/fulfillment/barcodes/gs1.hpp"
#include "packd/fulfillment/barcodes/gs1_data_matrix.hpp"
#include "packd/fulfillment/barcodes/qr_version.hpp"

namespace packd::fulfillment {
namespace {

constexpr char kGroupSeparator = '\x1d';

bool is_printable_ascii(char c) {
    return c >= 0x20 && c <= 0x7e;
}

// ---- ZXing ----------------------------------------------------------------------------------------------

Result<BarcodeSymbol> encode_with_zxing(ZXing::BarcodeFormat format, const std::string& contents) {
    try {
        ZXing::MultiFormatWriter writer(format);
        writer.setMargin(0);
        if (format == ZXing::BarcodeFormat::QRCode) {
            writer.setEccLevel(4);  // ZXing 1.4.0 maps 3 and 4 to level M (~15% recovery)
        }
        const ZXing::BitMatrix matrix = writer.encode(contents, 0, 0);
        BarcodeSymbol symbol{matrix.width(), matrix.height(), {}};
        symbol.dark.reserve(static_cast<std::size_t>(symbol.width * symbol.height));
        for (int y = 0; y < symbol.height; ++y) {
            for (int x = 0; x < symbol.width; ++x) {
                symbol.dark.push_back(matrix.get(x, y) ? 1 : 0);
            }
        }
        return symbol;
    } catch (const std::exception& e) {
        return fail(std::string("barcode encoder refused the data: ") + e.what());
    }
}

Status check_code128(std::string_view data) {
    if (data.empty() || data.size() > 80) {
        return fail("Code 128 data must be 1 to 80 characters, got " + std::to_string(data.size()));
    }
    if (!std::all_of(data.begin(), data.end(), is_printable_ascii)) {
        return fail("Code 128 data may only hold printable ASCII: '" + well_formed_utf8(data) + "'");
    }
    return {};
}

Status check_qr(std::string_view data) {
    // Links go percent-encoded (RFC 3986), and the printer's automatic input mode would read bytes
    // 0x80-0x9F and 0xE0-0xFF as Shift JIS (ZPL II Programming Guide, ^BQ, "data input"), so the
    // printed and previewed symbols only agree on printable ASCII.
    if (data.empty() || data.size() > 1000) {
        return fail("QR code data must be 1 to 1000 characters, got " + std::to_string(data.size()));
    }
    if (!std::all_of(data.begin(), data.end(), is_printable_ascii)) {
        return fail("QR code data may only hold printable ASCII (percent-encode links): '" +
                    well_formed_utf8(data) + "'");
    }
    return {};
}

// The last sizes barcode_size() answered: a label asks for each of its symbols when it is drawn from its
// template, when it is laid out and when it is validated.
class SizeCache {
  public:
    std::optional<Result<SymbolSize>> find(BarcodeKind kind, std::string_view data) {
        const std::lock_guard lock(mutex_);
        for (const Entry& e : entries_) {
            if (e.kind == kind && e.data == data && e.used) {
                return e.size;
            }
        }
        return std::nullopt;
    }

    void keep(BarcodeKind kind, std::string_view data, const Result<SymbolSize>& size) {
        if (data.size() > kLongestKept) {
            return;
        }
        const std::lock_guard lock(mutex_);
        Entry& e = entries_[next_];
        next_ = (next_ + 1) % entries_.size();
        e = Entry{kind, std::string(data), size, true};
    }

  private:
    static constexpr std::size_t kLongestKept = 256;
    struct Entry {
        BarcodeKind kind = BarcodeKind::Code128;
        std::string data;
        Result<SymbolSize> size = SymbolSize{};
        bool used = false;
    };
    std::mutex mutex_;
    std::array<Entry, 16> entries_;
    std::size_t next_ = 0;
};

}  // namespace

Result<BarcodeSymbol> encode_barcode(BarcodeKind kind, std::string_view data) {
    switch (kind) {
        case BarcodeKind::Code128: {
            if (auto checked = check_code128(data); !checked) {
                return checked.error();
            }
            return encode_with_zxing(ZXing::BarcodeFormat::Code128, std::string(data));
        }
        case BarcodeKind::Gs1_128: {
            auto elements = parse_gs1(data);
            if (!elements) {
                return elements.error();
            }
            const std::string transmitted = gs1_transmitted(*elements);
            // GS1 General Specifications 5.4.1: at most 48 data characters, separators included.
            if (transmitted.size() > 48) {
                return fail("GS1-128 holds at most 48 characters, this element string has " +
                            std::to_string(transmitted.size()));
            }
            // ZXing's Code 128 writer takes U+00F1 as FNC1 (its ESCAPE_FNC_1); leading, it makes the
            // symbol GS1-128, between elements it is the separator.
            const std::string fnc1 = "\xC3\xB1";
            std::string contents = fnc1;
            for (const char c : transmitted) {
                contents += c == kGroupSeparator ? fnc1 : std::string(1, c);
            }
            return encode_with_zxing(ZXing::BarcodeFormat::Code128, contents);
        }
        case BarcodeKind::Gs1DataMatrix: {
            auto elements = parse_gs1(data);
            if (!elements) {
                return elements.error();
            }
            return encode_gs1_data_matrix(gs1_transmitted(*elements));
        }
        case BarcodeKind::QrCode: {
            if (auto checked = check_qr(data); !checked) {
                return checked.error();
            }
            return encode_with_zxing(ZXing::BarcodeFormat::QRCode, std::string(data));
        }
    }
    return fail("unknown barcode kind");
}

Result<SymbolSize> barcode_size(BarcodeKind kind, std::string_view data) {
    static SizeCache cache;
    if (auto known = cache.find(kind, data)) {
        return *known;
    }
    Result<SymbolSize> size = SymbolSize{};
    if (kind == BarcodeKind::QrCode) {
        // The full encoder tries all eight masks on the whole matrix, hundreds of microseconds for a link;
        // the size is the version alone, 17 + 4 modules a version (ISO/IEC 18004 5.3).
        if (auto checked = check_qr(data); !checked) {
            size = checked.error();
        } else if (const int version = qr_version(data); version == 0) {
            size = fail("QR code data of " + std::to_string(data.size()) + " characters does not fit");
        } else {
            size = SymbolSize{17 + 4 * version, 17 + 4 * version};
        }
    } else if (auto symbol = encode_barcode(kind, data)) {
        size = SymbolSize{symbol->width, symbol->height};
    } else {
        size = symbol.error();
    }
    cache.keep(kind, data, size);
    return size;
}

}  // namespace packd::fulfillment
