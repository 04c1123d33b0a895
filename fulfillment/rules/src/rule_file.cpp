// Rules files: TOML read with toml++, each rule checked for its name, triggers, mode and actions before
// any Lua is compiled.

#include <toml++/toml.h>

#include <algorithm>
#include <set>

#include "packd/common/text.hpp"
#include "packd/fulfillment/rules/rule_set.hpp"

namespace packd::fulfillment {
namespace {

/// The arguments each action takes: required first, then optional, split by the empty string.
struct ActionShape {
    std::string_view kind;
    std::vector<std::string_view> required;
    std::vector<std::string_view> optional;
};

const std::vector<ActionShape>& action_shapes() {
    static const std::vector<ActionShape> shapes = {
        {"hold", {"reason"}, {"order"}},
        {"release", {}, {"order"}},
        {"route", {}, {"order", "station", "printer"}},
        {"return_label", {}, {"order"}},
        {"set_carrier", {"carrier"}, {"order", "service"}},
        {"tag", {"tag"}, {"order"}},
        {"approve_return", {}, {"rma", "carrier", "tracking_number"}},
        {"reject_return", {"reason"}, {"rma"}},
        {"reorder", {"quantity"}, {"sku"}},
        {"publish", {"topic"}, {"payload"}},
        {"alert", {"kind"}, {"message"}},
    };
    return shapes;
}

constexpr size_t kMaxRulesPerFile = 500;
constexpr size_t kMaxActions = 20;
constexpr size_t kMaxText = 8192;

class Reader {
  public:
    explicit Reader(std::string path) : path_(std::move(path)) {}

    RulePlace place_of(const toml::node& node) const {
        const auto& src = node.source();
        return {static_cast<int>(src.begin.line), static_cast<int>(src.begin.column)};
    }
    void note(const toml::node& node, const std::string& what) { note(place_of(node), what); }
    void note(RulePlace at, const std::string& what) {
        if (problem_.empty()) {
            problem_ = path_ + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) + ": " + what;
        }
    }
    bool ok() const { return problem_.empty(); }
    const std::string& problem() const { return problem_; }

    /// A text value with where its text starts: a multi-line string starts on the line after its quotes.
    std::optional<RuleText> text(const toml::node& node, const std::string& key) {
        const auto* s = node.as_string();
        if (s == nullptr) {
            note(node, key + " must be a string");
            return std::nullopt;
        }
        const std::string& value = s->get();
        if (value.size() > kMaxText) {
            note(node, key + " is " + std::to_string(value.size()) + " bytes, at most " +
                           std::to_string(kMaxText) + " allowed");
            return std::nullopt;
        }
        if (!is_valid_utf8(value) || value.find('\0') != std::string::npos) {
            note(node, key + " is not valid UTF-8 text");
            return std::nullopt;
        }
        RuleText out{value, place_of(node)};
        return out;
    }

    const std::string& path() const { return path_; }

