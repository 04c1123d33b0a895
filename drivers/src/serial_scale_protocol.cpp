#include "packd/drivers/serial_scale_protocol.hpp"

#include "packd/drivers/line_feed.hpp"
#include "packd/drivers/mt_sics_codec.hpp"
#include "packd/drivers/toledo_8217_codec.hpp"

namespace packd::drivers {
namespace {

std::string grams_text(int64_t mg) {
    const int64_t magnitude = mg < 0 ? -mg : mg;
    return std::string(mg < 0 ? "-" : "") + std::to_string(magnitude / 1000) + "." +
           std::to_string(magnitude % 1000 / 100) + " g";
}

class MtSicsProtocol final : public SerialScaleProtocol {
  public:
    const char* name() const override { return "mt-sics"; }
    std::string poll_request() const override { return encode_sics(SicsCommand::weigh_immediate); }
    Result<std::string> zero_request() const override { return encode_sics(SicsCommand::zero); }
    Result<std::string> tare_request() const override { return encode_sics(SicsCommand::tare); }

    void feed(std::string_view bytes, const ReadingSink& reading, const NoticeSink& notice) override {
        lines_.feed(bytes, [&](Result<std::string> line) {
            if (!line) {
                ++noise_;
                return;
            }
            const SicsResponse r = parse_sics_line(*line);
            using Kind = SicsResponse::Kind;
            if (r.kind == Kind::unrecognised) {
                ++noise_;
                return;
            }
            if (r.command == "S" || r.command == "SI" || r.kind == Kind::error) {
                reading(r.reading);
                return;
            }
            if (r.kind == Kind::zero_done) {
                notice("zeroed");
            } else if (r.kind == Kind::tare_done) {
                notice("tare taken: " + grams_text(r.reading.milligrams));
            } else if (r.kind == Kind::tare_value) {
                notice("tare stored: " + grams_text(r.reading.milligrams));
            } else {
                notice(r.command + " refused: " + r.reading.reason);
            }
        });
    }
    void reset() override { lines_ = LineSplitter(kSicsMaxLine); }
    size_t noise() const override { return noise_; }

  private:
    LineSplitter lines_{kSicsMaxLine};
    size_t noise_ = 0;
};

class Toledo8217Protocol final : public SerialScaleProtocol {
  public:
    explicit Toledo8217Protocol(WeightUnit unit) : unit_(unit) {}
    const char* name() const override { return "toledo-8217"; }
    std::string poll_request() const override { return kToledoWeigh; }
    Result<std::string> zero_request() const override { return std::string(kToledoZero); }
    Result<std::string> tare_request() const override {
        // The demand protocol has no tare (Transcell PC-150, B.1.4.1 lists W, H and Z only).
        return fail("a Toledo 8217 scale takes no tare command: tare it on its keypad");
    }
    void feed(std::string_view bytes, const ReadingSink& reading, const NoticeSink&) override {
        splitter_.feed(bytes,
                       [&](std::string_view record) { reading(parse_toledo_8217_record(record, unit_)); });
    }
    void reset() override {
        const size_t noise = splitter_.noise_bytes() + noise_;
        splitter_ = Toledo8217Splitter();
        noise_ = noise;
    }
    size_t noise() const override { return noise_ + splitter_.noise_bytes(); }

  private:
    WeightUnit unit_;
    Toledo8217Splitter splitter_;
    size_t noise_ = 0;
};

class AsciiProtocol final : public SerialScaleProtocol {
  public:
    explicit AsciiProtocol(AsciiScaleCodec codec) : codec_(std::move(codec)) {}
    const char* name() const override { return "ascii"; }
    std::string poll_request() const override { return {}; }
    Result<std::string> zero_request() const override {
        return fail("a continuous-output scale takes no commands from packd: zero it on its keypad");
    }
    Result<std::string> tare_request() const override {
        return fail("a continuous-output scale takes no commands from packd: tare it on its keypad");
    }
    void feed(std::string_view bytes, const ReadingSink& reading, const NoticeSink&) override {
        lines_.feed(bytes, [&](Result<std::string> line) {
            if (!line) {
                ++noise_;
                return;
            }
            if (line->empty()) {
                return;  // blank lines between readings (some indicators send CR LF CR LF)
            }
            reading(codec_.parse_line(*line));
        });
    }
    void reset() override { lines_ = LineSplitter(kAsciiMaxLine); }
    size_t noise() const override { return noise_; }

  private:
    AsciiScaleCodec codec_;
    LineSplitter lines_{kAsciiMaxLine};
    size_t noise_ = 0;
};

}  // namespace

std::unique_ptr<SerialScaleProtocol> make_mt_sics_protocol() {
    return std::make_unique<MtSicsProtocol>();
}

std::unique_ptr<SerialScaleProtocol> make_toledo_8217_protocol(WeightUnit unit) {
    return std::make_unique<Toledo8217Protocol>(unit);
}

std::unique_ptr<SerialScaleProtocol> make_ascii_protocol(AsciiScaleCodec codec) {
    return std::make_unique<AsciiProtocol>(std::move(codec));
}

}  // namespace packd::drivers
