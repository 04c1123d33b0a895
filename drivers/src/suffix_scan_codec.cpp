#include "packd/drivers/suffix_scan_codec.hpp"

namespace packd::drivers {

const char* to_string(ScanSuffix suffix) {
    switch (suffix) {
        case ScanSuffix::cr:
            return "cr";
        case ScanSuffix::lf:
            return "lf";
        case ScanSuffix::crlf:
            return "crlf";
        case ScanSuffix::tab:
            return "tab";
    }
    return "cr";
}

Result<ScanSuffix> parse_scan_suffix(std::string_view name) {
    for (const ScanSuffix s : {ScanSuffix::cr, ScanSuffix::lf, ScanSuffix::crlf, ScanSuffix::tab}) {
        if (name == to_string(s)) {
            return s;
        }
    }
    return fail("unknown scan suffix '" + std::string(name) + "' (cr, lf, crlf or tab)");
}

void SuffixScanCodec::feed(std::string_view bytes, const std::function<void(Result<std::string>)>& emit) {
    for (const char c : bytes) {
        const bool was_after_cr = after_cr_;
        after_cr_ = false;
        bool ends = false;
        switch (suffix_) {
            case ScanSuffix::cr:
            case ScanSuffix::crlf:
                // CR ends the scan in both; the LF of CR LF is then dropped.
                if (c == '\n' && was_after_cr) {
                    continue;
                }
                ends = c == '\r';
                after_cr_ = ends;
                break;
            case ScanSuffix::lf:
                ends = c == '\n';
                break;
            case ScanSuffix::tab:
                ends = c == '\t';
                break;
        }
        if (ends) {
            if (overlong_) {
                emit(fail("scan longer than " + std::to_string(max_length_) + " bytes, discarded"));
            } else {
                if (suffix_ == ScanSuffix::lf && !partial_.empty() && partial_.back() == '\r') {
                    partial_.pop_back();
                }
                if (!partial_.empty()) {
                    emit(std::move(partial_));
                }
            }
            partial_.clear();
            overlong_ = false;
            continue;
        }
        if (overlong_) {
            continue;
        }
        if (partial_.size() >= max_length_) {
            overlong_ = true;
            partial_.clear();
            continue;
        }
        partial_ += c;
    }
}

void SuffixScanCodec::abandon(const std::string& reason,
                              const std::function<void(Result<std::string>)>& emit) {
    const bool had = !partial_.empty() || overlong_;
    partial_.clear();
    overlong_ = false;
    after_cr_ = false;
    if (had) {
        emit(fail("scan cut short: " + reason));
    }
}

}  // namespace packd::drivers
