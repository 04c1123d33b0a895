// Outside text on its way into ZPL (fulfillment/labels/src/label_zpl.cpp, zpl_field_data): the result sits
// between ^FD and ^FS under ^FH_, so no byte of it may start a command or end the field, and the printer,
// decoding the _XX escapes, must get back exactly the text, with each byte of ill-formed UTF-8 as '?'.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "packd/fulfillment/labels/label.hpp"

namespace {

using packd::fuzz::check;

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;  // ^FH takes lower case too, but packd writes upper case only
}

// What the printer reads after ^FH_ processing: _XX (two hex digits) is the byte XX.
std::string decode_field_hex(std::string_view field) {
    std::string out;
    for (std::size_t i = 0; i < field.size(); ++i) {
        if (field[i] != '_') {
            out += field[i];
            continue;
        }
        check(i + 2 < field.size() && hex_value(field[i + 1]) >= 0 && hex_value(field[i + 2]) >= 0,
              "every '_' starts a _XX escape", field);
        out += static_cast<char>(hex_value(field[i + 1]) * 16 + hex_value(field[i + 2]));
        i += 2;
    }
    return out;
}

// The documented replacement: every byte that is not part of a well-formed UTF-8 sequence becomes '?'.
std::string with_ill_formed_bytes_replaced(std::string_view text) {
    std::string out;
    for (std::size_t pos = 0; pos < text.size();) {
        const std::size_t length = packd::fuzz::utf8_sequence_length(text, pos);
        if (length == 0) {
            out += '?';
            pos += 1;
        } else {
            out.append(text.substr(pos, length));
            pos += length;
        }
    }
    return out;
}

bool must_be_escaped(unsigned char byte) {
    return byte < 0x20 || byte == 0x7F || byte == '^' || byte == '~' || byte == '_';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::string field = packd::fulfillment::zpl_field_data(text);
    for (const char c : field) {
        const auto byte = static_cast<unsigned char>(c);
        check(c != '^' && c != '~', "field data holds no ZPL command prefix", field);
        check(byte >= 0x20 && byte != 0x7F, "field data holds no control byte", field);
    }
    check(packd::fuzz::is_strict_utf8(field), "field data is well-formed UTF-8 (^CI28)", field);

    const std::string expected = with_ill_formed_bytes_replaced(text);
    check(decode_field_hex(field) == expected,
          "decoding the _XX escapes gives back the text, ill-formed bytes as '?'", field);

    // Nothing is escaped that need not be: the field is as short as the contract allows.
    std::size_t escapes = 0;
    for (const char c : expected) {
        if (must_be_escaped(static_cast<unsigned char>(c))) {
            ++escapes;
        }
    }
    check(field.size() == expected.size() + 2 * escapes, "only '^', '~', '_' and control bytes are escaped",
          field);
    return 0;
}
