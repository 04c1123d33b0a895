#pragma once
// Reads the scale captures in tests/data/scale/ (format in its README.md).

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

namespace packd::test {

struct ScaleCapture {
    int line = 0;
    std::string input;  ///< bytes, unescaped
    bool valid = false;
    long long milligrams = 0;
    bool stable = false;
    std::string reason;  ///< for invalid: words the reason must contain
};

inline std::string unescape_capture(const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\' || i + 1 >= text.size()) {
            out += text[i];
            continue;
        }
        const char e = text[++i];
        if (e == 'r') {
            out += '\r';
        } else if (e == 'n') {
            out += '\n';
        } else if (e == 'x' && i + 2 < text.size()) {
            out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += e;
        }
    }
    return out;
}

inline std::string hex_to_bytes(const std::string& text) {
    std::string out;
    for (size_t i = 0; i + 1 < text.size(); i += 3) {
        out += static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16));
    }
    return out;
}

/// The records of `file`. A file that cannot be opened, or a line that is neither a comment, blank nor a
/// record, is a test failure naming the path: a capture that went missing must not read as "no records".
inline std::vector<ScaleCapture> read_scale_captures(const std::string& file, bool hex) {
    const std::string path = std::string(PACKD_SOURCE_DIR) + "/tests/data/scale/" + file;
    std::ifstream in(path);
    std::vector<ScaleCapture> out;
    if (!in) {
        ADD_FAILURE() << "cannot open the capture " << path;
        return out;
    }
    std::string text;
    int number = 0;
    while (std::getline(in, text)) {
        ++number;
        if (text.empty() || text[0] == '#') {
            continue;
        }
        const size_t arrow = text.find(" => ");
        if (arrow == std::string::npos) {
            ADD_FAILURE() << path << ":" << number << ": neither a comment nor `input => expected`: " << text;
            continue;
        }
        ScaleCapture c;
        c.line = number;
        c.input = hex ? hex_to_bytes(text.substr(0, arrow)) : unescape_capture(text.substr(0, arrow));
        const std::string expected = text.substr(arrow + 4);
        if (expected.rfind("valid ", 0) == 0) {
            c.valid = true;
            const size_t space = expected.find(' ', 6);
            c.milligrams = std::stoll(expected.substr(6, space - 6));
            c.stable = expected.substr(space + 1) == "stable";
        } else {
            c.reason = expected.substr(expected.find(' ') + 1);
        }
        out.push_back(c);
    }
    return out;
}

}  // namespace packd::test
