// The label benchmark: how long packd takes to draw each label template as ZPL (from the template compiled
// for the stock, as an order's label is drawn) and as the PNG preview, to turn a shop-supplied PNG or PDF
// into a ZPL graphic, and from handing a job to a TCP printer until the printer (the loopback emulator of the
// tests) has every byte and has answered the closing ~HS. The floor is one ~HS round trip to the same
// emulator. It prints figures and asserts nothing (docs/PERFORMANCE.md).
//
//   packd_label_bench [--quick]

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bench_report.hpp"
#include "packd/drivers/tcp_zpl_printer.hpp"
#include "packd/drivers/zpl_hqes.hpp"
#include "packd/fulfillment/labels/label_data.hpp"
#include "packd/fulfillment/labels/label_model.hpp"
#include "packd/fulfillment/labels/shipping_label.hpp"
#include "packd/fulfillment/labels/supplied_label.hpp"
#include "source_label_templates.hpp"
#include "zpl_printer_emulator.hpp"

namespace {

using namespace packd;
using namespace packd::fulfillment;
using packd::test::shipping_label;
using Clock = std::chrono::steady_clock;

struct Timing {
    double p50 = 0;
    double p99 = 0;
};

Timing timed(int runs, const std::function<void()>& work) {
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        const auto start = Clock::now();
        work();
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)]};
}

ShippingLabelData sample() {
    ShippingLabelData d;
    d.order_id = "100042";
    d.ship_from = {"Packd Test Site", "", "1 Test Road", "", "Testville", "", "12345", "US"};
    d.ship_to = {"Zoë Ünal", "Müller & Söhne GmbH", "Hauptstraße 1", "Hinterhaus", "Köln", "", "50667", "DE"};
    d.carrier = "DHL";
    d.service = "Paket";
    d.tracking_number = "JJD000123456789012";
    d.weight_grams = 1250;
    d.tracking_url = "https://www.dhl.de/track?id=JJD000123456789012";
    return d;
}

void row(std::vector<bench::Row>& rows, const std::string& id, const std::string& what, int n,
         const Timing& t, const std::string& notes) {
    rows.push_back({id, what, std::to_string(n), "", bench::ms_text(t.p50), bench::ms_text(t.p99), notes});
}

bool run_until(boost::asio::io_context& io, const std::function<bool()>& done) {
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (!done() && Clock::now() < deadline) {
        io.restart();
        io.run_one_for(std::chrono::milliseconds(50));
    }
    return done();
}

}  // namespace