  private:
    std::string path_;
    std::string problem_;
};

/// A text's place in the file for Lua: a basic string's text starts after its quote (one or three).
RulePlace text_start(const toml::node& node, RulePlace at) {
    (void)node;
    return {at.line, at.column + 1};
}

void read_action(Reader& r, const toml::node& node, size_t index, RuleSpec& rule) {
    const std::string where = "rule \"" + rule.name + "\": do[" + std::to_string(index) + "]";
    const auto* t = node.as_table();
    if (t == nullptr) {
        r.note(node, where + " must be a table with an action key");
        return;
    }
    const auto* kind_node = t->get("action");
    if (kind_node == nullptr || !kind_node->is_string()) {
        r.note(node, where + " needs action = \"hold\", \"release\", ... (a string)");
        return;
    }
    ActionSpec a;
    a.kind = kind_node->as_string()->get();
    a.place = r.place_of(node);
    const auto& shapes = action_shapes();
    const auto shape =
        std::find_if(shapes.begin(), shapes.end(), [&](const ActionShape& s) { return s.kind == a.kind; });
    if (shape == shapes.end()) {
        std::string known;
        for (const auto& s : shapes) {
            known += (known.empty() ? "" : ", ") + std::string(s.kind);
        }
        r.note(*kind_node,
               where + ": unknown action \"" + printable(a.kind.substr(0, 40)) + "\" (known: " + known + ")");
        return;
    }
    for (auto&& [key, value] : *t) {
        const std::string name(key.str());
        if (name == "action") {
            continue;
        }
        const bool known = std::count(shape->required.begin(), shape->required.end(), name) > 0 ||
                           std::count(shape->optional.begin(), shape->optional.end(), name) > 0;
        if (!known) {
            r.note(value,
                   where + ": action " + a.kind + " takes no \"" + printable(name.substr(0, 40)) + "\"");
            return;
        }
        std::optional<RuleText> text;
        if (value.is_integer()) {
            text = RuleText{std::to_string(value.as_integer()->get()), r.place_of(value)};
        } else if (value.is_boolean()) {
            text = RuleText{value.as_boolean()->get() ? "true" : "false", r.place_of(value)};
        } else {
            text = r.text(value, where + "." + name);
            if (text) {
                text->place = text_start(value, text->place);
            }
        }
        if (!text) {
            return;
        }
        a.args.emplace_back(name, std::move(*text));
    }
    for (auto need : shape->required) {
        if (std::none_of(a.args.begin(), a.args.end(), [&](const auto& arg) { return arg.first == need; })) {
            r.note(node, where + ": action " + a.kind + " needs " + std::string(need));
            return;
        }
    }
    if (a.kind == "route" && a.args.size() == (t->contains("order") ? 1u : 0u)) {
        r.note(node, where + ": action route needs a station or a printer");
        return;
    }
    rule.actions.push_back(std::move(a));
}

void read_rule(Reader& r, const toml::table& t, const toml::node& node, RuleFile& file) {
    RuleSpec rule;
    rule.file = r.path();
    rule.place = r.place_of(node);
    static const std::set<std::string> kKeys = {"name",   "on",       "if", "do",   "once_per",
                                                "period", "cooldown", "at", "every"};
    for (auto&& [key, value] : t) {
        if (!kKeys.count(std::string(key.str()))) {
            r.note(value, "unknown key \"" + printable(std::string(key.str()).substr(0, 40)) +
                              "\" in a rule (keys: name, on, if, do, once_per, period, cooldown, at, every)");
            return;
        }
    }
    const auto* name = t.get("name");
    if (name == nullptr || !name->is_string() || name->as_string()->get().empty()) {
        r.note(node, "a rule needs name = \"...\"");
        return;
    }
    rule.name = name->as_string()->get();
    const bool safe = rule.name.size() <= 64 && std::all_of(rule.name.begin(), rule.name.end(), [](char c) {
                          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                 c == '-' || c == '_' || c == '.';
                      });
    if (!safe) {
        r.note(*name, "rule name \"" + printable(rule.name.substr(0, 64)) +
                          "\" must be 1 to 64 letters, digits, '-', '_' or '.'");
        return;
    }
    for (const auto& other : file.rules) {
        if (other.name == rule.name) {
            r.note(*name, "rule \"" + rule.name + "\" is named twice in this file");
            return;
        }
    }
    const std::string where = "rule \"" + rule.name + "\"";
    const auto* on = t.get("on");
    if (on != nullptr && on->is_string()) {
        rule.triggers.push_back(on->as_string()->get());
    } else if (on != nullptr && on->is_array()) {
        for (const auto& trigger : *on->as_array()) {
            if (!trigger.is_string()) {
                r.note(trigger, where + ": on must list trigger names");
                return;
            }
            rule.triggers.push_back(trigger.as_string()->get());
        }
    }
    if (rule.triggers.empty()) {
        r.note(node, where + " needs on = [\"order.accepted\", ...]");
        return;
    }
    const auto& known = rule_triggers();
    for (const auto& trigger : rule.triggers) {
        if (std::find(known.begin(), known.end(), trigger) == known.end()) {
            r.note(*on, where + ": unknown trigger \"" + printable(trigger.substr(0, 40)) +
                            "\" (docs/rules.md lists them)");
            return;
        }
    }
    const bool timed = std::count(rule.triggers.begin(), rule.triggers.end(), "time") > 0;
    const bool interval = std::count(rule.triggers.begin(), rule.triggers.end(), "interval") > 0;
    if (const auto* at = t.get("at")) {
        const auto* s = at->as_string();
        const auto minute = s != nullptr ? parse_rule_clock(s->get()) : std::nullopt;
        if (!minute) {
            r.note(*at, where + ": at must be a time of day \"HH:MM\"");
            return;
        }
        rule.at_minute = *minute;
    }
    if (timed != (rule.at_minute >= 0)) {
        r.note(node, where + (timed ? ": trigger time needs at = \"HH:MM\"" : ": at is for trigger time"));
        return;
    }
    auto duration = [&](const char* key, int64_t& out) {
        const auto* v = t.get(key);
        if (v == nullptr) {
            return true;
        }
        auto ms = v->is_string() ? parse_rule_duration(v->as_string()->get())
                                 : Result<int64_t>(fail("must be a string"));
        if (!ms) {
            r.note(*v, where + ": " + key + ": " + ms.error().message);
            return false;
        }
        out = *ms;
        return true;
    };
    if (!duration("every", rule.every_ms) || !duration("period", rule.period_ms) ||
        !duration("cooldown", rule.cooldown_ms)) {
        return;
    }
    if (interval != (rule.every_ms > 0)) {
        r.note(node, where + (interval ? ": trigger interval needs every = \"15m\""
                                       : ": every is for trigger interval"));
        return;
    }
    if (interval && rule.every_ms < 1000) {
        r.note(*t.get("every"), where + ": every must be at least 1s");
        return;
    }
    if (const auto* per = t.get("once_per")) {
        static const std::vector<std::pair<std::string_view, RuleSubject>> kSubjects = {
            {"event", RuleSubject::event},   {"order", RuleSubject::order},
            {"sku", RuleSubject::sku},       {"rma", RuleSubject::rma},
            {"device", RuleSubject::device}, {"station", RuleSubject::station}};
        const std::string v = per->is_string() ? per->as_string()->get() : "";
        auto it =
            std::find_if(kSubjects.begin(), kSubjects.end(), [&](const auto& s) { return s.first == v; });
        if (it == kSubjects.end()) {
            r.note(*per, where + ": once_per must be event, order, sku, rma, device or station");
            return;
        }
        rule.once_per = it->second;
    } else if (t.contains("period")) {
        r.note(*t.get("period"), where + ": period needs once_per");
        return;
    }
    if (const auto* cond = t.get("if")) {
        auto text = r.text(*cond, where + ": if");
        if (!text) {
            return;
        }
        const bool multiline = cond->source().end.line > cond->source().begin.line;
        text->place = multiline ? RulePlace{text->place.line + 1, 1} : text_start(*cond, text->place);
        rule.condition = std::move(*text);
    }
    const auto* actions = t.get("do");
    if (actions == nullptr || !actions->is_array() || actions->as_array()->empty()) {
        r.note(node, where + " needs at least one action: [[rule.do]] action = \"...\"");
        return;
    }
    if (actions->as_array()->size() > kMaxActions) {
        r.note(*actions, where + ": at most " + std::to_string(kMaxActions) + " actions");
        return;
    }
    size_t i = 0;
    for (const auto& a : *actions->as_array()) {
        read_action(r, a, i++, rule);
        if (!r.ok()) {
            return;
        }
    }
    file.rules.push_back(std::move(rule));
}

}  // namespace

