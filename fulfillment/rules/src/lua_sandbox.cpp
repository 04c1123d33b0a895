// The sandboxed Lua state of the rule engine: allocator with a cap, count hook with a budget, the safe
// libraries only.

#include "packd/fulfillment/rules/lua_sandbox.hpp"

#include <lua.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <utility>

namespace packd::fulfillment {
namespace {

constexpr int kHookEvery = 1000;  ///< instructions between two looks at the budget

/// The address of the sandbox in the state's extra space, for the hook.
LuaSandbox*& owner_of(lua_State* L) {
    return *static_cast<LuaSandbox**>(lua_getextraspace(L));
}

/// The pattern functions backtrack in C, where the count hook never runs: a pattern such as ".-.-.-x" on
/// a long subject would hold the loop for seconds. They take short subjects and patterns only.
constexpr size_t kMaxPatternSubject = 1024;
constexpr size_t kMaxPattern = 64;

int guarded_pattern(lua_State* L) {
    size_t subject = 0;
    size_t pattern = 0;
    luaL_checklstring(L, 1, &subject);
    luaL_checklstring(L, 2, &pattern);
    if (subject > kMaxPatternSubject || pattern > kMaxPattern) {
        return luaL_error(L, "pattern functions take subjects of at most %d bytes and patterns of at most %d",
                          static_cast<int>(kMaxPatternSubject), static_cast<int>(kMaxPattern));
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/// string.find without patterns: plain search, whatever the fourth argument says.
int plain_find(lua_State* L) {
    luaL_checkstring(L, 1);
    luaL_checkstring(L, 2);
    const lua_Integer init = luaL_optinteger(L, 3, 1);
    lua_settop(L, 2);
    lua_pushinteger(L, init);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, 4, LUA_MULTRET);
    return lua_gettop(L);
}

int refuse_write(lua_State* L) {
    return luaL_error(L, "the libraries are read-only in rules");
}

/// A read-only view of the table at the top of the stack, which it replaces.
void push_read_only(lua_State* L) {
    lua_newtable(L);       // proxy
    lua_newtable(L);       // its metatable
    lua_pushvalue(L, -3);  // the table
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, refuse_write);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_remove(L, -2);
}

}  // namespace

void* LuaSandbox::allocate(void* ud, void* ptr, size_t old_size, size_t new_size) {
    auto* self = static_cast<LuaSandbox*>(ud);
    // Without a block, old_size is the kind of object, not a size.
    const size_t had = ptr != nullptr ? old_size : 0;
    if (new_size == 0) {
        self->used_ -= had;
        std::free(ptr);
        return nullptr;
    }
    if (new_size > had && self->used_ - had + new_size > self->limits_.memory_bytes) {
        return nullptr;  // Lua raises "not enough memory" and frees what it can
    }
    void* block = std::realloc(ptr, new_size);
    if (block != nullptr) {
        self->used_ = self->used_ - had + new_size;
    }
    return block;
}

void LuaSandbox::count_hook(lua_State* L, lua_Debug* /*ar*/) {
    LuaSandbox* self = owner_of(L);
    self->executed_ += kHookEvery;
    if (self->executed_ > self->limits_.instructions) {
        luaL_error(L, "instruction budget of %d exceeded", static_cast<int>(self->limits_.instructions));
    }
}

LuaSandbox::LuaSandbox(LuaLimits limits) : limits_(limits) {
    L_ = lua_newstate(&LuaSandbox::allocate, this);
    if (L_ == nullptr) {
        throw std::runtime_error("rules: cannot create a Lua state within the memory cap");
    }
    owner_of(L_) = this;
    lua_sethook(L_, &LuaSandbox::count_hook, LUA_MASKCOUNT, kHookEvery);
    open_safe_libraries();
}

LuaSandbox::~LuaSandbox() {
    lua_close(L_);
}

void LuaSandbox::open_safe_libraries() {
    lua_State* L = L_;
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    lua_settop(L, 0);

    // The real string table serves string methods ("x"):upper(); dump goes from it, the pattern
    // functions are wrapped in it, and the string metatable cannot be reached from a rule.
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    for (const char* name : {"match", "gmatch", "gsub"}) {
        lua_getfield(L, -1, name);
        lua_pushcclosure(L, guarded_pattern, 1);
        lua_setfield(L, -2, name);
    }
    lua_getfield(L, -1, "find");
    lua_pushcclosure(L, plain_find, 1);
    lua_setfield(L, -2, "find");
    lua_pop(L, 1);
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);

