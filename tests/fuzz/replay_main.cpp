// Runs a fuzz target without libFuzzer, so every build (g++, sanitizers) and every ctest run exercises it:
// over each file named on the command line (directories are read recursively), over every input of 0 to 2
// bytes from a small alphabet of bytes that parsers care about, and over a fixed number of seeded mutations
// of each file. Everything is deterministic: a failure repeats on the next run with the same corpus.
//
//   fuzz_replay_<name> [--mutations=N] [--seed=S] PATH...
//
// A broken property aborts; the input that broke it is written to fuzz-replay-failure.bin in the working
// directory, where `fuzz_<name> fuzz-replay-failure.bin` (libFuzzer build) or this program replays it.

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

// Present when the program runs under AddressSanitizer or UndefinedBehaviorSanitizer: lets the failing
// input be saved before a sanitizer ends the process.
extern "C" void __sanitizer_set_death_callback(void (*callback)()) __attribute__((weak));

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxInput = 64 * 1024;
constexpr const char* kFailureFile = "fuzz-replay-failure.bin";

// Bytes that start, end or break the inputs our parsers read: JSON and TOML punctuation, line ends, ZPL
// command prefixes, digits and units, and the lead bytes of UTF-8 sequences (valid and not).
constexpr char kAlphabetBytes[] = "\0\t\n\r \"#',-.0129:=[\\]^_agk{}~\x7f\x80\xbf\xc3\xe2\xed\xf0\xf4\xff";
constexpr std::string_view kAlphabet{kAlphabetBytes, sizeof(kAlphabetBytes) - 1};

// Tokens a mutation may insert: whole syntax elements reach further into a parser than single bytes.
constexpr std::array<std::string_view, 24> kTokens{"\"",
                                                   "{}",
                                                   "[]",
                                                   "\\u0000",
                                                   "\\ud800",
                                                   "\n",
                                                   "\r\n",
                                                   "^XA",
                                                   "^XZ",
                                                   "~",
                                                   "_",
                                                   "_5E",
                                                   "\xc3\xa9",
                                                   "\xe2\x82\xac",
                                                   "\xf0\x9f\x93\xa6",
                                                   "-1",
                                                   "1e999",
                                                   " = ",
                                                   "[[a]]",
                                                   "kg",
                                                   " motion",
                                                   "null",
                                                   "true",
                                                   "9223372036854775808"};

// What is running now, for the failure report. Plain globals: the signal handler reads them.
const std::uint8_t* g_data = nullptr;
std::size_t g_size = 0;
char g_label[512] = {};

void write_all(int fd, const char* text, std::size_t length) {
    while (length > 0) {
        const ssize_t n = ::write(fd, text, length);
        if (n <= 0) {
            return;
        }
        text += n;
        length -= static_cast<std::size_t>(n);
    }
}

void write_text(int fd, const char* text) {
    write_all(fd, text, std::strlen(text));
}

// Async-signal-safe: runs from the SIGABRT handler and from the sanitizers' death callback.
void report_failure() {
    static volatile sig_atomic_t reported = 0;
    if (reported != 0) {
        return;
    }
    reported = 1;
    write_text(STDERR_FILENO, "fuzz replay: failing input: ");
    write_text(STDERR_FILENO, g_label);
    write_text(STDERR_FILENO, "\n");
    const int fd = ::open(kFailureFile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        write_all(fd, reinterpret_cast<const char*>(g_data), g_size);
        ::close(fd);
        write_text(STDERR_FILENO, "fuzz replay: input saved to ");
        write_text(STDERR_FILENO, kFailureFile);
        write_text(STDERR_FILENO, " in the working directory\n");
    }
}

void on_abort(int signal_number) {
    report_failure();
    ::signal(signal_number, SIG_DFL);
    ::raise(signal_number);
}

void set_label(const std::string& label) {
    const std::size_t n = std::min(label.size(), sizeof(g_label) - 1);
    std::memcpy(g_label, label.data(), n);
    g_label[n] = '\0';
}

std::size_t g_runs = 0;

void run(const std::string& input, const std::string& label) {
    set_label(label);
    g_data = reinterpret_cast<const std::uint8_t*>(input.data());
    g_size = input.size();
    // A copy on the heap of exactly the input's size, as libFuzzer passes it: reads past the end are caught.
    std::vector<std::uint8_t> exact(input.begin(), input.end());
    LLVMFuzzerTestOneInput(exact.empty() ? nullptr : exact.data(), exact.size());
    ++g_runs;
}

