#pragma once
// What the benchmark programs share: number formatting and the aligned table they print.

#include <algorithm>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace packd::bench {

inline std::string fixed(double value, int decimals) {
    std::ostringstream out;
    out.setf(std::ios::fixed);
    out.precision(decimals);
    out << value;
    return out.str();
}

inline std::string ms_text(double ms) {
    return fixed(ms, ms < 10 ? 3 : 1) + " ms";
}

inline std::string rate_text(double per_second, std::string_view unit) {
    return fixed(per_second, per_second < 100 ? 1 : 0) + " " + std::string(unit) + "/s";
}

/// One line of a benchmark's table.
struct Row {
    std::string id, what, n, result, p50, p99, notes;
};

/// Prints the rows in aligned columns: the first two left-aligned, the figures right-aligned, the notes as
/// they are.
inline void print_table(std::vector<Row> rows) {
    rows.insert(rows.begin(), Row{"#", "measure", "n", "result", "p50", "p99", "notes"});
    auto fields = [](const Row& r) {
        return std::vector<std::string>{r.id, r.what, r.n, r.result, r.p50, r.p99};
    };
    std::vector<size_t> width(6, 0);
    for (const Row& r : rows) {
        const auto f = fields(r);
        for (size_t i = 0; i < f.size(); ++i) {
            width[i] = std::max(width[i], f[i].size());
        }
    }
    for (const Row& r : rows) {
        const auto f = fields(r);
        std::string line;
        for (size_t i = 0; i < f.size(); ++i) {
            const std::string pad(width[i] - f[i].size(), ' ');
            line += (i < 2 ? f[i] + pad : pad + f[i]) + "  ";
        }
        std::cout << line << r.notes << "\n";
    }
}

}  // namespace packd::bench
