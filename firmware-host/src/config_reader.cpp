#include "config_reader.hpp"

namespace packd::host::config_detail {

std::string describe(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::string:
            return "the string \"" + node.value<std::string>().value_or("") + "\"";
        case toml::node_type::integer:
            return "the integer " + std::to_string(node.value<int64_t>().value_or(0));
        case toml::node_type::floating_point:
            return "a decimal number";
        case toml::node_type::boolean:
            return node.value<bool>().value_or(false) ? "true" : "false";
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::date:
        case toml::node_type::time:
        case toml::node_type::date_time:
            return "a date or time";
        case toml::node_type::none:
            break;
    }
    return "nothing";
}

int line_of(const toml::node& node) {
    return static_cast<int>(node.source().begin.line);
}

bool is_name(std::string_view s) {
    if (s.empty() || s.size() > 64) {
        return false;
    }
    for (char c : s) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_')) {
            return false;
        }
    }
    return true;
}

bool is_topic_prefix(std::string_view s) {
    if (s.empty() || s.front() == '/' || s.back() == '/' || s.size() > 128) {
        return false;
    }
    for (char c : s) {
        if (c == '+' || c == '#' || c == '\0' || static_cast<unsigned char>(c) < 0x20) {
            return false;
        }
    }
    return s.find("//") == std::string_view::npos;
}

std::string one_of(const std::string& value, std::initializer_list<std::string_view> allowed) {
    for (auto a : allowed) {
        if (value == a) {
            return {};
        }
    }
    std::string out = "one of";
    for (auto a : allowed) {
        out += " \"" + std::string(a) + "\"";
    }
    return out;
}

std::string quoted_list(const std::vector<std::string_view>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        out += i == 0 ? "" : i + 1 == names.size() ? " or " : ", ";
        out += "\"" + std::string(names[i]) + "\"";
    }
    return out;
}

std::string absolute_path(const std::string& value) {
    if (value.empty() || value.front() != '/') {
        return "an absolute path";
    }
    return {};
}

std::string optional_absolute_path(const std::string& value) {
    return value.empty() ? "" : absolute_path(value);
}

const toml::table* section(const toml::table& root, std::string_view name, Problems& problems) {
    const toml::node* node = root.get(name);
    if (node == nullptr) {
        return nullptr;
    }
    if (!node->is_table()) {
        problems.add(line_of(*node), std::string(name),
                     "expected a table [" + std::string(name) + "], found " + describe(*node));
        return nullptr;
    }
    return node->as_table();
}

/// Calls `read` for each named sub-table of a device section such as [printers.label1].
void each_named(const toml::table& root, std::string_view name, Problems& problems,
                const std::function<void(const std::string&, TableReader&)>& read) {
    const toml::table* table = section(root, name, problems);
    if (table == nullptr) {
        return;
    }
    for (auto&& [key, node] : *table) {
        const std::string item(key.str());
        const std::string path = std::string(name) + "." + item;
        if (!node.is_table()) {
            problems.add(line_of(node), path, "expected a table [" + path + "], found " + describe(node));
            continue;
        }
        if (!is_name(item)) {
            problems.add(line_of(node), path,
                         "expected a name of letters, digits, '-' and '_', found \"" + item + "\"");
            continue;
        }
        TableReader reader(node.as_table(), path, line_of(node), problems);
        read(item, reader);
        reader.finish();
    }
}

// Printed on labels and sheets and typed by scanners: visible ASCII, no spaces.
std::string scan_word(const std::string& v) {
    const bool printable_ascii = std::all_of(v.begin(), v.end(), [](char c) { return c > ' ' && c < 0x7F; });
    return !v.empty() && v.size() <= 32 && printable_ascii ? ""
                                                           : "1 to 32 visible ASCII characters, no spaces";
}

}  // namespace packd::host::config_detail
