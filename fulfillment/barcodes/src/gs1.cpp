#include "packd/fulfillment/barcodes/gs1.hpp"

#include <algorithm>
#include <optional>

#include "packd/common/text.hpp"

namespace packd::fulfillment {
namespace {

constexpr char kGroupSeparator = '\x1d';

// ---- GS1 element strings (GS1 General Specifications, section 3) ---------------------------------------

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool all_digits(std::string_view text) {
    return std::all_of(text.begin(), text.end(), is_digit);
}

// The number of digits of an AI, decided by its first two digits; 0 when no AI starts that way.
int ai_length_from_prefix(int prefix) {
    if (prefix <= 4 || (prefix >= 10 && prefix <= 22) || prefix == 30 || prefix == 37 || prefix >= 90) {
        return 2;
    }
    if ((prefix >= 23 && prefix <= 25) || (prefix >= 40 && prefix <= 42) || prefix == 71) {
        return 3;
    }
    if ((prefix >= 31 && prefix <= 36) || prefix == 39 || prefix == 43 || prefix == 70 || prefix == 72 ||
        (prefix >= 80 && prefix <= 82)) {
        return 4;
    }
    return 0;
}

// Data length of the AIs in the table of predefined lengths (General Specifications figure 5.10.1-2);
// 0 for variable-length AIs, which need an FNC1 after them unless they come last.
int predefined_data_length(std::string_view ai) {
    if (ai.size() < 2 || !is_digit(ai[0]) || !is_digit(ai[1])) {
        return 0;
    }
    const int prefix = (ai[0] - '0') * 10 + (ai[1] - '0');
    if (prefix == 0) {
        return 18;
    }
    if (prefix >= 1 && prefix <= 3) {
        return 14;
    }
    if (prefix == 4) {
        return 16;
    }
    if (prefix >= 11 && prefix <= 19) {
        return 6;
    }
    if (prefix == 20) {
        return 2;
    }
    if (prefix >= 31 && prefix <= 36) {
        return 6;
    }
    if (prefix == 41) {
        return 13;
    }
    return 0;
}

// GS1 AI encodable character set 82 (General Specifications figure 7.11-1).
bool in_character_set_82(char c) {
    if (is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
        return true;
    }
    return std::string_view("!\"%&'()*+,-./:;<=>?_").find(c) != std::string_view::npos;
}

// The GS1 modulo 10 check digit over all digits but the last (General Specifications 7.9.1).
bool has_valid_check_digit(std::string_view digits) {
    int sum = 0;
    int weight = 3;
    for (std::size_t i = digits.size() - 1; i-- > 0;) {
        sum += (digits[i] - '0') * weight;
        weight = 4 - weight;
    }
    return (10 - sum % 10) % 10 == digits.back() - '0';
}

// Limits of the variable-length AIs the warehouse reads (GS1 General Specifications section 3.2, the
// format column: "X..20" is up to 20 characters of set 82, "N..8" up to 8 digits). Other variable-length
// AIs are held to the 90 characters of the longest (AI 91 to 99).
struct VariableAi {
    std::string_view ai;
    std::size_t max;
    bool digits_only;
};
constexpr VariableAi kVariableAis[] = {
    {"10", 20, false},  {"21", 20, false},  {"22", 20, false},  {"240", 30, false},
    {"241", 30, false}, {"250", 30, false}, {"251", 30, false}, {"30", 8, true},
    {"37", 8, true},    {"400", 30, false}, {"401", 30, false}, {"403", 30, false},
    {"420", 20, false}, {"421", 12, false}, {"422", 3, true},   {"90", 30, false},
};

// YYMMDD (General Specifications 7.12): a day of 00 means the month's last day. The century is not in
// the data, so 29 February passes in any year divisible by four.
Status check_gs1_date(const std::string& where, std::string_view date) {
    const int month = (date[2] - '0') * 10 + (date[3] - '0');
    const int day = (date[4] - '0') * 10 + (date[5] - '0');
    if (month < 1 || month > 12) {
        return fail(where + ": month " + std::string(date.substr(2, 2)) + " of date " + std::string(date) +
                    " does not exist");
    }
    constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const int year = (date[0] - '0') * 10 + (date[1] - '0');
    const int days = month == 2 && year % 4 != 0 ? 28 : kDays[month - 1];
    if (day > days) {
        return fail(where + ": day " + std::string(date.substr(4, 2)) + " of date " + std::string(date) +
                    " does not exist");
    }
    return {};
}

Status check_ai_rules(const std::string& where, const Gs1Element& element) {
    const int prefix = (element.ai[0] - '0') * 10 + (element.ai[1] - '0');
    if (prefix >= 11 && prefix <= 17) {
        return check_gs1_date(where, element.data);
    }
    if (element.ai.size() == 4 && prefix >= 31 && prefix <= 36 && element.ai[3] > '5') {
        return fail(where + ": the decimal point position (last AI digit) must be 0 to 5");
    }
    for (const VariableAi& rule : kVariableAis) {
        if (rule.ai != element.ai) {
            continue;
        }
        if (element.data.size() > rule.max) {
            return fail(where + " has " + std::to_string(element.data.size()) + " characters, at most " +
                        std::to_string(rule.max) + " allowed: truncated or run into the next element?");
        }
        if (rule.digits_only && !all_digits(element.data)) {
            return fail(where + " must be digits only, got '" + printable(element.data) + "'");
        }
        if (element.ai == "421" && (element.data.size() < 4 || !all_digits(element.data.substr(0, 3)))) {
            return fail(where + " needs a 3-digit ISO country code and then the postal code");
        }
        return {};
    }
    if (element.data.size() > 90) {
        return fail(where + " has more than 90 characters of data");
    }
    return {};
}

Status check_element(const Gs1Element& element) {
    const std::string where = "GS1 element (" + element.ai + ")";
    if (element.ai.size() < 2 || !all_digits(element.ai)) {
        return fail("GS1 application identifier '" + element.ai + "' is not 2 to 4 digits");
    }
    const int prefix = (element.ai[0] - '0') * 10 + (element.ai[1] - '0');
    const int ai_length = ai_length_from_prefix(prefix);
    if (ai_length == 0) {
        return fail(where + ": no GS1 application identifier starts with " + element.ai.substr(0, 2));
    }
    if (static_cast<int>(element.ai.size()) != ai_length) {
        return fail(where + ": application identifiers starting with " + element.ai.substr(0, 2) + " have " +
                    std::to_string(ai_length) + " digits");
    }
    if (element.data.empty()) {
        return fail(where + " has no data");
    }
    const int fixed = predefined_data_length(element.ai);
    if (fixed > 0) {
        if (static_cast<int>(element.data.size()) != fixed || !all_digits(element.data)) {
            return fail(where + " needs exactly " + std::to_string(fixed) + " digits, got '" + element.data +
                        "'");
        }
        const bool has_check_digit = prefix <= 3 || prefix == 41;
        if (has_check_digit && !has_valid_check_digit(element.data)) {
            return fail(where + ": check digit of " + element.data + " is wrong");
        }
    }
    for (const char c : element.data) {
        if (!in_character_set_82(c)) {
            return fail(where + " holds a character outside the GS1 character set: '" +
                        printable(element.data) + "'");
        }
    }
    return check_ai_rules(where, element);
}

// "(" + 2 to 4 digits + ")" at `pos`; the AI's digits on success.
std::optional<std::string_view> ai_in_parentheses(std::string_view text, std::size_t pos) {
    if (pos >= text.size() || text[pos] != '(') {
        return std::nullopt;
    }
    std::size_t end = pos + 1;
    while (end < text.size() && is_digit(text[end])) {
        ++end;
    }
    const std::size_t digits = end - pos - 1;
    if (digits < 2 || digits > 4 || end >= text.size() || text[end] != ')') {
        return std::nullopt;
    }
    return text.substr(pos + 1, digits);
}

Result<std::vector<Gs1Element>> parse_parenthesised(std::string_view text) {
    std::vector<Gs1Element> elements;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto ai = ai_in_parentheses(text, pos);
        if (!ai) {
            return fail("GS1 data must start with an application identifier in parentheses, e.g. (00)");
        }
        std::size_t end = pos + ai->size() + 2;
        const std::size_t data_start = end;
        while (end < text.size() && !ai_in_parentheses(text, end)) {
            ++end;
        }
        elements.push_back({std::string(*ai), std::string(text.substr(data_start, end - data_start))});
        pos = end;
    }
    return elements;
}

Result<std::vector<Gs1Element>> parse_transmitted(std::string_view text) {
    std::vector<Gs1Element> elements;
    std::size_t pos = 0;
    while (pos < text.size()) {
        if (pos + 2 > text.size() || !is_digit(text[pos]) || !is_digit(text[pos + 1])) {
            return fail("GS1 data: expected an application identifier at position " + std::to_string(pos));
        }
        const int ai_length = ai_length_from_prefix((text[pos] - '0') * 10 + (text[pos + 1] - '0'));
        if (ai_length == 0) {
            return fail("GS1 data: no application identifier starts with " +
                        std::string(text.substr(pos, 2)));
        }
        const auto length = static_cast<std::size_t>(ai_length);
        if (pos + length > text.size()) {
            return fail("GS1 data ends inside an application identifier");
        }
        Gs1Element element{std::string(text.substr(pos, length)), {}};
        pos += length;
        const int fixed = predefined_data_length(element.ai);
        std::size_t end = fixed > 0 ? std::min(text.size(), pos + static_cast<std::size_t>(fixed))
                                    : std::min(text.size(), text.find(kGroupSeparator, pos));
        element.data = std::string(text.substr(pos, end - pos));
        elements.push_back(std::move(element));
        pos = end;
        if (pos < text.size() && text[pos] == kGroupSeparator) {
            ++pos;
        }
    }
    return elements;
}

}  // namespace

