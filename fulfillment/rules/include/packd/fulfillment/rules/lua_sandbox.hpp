#pragma once
// One Lua 5.4 state for merchant rules, sandboxed the way Redis and HAProxy embed Lua: only the base
// functions that touch nothing outside the state (no load, dofile, require, pcall, collectgarbage), string,
// table, math and utf8 (string.dump removed, pattern functions limited to short subjects), no io, os,
// debug, package or coroutine. Every call runs under an instruction budget (a count hook) and the whole
// state under a memory cap (its allocator), so a rule can never block the event loop or take the box's
// memory; either one stops the call with an error, and the state stays usable.
//
// Environments: each rules file has its own global table. A read of a name it lacks falls through to the
// context (the event being handled, set by the engine before each call) and then to the safe libraries,
// which are read-only.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "packd/common/result.hpp"
#include "packd/fulfillment/rules/rule_set.hpp"

struct lua_State;
struct lua_Debug;

namespace packd::fulfillment {

struct LuaLimits {
    int64_t instructions = 200000;    ///< per call: a few milliseconds of Lua at most
    size_t memory_bytes = 16u << 20;  ///< the whole state: every rule and what it keeps
};

class LuaSandbox {
  public:
    explicit LuaSandbox(LuaLimits limits = {});
    ~LuaSandbox();
    LuaSandbox(const LuaSandbox&) = delete;
    LuaSandbox& operator=(const LuaSandbox&) = delete;

    lua_State* state() { return L_; }
    const LuaLimits& limits() const { return limits_; }
    size_t memory_used() const { return used_; }

    /// A new global table for one rules file; a registry reference.
    Result<int> new_environment();
    /// The context table the engine fills before each call (registry reference).
    int context() const { return context_; }

    /// Compiles `source` in `env`: as an expression (`return <source>`) when it is one, else as a chunk
    /// whose value is what it returns. Text chunks only. An error names `file:line:column`, counted from
    /// `place`, the source's first character in the file. A registry reference to the function.
    Result<int> compile(const std::string& file, const std::string& source, RulePlace place, int env,
                        bool expression);
    /// Calls the function `ref` with no arguments under the instruction budget, leaving `results` values
    /// on the stack (the caller pops them). The reason when it failed: an error, the budget, memory.
    Status call(int ref, int results);
    /// Drops a registry reference.
    void release(int ref);
    /// Runs `work` on the state in protected mode, over the `arguments` values on top of the stack (which
    /// it takes): a Lua error in it, above all the memory cap reached while the C API builds a table, is
    /// the reason returned rather than a panic that aborts the process. An error leaves `work` by
    /// longjmp, so it must hold no C++ object that needs destroying while it calls the Lua API.
    Status protect(const std::function<void(lua_State*)>& work, int arguments = 0);

  private:
    static void* allocate(void* ud, void* ptr, size_t old_size, size_t new_size);
    static void count_hook(lua_State* L, lua_Debug* ar);
    void open_safe_libraries();
    /// The short name ("#3") a file's chunks have inside Lua.
    std::string tag_of(const std::string& file);
    /// A Lua message with the file's path in place of its chunk's tag.
    std::string with_path(const std::string& message) const;

    LuaLimits limits_;
    size_t used_ = 0;
    int64_t executed_ = 0;
    lua_State* L_ = nullptr;
    int base_ = 0;                    ///< the safe libraries (registry reference)
    int context_ = 0;                 ///< the event's names (registry reference)
    std::vector<std::string> files_;  ///< the files compiled, by their chunks' tags
};

}  // namespace packd::fulfillment