std::string_view to_string(RuleSubject subject) {
    switch (subject) {
        case RuleSubject::event:
            return "event";
        case RuleSubject::order:
            return "order";
        case RuleSubject::sku:
            return "sku";
        case RuleSubject::rma:
            return "rma";
        case RuleSubject::device:
            return "device";
        case RuleSubject::station:
            return "station";
    }
    return "event";
}

const std::vector<std::string_view>& rule_triggers() {
    static const std::vector<std::string_view> triggers = {
        "order.received",  "order.accepted",  "order.held",      "order.updated", "order.cancelled",
        "order.picking",   "order.packed",    "order.labelled",  "order.shipped", "order.weight_mismatch",
        "stock.low",       "stock.out",       "stock.back",      "stock.counted", "return.requested",
        "return.approved", "return.received", "return.rejected", "label.printed", "device.offline",
        "device.fault",    "device.ready",    "scan.refused",    "scan.unknown",  "time",
        "interval"};
    return triggers;
}

const std::vector<std::string_view>& rule_action_kinds() {
    static const std::vector<std::string_view> kinds = [] {
        std::vector<std::string_view> out;
        for (const auto& s : action_shapes()) {
            out.push_back(s.kind);
        }
        return out;
    }();
    return kinds;
}

std::string rule_clock(int minute) {
    const int h = (minute / 60) % 24;
    const int m = minute % 60;
    return std::string(h < 10 ? "0" : "") + std::to_string(h) + (m < 10 ? ":0" : ":") + std::to_string(m);
}