Result<std::vector<Gs1Element>> parse_gs1(std::string_view text) {
    if (text.empty()) {
        return fail("GS1 data is empty");
    }
    auto elements = text.front() == '(' ? parse_parenthesised(text) : parse_transmitted(text);
    if (!elements) {
        return elements;
    }
    for (const Gs1Element& element : *elements) {
        if (auto checked = check_element(element); !checked) {
            return checked.error();
        }
    }
    return elements;
}

bool gs1_check_digit_holds(std::string_view digits) {
    return digits.size() >= 2 && all_digits(digits) && has_valid_check_digit(digits);
}

bool gs1_has_predefined_length(std::string_view ai) {
    return predefined_data_length(ai) > 0;
}

std::string gs1_human_readable(const std::vector<Gs1Element>& elements) {
    std::string out;
    for (const Gs1Element& element : elements) {
        out += "(" + element.ai + ")" + element.data;
    }
    return out;
}

std::string gs1_transmitted(const std::vector<Gs1Element>& elements) {
    std::string out;
    for (std::size_t i = 0; i < elements.size(); ++i) {
        out += elements[i].ai + elements[i].data;
        if (i + 1 < elements.size() && !gs1_has_predefined_length(elements[i].ai)) {
            out += kGroupSeparator;
        }
    }
    return out;
}

}  // namespace packd::fulfillment
