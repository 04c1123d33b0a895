// Loading rules: each file parsed, its setup run, its conditions and arguments compiled into a new Lua state,
// which replaces the running rule set only when every file loaded.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "packd/fulfillment/rules/rule_engine.hpp"
#include "rule_facts.hpp"

namespace packd::fulfillment {
namespace {

constexpr size_t kMaxRuleFile = 1 << 20;

}  // namespace

size_t RuleEngine::rule_count() const {
    return set_ ? set_->rules.size() : 0;
}

Result<std::vector<RuleEngine::Piece>> RuleEngine::compile_text(RuleSetNow& set, int env,
                                                                const RuleText& text,
                                                                const std::string& file) {
    std::vector<Piece> pieces;
    size_t at = 0;
    while (at < text.text.size()) {
        const size_t open = text.text.find("{{", at);
        if (open == std::string::npos) {
            pieces.push_back({text.text.substr(at), 0});
            break;
        }
        if (open > at) {
            pieces.push_back({text.text.substr(at, open - at), 0});
        }
        const size_t close = text.text.find("}}", open + 2);
        // Where the expression starts in the file: lines and the column within its line.
        RulePlace place = text.place;
        const size_t last_newline = text.text.rfind('\n', open);
        place.line += static_cast<int>(
            std::count(text.text.begin(), text.text.begin() + static_cast<long>(open), '\n'));
        place.column = last_newline == std::string::npos ? text.place.column + static_cast<int>(open) + 2
                                                         : static_cast<int>(open - last_newline) + 2;
        if (close == std::string::npos) {
            return fail(file + ":" + std::to_string(place.line) + ":" + std::to_string(place.column - 2) +
                        ": \"{{\" without its \"}}\"");
        }
        auto ref = set.lua->compile(file, text.text.substr(open + 2, close - open - 2), place, env, true);
        if (!ref) {
            return ref.error();
        }
        pieces.push_back({{}, *ref});
        at = close + 2;
    }
    return pieces;
}

Status RuleEngine::load(const std::vector<std::pair<std::string, std::string>>& files,
                        const RuleSettings& settings) {
    auto next = std::make_unique<RuleSetNow>();
    next->settings = settings;
    try {
        next->lua = std::make_unique<LuaSandbox>(settings.limits);
    } catch (const std::exception& e) {
        return fail(e.what());
    }
    LuaSandbox& lua = *next->lua;
    const int context = lua.context();
    if (auto installed = lua.protect([&](lua_State* L) { facts_->install(L, context); }); !installed) {
        return fail("rules: " + installed.error().message);
    }
    std::set<std::string> names;
    for (const auto& [path, text] : files) {
        auto parsed = parse_rule_file(path, text);
        if (!parsed) {
            return parsed.error();
        }
        auto made = lua.new_environment();
        if (!made) {
            return fail(path + ": " + made.error().message);
        }
        const int env = *made;
        if (!parsed->setup.text.empty()) {
            auto setup = lua.compile(path, parsed->setup.text, parsed->setup.place, env, false);
            if (!setup) {
                return setup.error();
            }
            if (auto ran = lua.call(*setup, 0); !ran) {
                return fail(path + ":" + std::to_string(parsed->setup.place.line) +
                            ": setup: " + ran.error().message);
            }
            lua.release(*setup);
        }
        for (auto& spec : parsed->rules) {
            if (!names.insert(spec.name).second) {
                return fail(path + ":" + std::to_string(spec.place.line) + ":" +
                            std::to_string(spec.place.column) + ": rule \"" + spec.name +
                            "\" is loaded from another file already");
            }
            CompiledRule rule;
            if (!spec.condition.text.empty()) {
                auto cond = lua.compile(path, spec.condition.text, spec.condition.place, env, true);
                if (!cond) {
                    return cond.error();
                }
                rule.condition = *cond;
            }
            for (const auto& action : spec.actions) {
                CompiledAction compiled;
                compiled.kind = action.kind;
                for (const auto& [name, value] : action.args) {
                    auto pieces = compile_text(*next, env, value, path);
                    if (!pieces) {
                        return pieces.error();
                    }
                    compiled.args.emplace_back(name, std::move(*pieces));
                }
                rule.actions.push_back(std::move(compiled));
            }
            rule.spec = std::move(spec);
            const size_t index = next->rules.size();
            for (const auto& trigger : rule.spec.triggers) {
                next->by_trigger[trigger].push_back(index);
            }
            next->rules.push_back(std::move(rule));
        }
    }
    facts_->set_cutoff(settings.cutoff_minute);
    set_ = std::move(next);
    last_interval_.clear();
    return {};
}

Status RuleEngine::load_folder(const std::string& dir, const RuleSettings& settings) {
    namespace fs = std::filesystem;
    std::vector<std::pair<std::string, std::string>> files;
    std::error_code ec;
    if (dir.empty() || !fs::exists(dir, ec)) {
        return load(files, settings);
    }
    std::vector<fs::path> paths;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".toml") {
            paths.push_back(entry.path());
        }
    }
    if (ec) {
        return fail("rules folder " + dir + ": " + ec.message());
    }
    std::sort(paths.begin(), paths.end());
    for (const auto& path : paths) {
        std::ifstream in(path, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        if (!in && !in.eof()) {
            return fail(path.string() + ": cannot be read");
        }
        if (text.str().size() > kMaxRuleFile) {
            return fail(path.string() + ": larger than 1 MiB");
        }
        files.emplace_back(path.string(), text.str());
    }
    return load(files, settings);
}

}  // namespace packd::fulfillment
