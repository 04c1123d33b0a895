// packd_zpl_printer_sim: the ZPL printer emulator as a process of its own, for tests that are not C++ (the
// browser tests drive it from Node). It listens on 127.0.0.1, says "port N" once it does, and takes one
// command per line on standard input, answering one line each; the end of standard input ends it, so it
// never outlives the test that started it.

#include <cstdlib>
#include <exception>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include "zpl_printer_emulator.hpp"

namespace {

using packd::test::ZplPrinterEmulator;

const std::map<std::string, ZplPrinterEmulator::Fault>& fault_words() {
    static const std::map<std::string, ZplPrinterEmulator::Fault> words{
        {"none", ZplPrinterEmulator::Fault::none},
        {"paper_out", ZplPrinterEmulator::Fault::paper_out},
        {"head_open", ZplPrinterEmulator::Fault::head_open},
        {"ribbon_out", ZplPrinterEmulator::Fault::ribbon_out},
        {"paused", ZplPrinterEmulator::Fault::paused},
    };
    return words;
}

/// One command line to its answer line; `quit` is set by the command that ends the process.
std::string answer(ZplPrinterEmulator& printer, const std::string& line, bool& quit) {
    std::istringstream words(line);
    std::string verb;
    std::string arg;
    std::string extra;
    words >> verb >> arg >> extra;
    if (!extra.empty()) {
        return "error too many words: " + line;
    }
    if (verb == "fault") {
        const auto it = fault_words().find(arg);
        if (it == fault_words().end()) {
            return "error expected fault paper_out|head_open|ribbon_out|paused|none, found: " + line;
        }
        printer.set_fault(it->second);
        return "ok fault " + arg;
    }
    if (verb == "online") {
        if (arg != "0" && arg != "1") {
            return "error expected online 0|1, found: " + line;
        }
        printer.set_online(arg == "1");
        return "ok online " + arg;
    }
    if (verb == "printed" && arg.empty()) {
        return "printed " + std::to_string(printer.printed().size());
    }
    if (verb == "quit" && arg.empty()) {
        quit = true;
        return "ok quit";
    }
    return "error unknown command (fault KIND, online 0|1, printed, quit): " + line;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 2) {
        std::cerr << "usage: " << argv[0] << " [PORT]  (0 or none: a free port)\n";
        return 2;
    }
    int port = 0;
    if (argc == 2) {
        char* end = nullptr;
        const long value = std::strtol(argv[1], &end, 10);
        if (end == argv[1] || *end != '\0' || value < 0 || value > 65535) {
            std::cerr << argv[0] << ": expected a port from 0 to 65535, found \"" << argv[1] << "\"\n";
            return 2;
        }
        port = static_cast<int>(value);
    }
    try {
        ZplPrinterEmulator printer(port);
        std::cout << "port " << printer.port() << std::endl;
        std::string line;
        bool quit = false;
        while (!quit && std::getline(std::cin, line)) {
            if (!line.empty() && line.back() == '\r') {
                line.pop_back();
            }
            if (line.empty()) {
                continue;
            }
            std::cout << answer(printer, line, quit) << std::endl;
        }
    } catch (const std::exception& e) {
        std::cerr << argv[0] << ": " << e.what() << "\n";
        return 1;
    }
    return 0;
}
