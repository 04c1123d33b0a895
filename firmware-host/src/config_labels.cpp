// [labels], [inventory], [import] and [scanning]: how labels are routed, stock kept, supplier files read and
// scans understood.

#include "config_reader.hpp"

namespace packd::host::config_detail {

void read_label_routes(const toml::table* table, const std::string& path,
                       std::map<std::string, std::string>& out, Problems& problems) {
    if (table == nullptr) {
        return;
    }
    TableReader r(table, path, line_of(*table), problems);
    for (const char* kind : {"shipping", "return", "pick_list", "sscc"}) {
        std::string printer;
        r.text(kind, printer, false);
        if (!printer.empty()) {
            out[kind] = printer;
        }
    }
    r.finish();
}

void read_scanning(const toml::table& root, ScanningConfig& s, Problems& problems) {
    TableReader r(section(root, "scanning", problems), "scanning", 1, problems);
    r.text("image_decoder", s.image_decoder, false, optional_absolute_path);
    r.integer("image_decoders", s.image_decoders, 1, 16);
    r.integer("image_queue", s.image_queue, 1, 1000);
    r.integer("image_timeout_ms", s.image_timeout_ms, 1000, 120000);
    r.text("order_prefix", s.order_prefix, false, scan_word);
    r.text("tote_prefix", s.tote_prefix, false, scan_word);
    r.text("rma_prefix", s.rma_prefix, false, scan_word);
    r.text("badge_prefix", s.badge_prefix, false, scan_word);
    r.words("commands", s.commands, scan_word);
    // A prefix that starts another would make every code of the longer one ambiguous.
    const std::pair<const char*, const std::string*> prefixes[] = {{"order_prefix", &s.order_prefix},
                                                                   {"tote_prefix", &s.tote_prefix},
                                                                   {"rma_prefix", &s.rma_prefix},
                                                                   {"badge_prefix", &s.badge_prefix}};
    for (const auto& [key, value] : prefixes) {
        for (const auto& [other_key, other] : prefixes) {
            if (key != other_key && other->rfind(*value, 0) == 0) {
                problems.add(r.line(), std::string("scanning.") + key,
                             "expected a prefix that does not start " + std::string(other_key) + " (\"" +
                                 *other + "\"), found \"" + *value + "\"");
            }
        }
    }
    r.finish();
}

void read_labels(const toml::table& root, ReloadableSections& dev, Problems& problems) {
    {
        TableReader r(section(root, "labels", problems), "labels", 1, problems);
        r.text("printer", dev.labels.printer, false);
        r.text("size", dev.labels.size, false, [](const std::string& v) {
            return one_of(v, {"4x6in", "100x150mm"});
        });
        r.text("templates", dev.labels.templates, false, optional_absolute_path);
        read_label_routes(r.table("routes"), "labels.routes", dev.labels.routes, problems);
        r.finish();
    }
    {
        TableReader r(section(root, "inventory", problems), "inventory", 1, problems);
        r.boolean("allow_oversell", dev.inventory.allow_oversell);
        r.finish();
    }
    {
        TableReader r(section(root, "import", problems), "import", 1, problems);
        const auto column = [](const std::string& v) {
            return !v.empty() && v.size() <= 64 ? "" : "a column name of 1 to 64 characters";
        };
        r.text("sku", dev.import.sku, false, column);
        r.text("quantity", dev.import.quantity, false, column);
        r.text("location", dev.import.location, false, column);
        r.text("lot", dev.import.lot, false, column);
        r.text("expiry", dev.import.expiry, false, column);
        r.text("delimiter", dev.import.delimiter, false, [](const std::string& v) {
            return one_of(v, {",", ";", "\t", "|"});
        });
        r.finish();
    }
}

}  // namespace packd::host::config_detail