int main(int argc, char** argv) {
    const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
    const int runs = quick ? 20 : 200;
    std::vector<bench::Row> rows;

    int id = 1;
    // Every template (config/labels/) on 4x6 in at both resolutions; the pick list has 20 lines (one page).
    const LabelTemplates& templates = test::source_label_templates();
    PickListData picks{"Order 100042", {"100042"}, {}};
    for (int i = 0; i < 20; ++i) {
        picks.lines.push_back(
            {"100042", "A-" + std::to_string(i), "SKU-" + std::to_string(i), "Tasse Zoë rot", 2});
    }
    const std::vector<std::pair<LabelKind, LabelData>> kinds = {
        {LabelKind::Shipping, label_data(sample())},
        {LabelKind::Return, label_data(ReturnLabelData{"RMA-4711", "100042", sample().ship_to,
                                                       sample().ship_from, "DHL", "JJD000123456789012"})},
        {LabelKind::PickList, label_data(picks)},
        {LabelKind::Sscc, label_data(SsccLabelData{"340123450000000000", "09501101530003", "24", "100042",
                                                   "DHL", sample().ship_from, sample().ship_to, "1 of 1"})}};
    row(rows, std::to_string(id++), "load the four templates", runs,
        timed(runs, [&] { (void)load_label_templates(test::source_label_templates_dir()); }),
        "config/labels/*.toml");
    for (const LabelSize size : {LabelSize::inches(4, 6, 203), LabelSize::inches(4, 6, 300)}) {
        const std::string stock = size.dpi == 203 ? "4x6 in, 203 dpi" : "4x6 in, 300 dpi";
        for (const auto& entry : kinds) {
            const LabelData& data = entry.second;  // a named reference: lambdas below capture it
            const LabelTemplate& tpl = templates.of(entry.first);
            const std::string name = to_string(entry.first);
            // As an order's label: the data filled into the compiled template gives the model and the ZPL.
            row(rows, std::to_string(id++), name + " -> ZPL (compiled template: model + ZPL)", runs,
                timed(runs, [&] { (void)tpl.compiled(size)->draw(data); }), stock);
            row(rows, std::to_string(id++), name + " -> PNG preview (render + PNG)", runs / 4,
                timed(runs / 4, [&] { (void)to_png(render(tpl, data, size)); }), stock);
        }
    }

    const LabelSize stock = LabelSize::inches(4, 6, 203);
    // The parts of the order path around the compiled draw: the generic way from a label model to ZPL (a
    // label built in code, a reprint's preview), and the model as the print job keeps it.
    const Label shipping = shipping_label(sample(), stock);
    row(rows, std::to_string(id++), "shipping label model -> ZPL (to_zpl)", runs,
        timed(runs, [&] { (void)to_zpl(shipping); }), "4x6 in, 203 dpi");
    row(rows, std::to_string(id++), "shipping label model -> bytes kept with the job", runs,
        timed(runs, [&] { (void)serialize_label(shipping); }),
        std::to_string(serialize_label(shipping).size()) + " B");
    const auto png = to_png(shipping);
    row(rows, std::to_string(id++), "supplied PNG -> ZPL ^GF (Z64)", runs / 4,
        timed(runs / 4,
              [&] {
                  (void)supplied_label_to_zpl(SuppliedLabelFormat::Png, *png, LabelSize::inches(4, 6, 300),
                                              1 << 22);
              }),
        "812x1218 PNG onto 4x6 in at 300 dpi");

    // A one-page PDF of a filled box and a few rules, drawn with vector commands.
    std::string content = "0 g\n20 20 248 40 re f\n";
    for (int i = 0; i < 40; ++i) {
        content += std::to_string(30 + i * 6) + " 300 2 80 re f\n";
    }
    std::string pdf = "%PDF-1.4\n";
    std::vector<std::size_t> offsets;
    const std::vector<std::string> objects = {
        "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 288 432] /Contents 4 0 R >>",
        "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream"};
    for (std::size_t i = 0; i < objects.size(); ++i) {
        offsets.push_back(pdf.size());
        pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const std::size_t xref = pdf.size();
    pdf += "xref\n0 5\n0000000000 65535 f \n";
    for (const std::size_t o : offsets) {
        char line[32];
        std::snprintf(line, sizeof line, "%010zu 00000 n \n", o);
        pdf += line;
    }
    pdf += "trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    row(rows, std::to_string(id++), "supplied PDF -> ZPL ^GF (Z64)", runs / 4,
        timed(runs / 4, [&] { (void)supplied_label_to_zpl(SuppliedLabelFormat::Pdf, pdf, stock, 1 << 22); }),
        "4x6 in page onto 4x6 in at 203 dpi");

    // Printer round trips on loopback.
    test::ZplPrinterEmulator emulator;
    boost::asio::io_context io;
    drivers::TcpPrinterSettings settings;
    settings.host = "127.0.0.1";
    settings.port = static_cast<std::uint16_t>(emulator.port());
    settings.poll_interval = std::chrono::milliseconds(5);
    drivers::TcpZplPrinter hs_printer(io, "bench", settings);
    drivers::TcpZplPrinter* current = &hs_printer;
    const std::string zpl = to_zpl(shipping_label(sample(), stock));
    const auto exchange = [&](bool job) {
        drivers::TcpZplPrinter& printer = *current;
        std::optional<Status> outcome;
        const auto done = [&](Status st) { outcome = std::move(st); };
        if (job) {
            printer.print(drivers::PrintJob{"bench", zpl, {}}, done);
        } else {
            printer.query_status(done);
        }
        if (!run_until(io, [&] { return outcome.has_value(); }) || !outcome->ok()) {
            std::fprintf(stderr, "printer exchange failed\n");
            std::exit(1);
        }
    };
    row(rows, std::to_string(id++), "floor: connect + one ~HS round trip", runs,
        timed(runs, [&] { exchange(false); }), "loopback emulator");
    row(rows, std::to_string(id++), "job handed to printer -> printed and confirmed", runs,
        timed(runs, [&] { exchange(true); }),
        "~HS, " + std::to_string(zpl.size()) + " B of ZPL, ~HS with empty buffer");
    // The same with status = "hqes" and "both" (zpl_job.cpp): one more round trip per check for "both".
    settings.query = drivers::ZplStatusQuery::hqes;
    drivers::TcpZplPrinter hqes_printer(io, "bench", settings);
    settings.query = drivers::ZplStatusQuery::both;
    drivers::TcpZplPrinter both_printer(io, "bench", settings);
    current = &hqes_printer;
    row(rows, std::to_string(id++), "floor: connect + one ~HQES round trip", runs,
        timed(runs, [&] { exchange(false); }), "loopback emulator");
    row(rows, std::to_string(id++), "job handed to printer -> printed and confirmed", runs,
        timed(runs, [&] { exchange(true); }), "status = \"hqes\": ~HQES, ZPL, ~HQES");
    current = &both_printer;
    row(rows, std::to_string(id++), "job handed to printer -> printed and confirmed", runs,
        timed(runs, [&] { exchange(true); }), "status = \"both\": ~HS + ~HQES before and after");
    const std::string answer =
        "\x02\r\nPRINTER STATUS\r\n   ERRORS:         1 00000000 00000005\r\n   WARNINGS:       0 00000000 "
        "00000000\r\n\x03\r\n";
    row(rows, std::to_string(id++), "~HQES answer -> operator status (x1000)", runs,
        timed(runs,
              [&] {
                  for (int i = 0; i < 1000; ++i) {
                      drivers::ZplHostStatus status;
                      drivers::merge_hqes(drivers::parse_zpl_hqes(answer).answer, status);
                      (void)drivers::device_status(status);
                  }
              }),
        "the guide's example; per 1000 answers");
    bench::print_table(rows);
    return 0;
}