std::optional<int> parse_rule_clock(std::string_view v) {
    auto digit = [&](size_t i) { return v[i] >= '0' && v[i] <= '9' ? v[i] - '0' : -1; };
    if (v.size() != 5 || v[2] != ':' || digit(0) < 0 || digit(1) < 0 || digit(3) < 0 || digit(4) < 0) {
        return std::nullopt;
    }
    const int h = digit(0) * 10 + digit(1);
    const int m = digit(3) * 10 + digit(4);
    if (h > 23 || m > 59) {
        return std::nullopt;
    }
    return h * 60 + m;
}

Result<int64_t> parse_rule_duration(std::string_view text) {
    if (text.size() < 2 || text.size() > 12) {
        return fail("\"" + printable(std::string(text.substr(0, 20))) +
                    "\" is not a duration such as 30s, 10m, 24h or 7d");
    }
    int64_t n = 0;
    for (char c : text.substr(0, text.size() - 1)) {
        if (c < '0' || c > '9') {
            return fail("\"" + printable(std::string(text)) +
                        "\" is not a duration such as 30s, 10m, 24h or 7d");
        }
        n = n * 10 + (c - '0');
    }
    const char unit = text.back();
    const int64_t scale = unit == 's'   ? 1000
                          : unit == 'm' ? 60000
                          : unit == 'h' ? 3600000
                          : unit == 'd' ? 86400000
                                        : 0;
    if (scale == 0 || n <= 0 || n > 366 * 86400000LL / scale) {
        return fail("\"" + printable(std::string(text)) +
                    "\" is not a duration from 1s to 366d (30s, 10m, 24h, 7d)");
    }
    return n * scale;
}

Result<RuleFile> parse_rule_file(const std::string& path, std::string_view text) {
    toml::table root;
    try {
        root = toml::parse(text, path);
    } catch (const toml::parse_error& e) {
        return fail(path + ":" + std::to_string(e.source().begin.line) + ":" +
                    std::to_string(e.source().begin.column) +
                    ": not valid TOML: " + std::string(e.description()));
    }
    Reader r(path);
    RuleFile file;
    file.path = path;
    for (auto&& [key, node] : root) {
        const std::string k(key.str());
        if (k != "rule" && k != "setup") {
            r.note(node, "unknown key \"" + printable(k.substr(0, 40)) +
                             "\" (a rules file holds setup and [[rule]] tables)");
            return fail(r.problem());
        }
    }
    if (const auto* setup = root.get("setup")) {
        auto t = r.text(*setup, "setup");
        if (!t) {
            return fail(r.problem());
        }
        const bool multiline = setup->source().end.line > setup->source().begin.line;
        t->place = multiline ? RulePlace{t->place.line + 1, 1} : text_start(*setup, t->place);
        file.setup = std::move(*t);
    }
    const auto* rules = root.get("rule");
    if (rules == nullptr) {
        return file;  // a file of setup alone, or empty: nothing to run
    }
    if (!rules->is_array_of_tables()) {
        r.note(*rules, "rule must be written as [[rule]] tables");
        return fail(r.problem());
    }
    if (rules->as_array()->size() > kMaxRulesPerFile) {
        r.note(*rules, "at most " + std::to_string(kMaxRulesPerFile) + " rules in one file");
        return fail(r.problem());
    }
    for (const auto& node : *rules->as_array()) {
        read_rule(r, *node.as_table(), node, file);
        if (!r.ok()) {
            return fail(r.problem());
        }
    }
    return file;
}

}  // namespace packd::fulfillment