/// A fixed pseudo-random sequence (SplitMix64), the same on every platform and standard library.
class Random {
  public:
    explicit Random(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    /// A number from 0 to bound - 1; bound must not be 0.
    std::size_t below(std::size_t bound) { return static_cast<std::size_t>(next() % bound); }

  private:
    std::uint64_t state_;
};

char random_byte(Random& random) {
    // Half from the alphabet, half any byte.
    if (random.below(2) == 0) {
        return kAlphabet[random.below(kAlphabet.size())];
    }
    return static_cast<char>(static_cast<unsigned char>(random.below(256)));
}

void mutate_once(std::string& input, const std::vector<std::string>& corpus, Random& random) {
    const std::size_t pos = random.below(input.size() + 1);
    switch (random.below(8)) {
        case 0:  // flip one bit
            if (!input.empty()) {
                const std::size_t at = random.below(input.size());
                input[at] =
                    static_cast<char>(static_cast<unsigned char>(input[at]) ^ (1u << random.below(8)));
            }
            break;
        case 1:  // overwrite one byte
            if (!input.empty()) {
                input[random.below(input.size())] = random_byte(random);
            }
            break;
        case 2:  // insert one byte
            input.insert(pos, 1, random_byte(random));
            break;
        case 3:  // delete up to 8 bytes
            input.erase(pos, 1 + random.below(8));
            break;
        case 4:  // truncate
            input.resize(pos);
            break;
        case 5: {  // repeat a piece of the input somewhere in it
            const std::size_t from = random.below(input.size() + 1);
            const std::string piece = input.substr(from, 1 + random.below(32));
            input.insert(random.below(input.size() + 1), piece);
            break;
        }
        case 6: {  // a piece of another corpus file in place of a piece of this one
            const std::string& other = corpus[random.below(corpus.size())];
            const std::string piece = other.substr(random.below(other.size() + 1), 1 + random.below(64));
            input.replace(pos, random.below(16), piece);
            break;
        }
        default:  // insert a token
            input.insert(pos, kTokens[random.below(kTokens.size())]);
            break;
    }
    if (input.size() > kMaxInput) {
        input.resize(kMaxInput);
    }
}

bool read_file(const fs::path& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return false;
    }
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return !in.bad();
}

bool parse_count(std::string_view arg, std::string_view name, std::uint64_t& out) {
    if (arg.substr(0, name.size()) != name) {
        return false;
    }
    const std::string digits(arg.substr(name.size()));
    char* end = nullptr;
    out = std::strtoull(digits.c_str(), &end, 10);
    if (digits.empty() || *end != '\0') {
        std::fprintf(stderr, "fuzz replay: %.*s needs a number, found \"%s\"\n",
                     static_cast<int>(name.size()), name.data(), digits.c_str());
        std::exit(2);
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t mutations = 2000;
    std::uint64_t seed = 20240601;
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg(argv[i]);
        if (parse_count(arg, "--mutations=", mutations) || parse_count(arg, "--seed=", seed)) {
            continue;
        }
        std::error_code ec;
        const fs::path path(arg);
        if (fs::is_directory(path, ec)) {
            std::vector<fs::path> found;
            for (const auto& entry : fs::recursive_directory_iterator(path, ec)) {
                if (entry.is_regular_file()) {
                    found.push_back(entry.path());
                }
            }
            std::sort(found.begin(), found.end());  // the order of the mutations must not depend on the disk
            files.insert(files.end(), found.begin(), found.end());
        } else if (fs::is_regular_file(path, ec)) {
            files.push_back(path);
        } else {
            std::fprintf(stderr, "fuzz replay: %s is neither a file nor a directory\n", argv[i]);
            return 2;
        }
    }
    if (files.empty()) {
        std::fprintf(stderr,
                     "usage: %s [--mutations=N] [--seed=S] CORPUS_DIR_OR_FILE...\n"
                     "fuzz replay: no input files given (an empty corpus tests nothing)\n",
                     argc > 0 ? argv[0] : "fuzz_replay");
        return 2;
    }

    ::signal(SIGABRT, on_abort);
    if (__sanitizer_set_death_callback != nullptr) {
        __sanitizer_set_death_callback(report_failure);
    }

    std::vector<std::string> corpus;
    for (const fs::path& file : files) {
        std::string bytes;
        if (!read_file(file, bytes)) {
            std::fprintf(stderr, "fuzz replay: cannot read %s\n", file.c_str());
            return 2;
        }
        run(bytes, file.string());
        corpus.push_back(std::move(bytes));
    }
    const std::size_t corpus_runs = g_runs;

    run("", "the empty input");
    for (const char a : kAlphabet) {
        run(std::string(1, a), "a 1-byte input from the alphabet");
        for (const char b : kAlphabet) {
            run(std::string{a, b}, "a 2-byte input from the alphabet");
        }
    }

    Random random(seed);
    for (std::size_t f = 0; f < corpus.size(); ++f) {
        for (std::uint64_t m = 0; m < mutations; ++m) {
            std::string input = corpus[f];
            const std::size_t steps = 1 + random.below(4);
            for (std::size_t s = 0; s < steps; ++s) {
                mutate_once(input, corpus, random);
            }
            run(input, "mutation " + std::to_string(m) + " (seed " + std::to_string(seed) + ") of " +
                           files[f].string());
        }
    }
    std::printf("fuzz replay: %zu inputs passed (%zu files, %zu short inputs, %zu mutations)\n", g_runs,
                corpus_runs, 1 + kAlphabet.size() + kAlphabet.size() * kAlphabet.size(),
                g_runs - corpus_runs - 1 - kAlphabet.size() - kAlphabet.size() * kAlphabet.size());
    return 0;
}
