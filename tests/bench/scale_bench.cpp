// The scale benchmark: how many frames per second each scale codec turns into readings, next to the floor of
// a bare scan of the same bytes for line ends; and how long a reading takes from the byte leaving the
// scale's side of a real pseudo-terminal to the reading event in packd (SerialScale, then WeightService),
// next to the floor of the same bytes read from the same pseudo-terminal by a bare Asio descriptor. It
// prints figures and asserts nothing; docs/PERFORMANCE.md says how to read them.
//
//   packd_scale_bench [--quick]

#include <pty.h>
#include <sys/utsname.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bench_report.hpp"
#include "packd/drivers/ascii_scale_codec.hpp"
#include "packd/drivers/hid_pos_scale_codec.hpp"
#include "packd/drivers/line_feed.hpp"
#include "packd/drivers/mt_sics_codec.hpp"
#include "packd/drivers/serial_scale.hpp"
#include "packd/drivers/toledo_8217_codec.hpp"
#include "packd/fulfillment/weighing/weight_service.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace packd::bench;
using namespace packd::drivers;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

std::string line_of(const char* path, const char* key) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (key[0] == '\0' || line.rfind(key, 0) == 0) {
            return line.substr(line.find(':') == std::string::npos ? 0 : line.find(':') + 2);
        }
    }
    return "?";
}

// A stream of `frames` frames of one protocol, weights varying so that no parse is cached.
std::string stream_of(const std::string& (*frame)(int), int frames) {
    std::string out;
    for (int i = 0; i < frames; ++i) {
        out += frame(i);
    }
    return out;
}

const std::string& sics_frame(int i) {
    static std::string s;
    char b[48];
    std::snprintf(b, sizeof b, "S %c %10.2f g\r\n", i % 5 ? 'S' : 'D', 100.0 + i % 9000);
    s = b;
    return s;
}

const std::string& toledo_frame(int i) {
    static std::string s;
    char b[32];
    std::snprintf(b, sizeof b, "\x02%07.3f\r", 1.0 + (i % 5000) / 100.0);
    s = b;
    return s;
}

const std::string& ascii_frame(int i) {
    static std::string s;
    char b[48];
    std::snprintf(b, sizeof b, "%s,GS,+%07.2f  g\r\n", i % 5 ? "ST" : "US", 100.0 + i % 9000);
    s = b;
    return s;
}

AsciiScaleFormat ascii_regex_format() {
    AsciiScaleFormat f;
    f.pattern = R"(^(ST|US|OL),(?:GS|NT),([+-])([0-9. ]{7,8})\s*([a-z]*)$)";
    f.stability.group = 1;
    f.sign.group = 2;
    f.value.group = 3;
    f.unit.group = 4;
    return f;
}

AsciiScaleFormat ascii_column_format() {
    AsciiScaleFormat f;
    f.mode = AsciiScaleFormat::Mode::columns;
    f.stability = {0, 0, 2};
    f.sign = {0, 6, 1};
    f.value = {0, 7, 7};
    f.unit = {0, 14, 3};
    return f;
}

// Runs `parse` over `bytes` until `min_seconds` have passed; frames/s and valid readings seen.
template <class Parse>
Row throughput(const std::string& id, const std::string& what, const std::string& bytes, int frames,
               double min_seconds, Parse parse) {
    long long total = 0;
    long long valid = 0;
    const auto start = Clock::now();
    do {
        valid += parse(bytes);
        total += frames;
    } while (seconds_since(start) < min_seconds);
    const double rate = static_cast<double>(total) / seconds_since(start);
    return {id,
            what,
            std::to_string(total),
            rate_text(rate, "frames"),
            "",
            "",
            std::to_string(valid * 100 / std::max(1LL, total)) + "% valid; " + fixed(1e9 / rate, 0) +
                " ns/frame"};
}

struct Pty {
    int master = -1;
    int slave = -1;
    std::string path;
    Pty() {
        termios raw{};
        ::cfmakeraw(&raw);
        char name[256] = {};
        if (::openpty(&master, &slave, name, &raw, nullptr) != 0) {
            std::perror("openpty");
            std::exit(1);
        }
        path = name;
    }
    ~Pty() {
        ::close(master);
        if (slave >= 0) {
            ::close(slave);
        }
    }
};

void write_all(int fd, const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n <= 0) {
            std::perror("write");
            std::exit(1);
        }
        done += static_cast<size_t>(n);
    }
}

// Floor: the same line through the same kind of pseudo-terminal into a bare Asio descriptor, read until
// its newline, on one thread.
Row latency_floor(int samples) {
    Pty pty;
    boost::asio::io_context io;
    boost::asio::posix::stream_descriptor in(io, ::dup(pty.slave));
    std::vector<double> ms;
    std::array<char, 512> buf{};
    for (int i = 0; i < samples; ++i) {
        const std::string line = ascii_frame(i);
        bool got = false;
        const auto t0 = Clock::now();
        write_all(pty.master, line);
        std::function<void(boost::system::error_code, size_t)> on_read = [&](boost::system::error_code ec,
                                                                             size_t n) {
            if (ec) {
                std::exit(1);
            }
            if (std::memchr(buf.data(), '\n', n) != nullptr) {
                got = true;
                return;
            }
            in.async_read_some(boost::asio::buffer(buf), on_read);
        };
        in.async_read_some(boost::asio::buffer(buf), on_read);
        while (!got) {
            io.run_one();
        }
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        io.restart();
    }
    return {"2f",
            "pty floor: line to bare Asio read",
            std::to_string(samples),
            "",
            ms_text(percentile(ms, 0.5)),
            ms_text(percentile(ms, 0.99)),
            "write on the master, async_read_some on the slave, same thread"};
}