    // The base every environment reads through to.
    lua_newtable(L);
    for (const char* name : {"assert", "error", "ipairs", "next", "pairs", "rawequal", "rawget", "rawlen",
                             "select", "tonumber", "tostring", "type", "setmetatable", "getmetatable"}) {
        lua_getglobal(L, name);
        lua_setfield(L, -2, name);
    }
    lua_pushliteral(L, LUA_VERSION);
    lua_setfield(L, -2, "_VERSION");
    for (const char* lib : {LUA_STRLIBNAME, LUA_TABLIBNAME, LUA_MATHLIBNAME, LUA_UTF8LIBNAME}) {
        lua_getglobal(L, lib);
        if (std::strcmp(lib, LUA_MATHLIBNAME) == 0) {
            lua_pushnil(L);
            lua_setfield(L, -2, "randomseed");  // rules are repeatable: no reseeding
        }
        push_read_only(L);
        lua_setfield(L, -2, lib);
    }
    base_ = luaL_ref(L, LUA_REGISTRYINDEX);

    // The context: the engine's names for the event at hand; reads fall through to the base.
    lua_newtable(L);
    lua_newtable(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, base_);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    context_ = luaL_ref(L, LUA_REGISTRYINDEX);

    // Nothing reaches the real globals again: the chunks run in environments of their own.
    lua_pushglobaltable(L);
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, -4);
    }
    lua_pop(L, 1);
}

namespace {

/// Runs the work whose address is the last argument, over the arguments below it.
int run_protected(lua_State* L) {
    const auto* work = static_cast<const std::function<void(lua_State*)>*>(lua_touserdata(L, -1));
    lua_pop(L, 1);
    (*work)(L);
    return 0;
}

}  // namespace

Status LuaSandbox::protect(const std::function<void(lua_State*)>& work, int arguments) {
    lua_State* L = L_;
    // Neither pushes allocates: a light C function and a light userdata.
    lua_pushcfunction(L, run_protected);
    lua_insert(L, -(arguments + 1));
    lua_pushlightuserdata(L, const_cast<std::function<void(lua_State*)>*>(&work));
    const int status = lua_pcall(L, arguments + 1, 0, 0);
    if (status == LUA_OK) {
        return {};
    }
    std::string what = status == LUA_ERRMEM
                           ? "memory cap of " + std::to_string(limits_.memory_bytes / 1024) + " KiB reached"
                       : lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
                                                        : "a Lua error";
    lua_pop(L, 1);
    return fail(what);
}

Result<int> LuaSandbox::new_environment() {
    int ref = LUA_NOREF;
    const int context = context_;
    auto made = protect([&](lua_State* L) {
        lua_newtable(L);
        lua_newtable(L);
        lua_rawgeti(L, LUA_REGISTRYINDEX, context);
        lua_setfield(L, -2, "__index");
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
        lua_setmetatable(L, -2);
        ref = luaL_ref(L, LUA_REGISTRYINDEX);
    });
    if (!made) {
        return made.error();
    }
    return ref;
}

namespace {

/// "[string \"x\"]:3: unexpected symbol near 'y'" -> line 3, the message after it, the token.
struct LuaProblem {
    int line = 1;
    std::string message;
};

LuaProblem split_message(const std::string& chunk, const std::string& what) {
    LuaProblem p;
    p.message = what;
    const std::string prefix = chunk + ":";
    if (what.rfind(prefix, 0) == 0) {
        const size_t colon = what.find(':', prefix.size());
        if (colon != std::string::npos) {
            p.line = std::atoi(what.substr(prefix.size(), colon - prefix.size()).c_str());
            p.message = what.substr(colon + 1);
            if (!p.message.empty() && p.message.front() == ' ') {
                p.message.erase(0, 1);
            }
        }
    }
    return p;
}

/// The column of `token` (Lua's "near 'x'") on line `line` of `source`, 1-based; 1 when not found.
int column_of(const std::string& source, int line, const std::string& message) {
    size_t start = 0;
    for (int l = 1; l < line && start != std::string::npos; ++l) {
        start = source.find('\n', start);
        if (start != std::string::npos) {
            ++start;
        }
    }
    if (start == std::string::npos) {
        return 1;
    }
    const size_t line_end = source.find('\n', start);
    const std::string text =
        source.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    if (message.size() >= 10 && message.compare(message.size() - 10, 10, "near <eof>") == 0) {
        return static_cast<int>(text.size()) + 1;  // just past the end: the text stopped too soon
    }
    const size_t near = message.rfind("near '");
    if (near == std::string::npos) {
        return 1;
    }
    const size_t end = message.find('\'', near + 6);
    const std::string token =
        message.substr(near + 6, end == std::string::npos ? std::string::npos : end - near - 6);
    const size_t at = token.empty() ? std::string::npos : text.find(token);
    return at == std::string::npos ? 1 : static_cast<int>(at) + 1;
}

}  // namespace

