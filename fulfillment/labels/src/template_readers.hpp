// The readers label_template_loader.cpp checks a template with: TemplateReader keeps the first problem with
// its file and line and reads lengths and "{name}" texts; FieldReader reads one [[field]] table's keys.
#pragma once

#include <toml++/toml.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "packd/fulfillment/labels/label_template.hpp"

namespace packd::fulfillment::template_reading {

inline int line_of(const toml::node& node) {
    return static_cast<int>(node.source().begin.line);
}

/// The first problem found while reading one template, with where it is.
class TemplateReader {
  public:
    TemplateReader(std::string path, LabelKind kind) : path_(std::move(path)), kind_(kind) {
        const auto& names = label_data_fields(kind);
        values_.insert(names.begin(), names.end());
        const auto& row_names = label_row_fields(kind);
        rows_.insert(row_names.begin(), row_names.end());
    }

    bool failed() const { return !problem_.empty(); }
    const std::string& problem() const { return problem_; }

    void refuse(int line, const std::string& key, const std::string& message) {
        if (problem_.empty()) {
            problem_ = path_ + ":" + std::to_string(line) + ": " + key + ": " + message;
        }
    }

    // A length: a number from 0 to 1 is a fraction of the stock, a string "12.5mm" millimetres.
    std::optional<TemplateLength> length(const toml::node& node, const std::string& key) {
        if (node.is_number()) {
            const double v = node.value<double>().value_or(-1);
            if (!(v >= 0 && v <= 1)) {
                refuse(line_of(node), key,
                       "expected a fraction of the stock from 0 to 1 or a length such as \"12mm\"");
                return std::nullopt;
            }
            return TemplateLength{v, false};
        }
        if (node.is_string()) {
            const std::string s = node.value<std::string>().value_or("");
            if (s.size() > 2 && s.size() < 16 && s.compare(s.size() - 2, 2, "mm") == 0) {
                const std::string number = s.substr(0, s.size() - 2);
                char* end = nullptr;
                errno = 0;
                const double v = std::strtod(number.c_str(), &end);
                if (errno == 0 && end == number.c_str() + number.size() &&
                    std::isdigit(static_cast<unsigned char>(number.front())) && v >= 0 && v <= 1000) {
                    return TemplateLength{v, true};
                }
            }
        }
        refuse(line_of(node), key,
               "expected a fraction of the stock from 0 to 1 or a length such as \"12mm\"");
        return std::nullopt;
    }

    // "{ship_to.name}, {ship_to.city}": pieces, every name checked; "{{" and "}}" are literal braces.
    std::optional<TemplateText> text(const toml::node& node, const std::string& key, bool in_row) {
        if (!node.is_string()) {
            refuse(line_of(node), key, "expected a string");
            return std::nullopt;
        }
        const std::string s = node.value<std::string>().value_or("");
        TemplateText out;
        std::string literal;
        for (std::size_t i = 0; i < s.size(); ++i) {
            if ((s[i] == '{' || s[i] == '}') && i + 1 < s.size() && s[i + 1] == s[i]) {
                literal += s[i++];
                continue;
            }
            if (s[i] == '}') {
                refuse(line_of(node), key, "a '}' without its '{' (write \"}}\" for a brace)");
                return std::nullopt;
            }
            if (s[i] != '{') {
                literal += s[i];
                continue;
            }
            const std::size_t close = s.find('}', i);
            if (close == std::string::npos) {
                refuse(line_of(node), key, "a '{' without its '}' (write \"{{\" for a brace)");
                return std::nullopt;
            }
            const std::string name = s.substr(i + 1, close - i - 1);
            if (!values_.count(name) && !(in_row && rows_.count(name))) {
                refuse(line_of(node), key,
                       "unknown data field \"" + name + "\" for a " + to_string(kind_) +
                           " label (known: " + known(in_row) + ")");
                return std::nullopt;
            }
            if (!literal.empty()) {
                out.pieces.push_back({std::move(literal), false});
                literal.clear();
            }
            out.pieces.push_back({name, true});
            i = close;
        }
        if (!literal.empty()) {
            out.pieces.push_back({std::move(literal), false});
        }
        return out;
    }

    bool known_value(const std::string& name) const { return values_.count(name) > 0; }

    std::string known(bool in_row) const {
        std::string out;
        for (const auto& names :
             {label_data_fields(kind_), in_row ? label_row_fields(kind_) : std::vector<std::string>{}}) {
            for (const auto& n : names) {
                out += out.empty() ? "" : ", ";
                out += n;
            }
        }
        return out;
    }

    const std::string& path() const { return path_; }

  private:
    std::string path_;
    LabelKind kind_;
    std::set<std::string> values_;
    std::set<std::string> rows_;
    std::string problem_;
};

class FieldReader {
  public:
    FieldReader(TemplateReader& reader, const toml::table& table, std::string key)
        : r_(reader), table_(table), key_(std::move(key)) {}

    const toml::node* get(std::string_view name) const { return table_.get(name); }
    std::string key(std::string_view name) const { return key_ + "." + std::string(name); }

    void length(std::string_view name, TemplateLength& out) {
        if (const auto* node = get(name)) {
            if (auto l = r_.length(*node, key(name))) {
                out = *l;
            }
        }
    }
    void length(std::string_view name, std::optional<TemplateLength>& out) {
        if (const auto* node = get(name)) {
            out = r_.length(*node, key(name));
        }
    }
    void boolean(std::string_view name, bool& out) {
        if (const auto* node = get(name)) {
            if (!node->is_boolean()) {
                r_.refuse(line_of(*node), key(name), "expected true or false");
                return;
            }
            out = node->value<bool>().value_or(false);
        }
    }
    std::string word(std::string_view name, std::initializer_list<std::string_view> allowed) {
        const auto* node = get(name);
        if (node == nullptr) {
            return {};
        }
        const std::string value = node->value<std::string>().value_or("");
        std::string list;
        for (const auto a : allowed) {
            if (value == a) {
                return value;
            }
            // Appended piece by piece: g++ 12 at -O3 warns (-Wrestrict) inside std::string for a + b chains.
            list.append(list.empty() ? "" : ", ").append("\"").append(a).append("\"");
        }
        r_.refuse(line_of(*node), key(name), "expected one of " + list);
        return {};
    }
    void require(std::string_view name) {
        if (get(name) == nullptr) {
            r_.refuse(line_of(table_), key(name), "expected this key, found nothing (it is required)");
        }
    }
    void check_on_stock(double right, double bottom) {
        constexpr double kSlack = 1e-9;
        if (right > 1 + kSlack || bottom > 1 + kSlack) {
            r_.refuse(line_of(table_), key_,
                      std::string("the field lies off the stock (") +
                          (right > 1 + kSlack ? "past its right edge" : "past its bottom edge") +
                          " on 100x150 mm; positions and sizes are fractions of the stock or millimetres)");
        }
    }

  private:
    TemplateReader& r_;
    const toml::table& table_;
    std::string key_;
};

}  // namespace packd::fulfillment::template_reading