// packd: the line through SerialScale (ascii protocol) to its reading, and on to WeightService's event.
std::vector<Row> latency_packd(int samples) {
    Pty pty;
    boost::asio::io_context io;
    auto codec = AsciiScaleCodec::make(ascii_regex_format());
    SerialScaleTiming timing;
    auto scale = std::make_shared<SerialScale>(io, "bench", SerialLine{pty.path, 9600, 'N', 8, 1, "none"},
                                               make_ascii_protocol(*codec), timing);
    if (auto st = scale->open(); !st) {
        std::cerr << st.error().message << "\n";
        std::exit(1);
    }
    packd::fulfillment::WeightService weights(io, scale, {1, std::chrono::milliseconds(0), 0, false});
    Clock::time_point at_event;
    bool got = false;
    weights.subscribe([&](const WeightReading&) {
        at_event = Clock::now();
        got = true;
    });
    std::vector<double> ms;
    for (int i = 0; i < samples; ++i) {
        got = false;
        const auto t0 = Clock::now();
        write_all(pty.master, ascii_frame(i));
        while (!got) {
            io.run_one();
        }
        ms.push_back(std::chrono::duration<double, std::milli>(at_event - t0).count());
    }
    return {{"2p", "line to reading event (SerialScale + WeightService)", std::to_string(samples), "",
             ms_text(percentile(ms, 0.5)), ms_text(percentile(ms, 0.99)),
             "ascii regex format; event = WeightService subscriber called"}};
}

}  // namespace

int main(int argc, char** argv) {
    const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
    const double seconds = quick ? 0.3 : 2.0;
    const int frames = 10000;
    const int samples = quick ? 300 : 3000;

    utsname u{};
    ::uname(&u);
    std::cout << "cpu:      " << line_of("/proc/cpuinfo", "model name") << " ("
              << ::sysconf(_SC_NPROCESSORS_ONLN) << " online)\n"
              << "kernel:   " << u.sysname << " " << u.release << "\n"
              << "load avg: " << line_of("/proc/loadavg", "") << "\n"
              << "compiler: " << __VERSION__ << "\n\n";

    std::vector<Row> rows;
    const std::string sics = stream_of(sics_frame, frames);
    const std::string toledo = stream_of(toledo_frame, frames);
    const std::string ascii = stream_of(ascii_frame, frames);

    rows.push_back(throughput(
        "1f", "floor: memchr for line ends (MT-SICS bytes)", sics, frames, seconds, [](const std::string& b) {
            long long n = 0;
            for (const char* p = b.data();
                 (p = static_cast<const char*>(
                      std::memchr(p, '\n', static_cast<size_t>(b.data() + b.size() - p)))) != nullptr;
                 ++p) {
                ++n;
            }
            return n;
        }));
    rows.push_back(
        throughput("1a", "MT-SICS: split lines + parse", sics, frames, seconds, [](const std::string& b) {
            LineSplitter lines(kSicsMaxLine);
            long long valid = 0;
            lines.feed(b, [&](packd::Result<std::string> line) {
                valid += parse_sics_line(*line).reading.valid ? 1 : 0;
            });
            return valid;
        }));
    rows.push_back(throughput("1b", "Toledo 8217: split records + parse", toledo, frames, seconds,
                              [](const std::string& b) {
                                  Toledo8217Splitter splitter;
                                  long long valid = 0;
                                  splitter.feed(b, [&](std::string_view r) {
                                      valid += parse_toledo_8217_record(r, WeightUnit::pound).valid ? 1 : 0;
                                  });
                                  return valid;
                              }));
    const auto by_regex = *AsciiScaleCodec::make(ascii_regex_format());
    const auto by_columns = *AsciiScaleCodec::make(ascii_column_format());
    for (const auto* codec : {&by_regex, &by_columns}) {
        const bool regex = codec == &by_regex;
        rows.push_back(
            throughput(regex ? "1c" : "1d",
                       regex ? "ASCII, regex: split lines + parse" : "ASCII, columns: split lines + parse",
                       ascii, frames, seconds, [codec](const std::string& b) {
                           LineSplitter lines(kAsciiMaxLine);
                           long long valid = 0;
                           lines.feed(b, [&](packd::Result<std::string> line) {
                               valid += codec->parse_line(*line).valid ? 1 : 0;
                           });
                           return valid;
                       }));
    }
    std::vector<uint8_t> reports;
    for (int i = 0; i < frames; ++i) {
        const auto w = static_cast<uint16_t>(i % 5000);
        const uint8_t r[6] = {0x03, static_cast<uint8_t>(i % 5 ? 4 : 3), 0x0B,
                              0xFF, static_cast<uint8_t>(w & 0xFF),      static_cast<uint8_t>(w >> 8)};
        reports.insert(reports.end(), r, r + 6);
    }
    rows.push_back(
        throughput("1e", "HID POS: decode 6-byte reports", std::string(reports.begin(), reports.end()),
                   frames, seconds, [](const std::string& b) {
                       long long valid = 0;
                       const auto* p = reinterpret_cast<const uint8_t*>(b.data());
                       for (size_t i = 0; i + 6 <= b.size(); i += 6) {
                           valid += decode_hid_scale_report(std::span(p + i, 6)).reading.valid ? 1 : 0;
                       }
                       return valid;
                   }));
    rows.push_back(latency_floor(samples));
    for (auto& r : latency_packd(samples)) {
        rows.push_back(r);
    }
    print_table(rows);
    return 0;
}