Result<int> LuaSandbox::compile(const std::string& file, const std::string& source, RulePlace place, int env,
                                bool expression) {
    lua_State* L = L_;
    // Lua cuts a chunk's name in its messages after 59 bytes (LUA_IDSIZE), which would take the line
    // number with it on a long path: the chunk is named by a short tag, and call() puts the path back.
    const std::string tag = tag_of(file);
    const std::string chunk = "=" + tag;
    executed_ = 0;
    // Blank lines first, so that Lua's line numbers, at compile and at run time, are the file's.
    const std::string lead(static_cast<size_t>(std::max(place.line - 1, 0)), '\n');
    int status = LUA_ERRSYNTAX;
    std::string as_expression_error;
    if (expression) {
        const std::string as_expression = lead + "return " + source;
        status = luaL_loadbufferx(L, as_expression.data(), as_expression.size(), chunk.c_str(), "t");
        if (status != LUA_OK) {
            as_expression_error = lua_isstring(L, -1) ? lua_tostring(L, -1) : "";
            lua_pop(L, 1);
        }
    }
    if (status != LUA_OK) {
        const std::string body = lead + source;
        status = luaL_loadbufferx(L, body.data(), body.size(), chunk.c_str(), "t");
    }
    if (status != LUA_OK) {
        const std::string what = lua_isstring(L, -1) ? lua_tostring(L, -1) : "cannot compile";
        lua_pop(L, 1);
        if (status == LUA_ERRMEM) {
            return fail(file + ":" + std::to_string(place.line) + ":" + std::to_string(place.column) +
                        ": the rules' memory cap is reached");
        }
        struct Found {
            int line = 0;
            int column = 0;
            std::string message;
        };
        auto locate = [&](const std::string& error) {
            const LuaProblem p = split_message(tag, error);
            Found f;
            f.line = std::max(p.line, place.line);
            const int in_source = f.line - place.line + 1;
            f.column = column_of(source, in_source, p.message) + (in_source == 1 ? place.column - 1 : 0);
            f.message = p.message;
            return f;
        };
        Found found = locate(what);
        if (!as_expression_error.empty()) {
            // The parse that got further names the problem: "total + * 2" fails as an expression at the '*'
            // but as a statement already at the '+'; "local x = 1 +* 2" fails as an expression at its
            // first word.
            const Found expr = locate(as_expression_error);
            if (std::make_pair(expr.line, expr.column) > std::make_pair(found.line, found.column)) {
                found = expr;
            }
        }
        return fail(file + ":" + std::to_string(found.line) + ":" + std::to_string(found.column) + ": " +
                    found.message);
    }
    // The chunk's only upvalue is _ENV: the file's environment. The reference may grow the registry, so
    // it is taken in protected mode (the function is the one argument).
    int ref = LUA_NOREF;
    auto bound = protect(
        [&](lua_State* S) {
            lua_rawgeti(S, LUA_REGISTRYINDEX, env);
            lua_setupvalue(S, 1, 1);
            lua_pushvalue(S, 1);
            ref = luaL_ref(S, LUA_REGISTRYINDEX);
        },
        1);
    if (!bound) {
        return fail(file + ":" + std::to_string(place.line) + ":" + std::to_string(place.column) + ": " +
                    bound.error().message);
    }
    return ref;
}

Status LuaSandbox::call(int ref, int results) {
    lua_State* L = L_;
    executed_ = 0;
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    const int status = lua_pcall(L, 0, results, 0);
    if (status == LUA_OK) {
        return {};
    }
    std::string what;
    if (status == LUA_ERRMEM) {
        what = "memory cap of " + std::to_string(limits_.memory_bytes / 1024) + " KiB reached";
    } else if (lua_type(L, -1) == LUA_TSTRING) {
        what = with_path(lua_tostring(L, -1));
    } else {
        what = std::string("error object of type ") + luaL_typename(L, -1);
    }
    lua_pop(L, 1);
    if (what.size() > 300) {
        what.resize(300);
    }
    return fail(what);
}

std::string LuaSandbox::tag_of(const std::string& file) {
    auto it = std::find(files_.begin(), files_.end(), file);
    if (it == files_.end()) {
        it = files_.insert(files_.end(), file);
    }
    return "#" + std::to_string(it - files_.begin());
}

std::string LuaSandbox::with_path(const std::string& message) const {
    // "#3:12: boom" -> "rules/holds.toml:12: boom"
    size_t digits = 1;
    while (digits < message.size() && std::isdigit(static_cast<unsigned char>(message[digits]))) {
        ++digits;
    }
    if (message.empty() || message[0] != '#' || digits == 1 || digits > 9 || digits >= message.size() ||
        message[digits] != ':') {
        return message;
    }
    const size_t index = std::stoul(message.substr(1, digits - 1));
    return index < files_.size() ? files_[index] + message.substr(digits) : message;
}

void LuaSandbox::release(int ref) {
    luaL_unref(L_, LUA_REGISTRYINDEX, ref);
}

}  // namespace packd::fulfillment
