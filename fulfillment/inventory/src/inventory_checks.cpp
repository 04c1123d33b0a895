#include "inventory_checks.hpp"

#include "packd/common/text.hpp"

namespace packd::fulfillment {
namespace inventory_detail {

using nlohmann::json;

bool printable(std::string_view s) {
    for (char c : s) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            return false;
        }
    }
    return is_valid_utf8(s);
}

std::string check_sku(std::string_view sku) {
    if (sku.empty() || sku.size() > 64 || !printable(sku) || sku.front() == ' ' || sku.back() == ' ') {
        return "SKU \"" + std::string(sku.substr(0, 64)) +
               "\" must be 1 to 64 printable characters without leading or trailing spaces";
    }
    return {};
}

std::string check_location_code(std::string_view code) {
    bool ok = !code.empty() && code.size() <= 32;
    for (char c : code) {
        ok = ok && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.');
    }
    return ok ? std::string()
              : "location \"" + std::string(code.substr(0, 32)) +
                    "\" must be 1 to 32 letters, digits, '-', '_' or '.'";
}

bool leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

}  // namespace inventory_detail

using inventory_detail::leap;
using inventory_detail::printable;

bool is_calendar_date(std::string_view d) {
    if (d.size() != 10 || d[4] != '-' || d[7] != '-') {
        return false;
    }
    for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
        if (d[i] < '0' || d[i] > '9') {
            return false;
        }
    }
    const int y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    const int m = (d[5] - '0') * 10 + (d[6] - '0');
    const int day = (d[8] - '0') * 10 + (d[9] - '0');
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || day < 1) {
        return false;
    }
    return day <= kDays[m - 1] + (m == 2 && leap(y) ? 1 : 0);
}

namespace inventory_detail {

std::string check_lot_and_expiry(const Movement& m) {
    if (m.lot.size() > 20 || !printable(m.lot)) {
        return "lot \"" + m.lot.substr(0, 20) + "\" must be at most 20 printable characters (GS1 AI 10)";
    }
    if (!m.expiry.empty() && !is_calendar_date(m.expiry)) {
        return "expiry \"" + m.expiry.substr(0, 16) + "\" must be a date as YYYY-MM-DD";
    }
    return {};
}

}  // namespace inventory_detail

const char* to_string(MovementReason reason) {
    switch (reason) {
        case MovementReason::receive:
            return "receive";
        case MovementReason::pick:
            return "pick";
        case MovementReason::ship:
            return "ship";
        case MovementReason::adjust:
            return "adjust";
        case MovementReason::count:
            return "count";
        case MovementReason::return_:
            return "return";
        case MovementReason::transfer:
            return "transfer";
    }
    return "adjust";
}

bool parse_movement_reason(std::string_view text, MovementReason& out) {
    for (auto r :
         {MovementReason::receive, MovementReason::pick, MovementReason::ship, MovementReason::adjust,
          MovementReason::count, MovementReason::return_, MovementReason::transfer}) {
        if (text == to_string(r)) {
            out = r;
            return true;
        }
    }
    return false;
}

}  // namespace packd::fulfillment
