#include "packd/host/admin_verbs.hpp"

#include <array>

namespace packd::host {
namespace {

// A change of stock or orders may queue messages for the shop; stock that arrived frees held orders; a
// label or reprint is a new job for its printer; confirming or resending an uncertain label writes its
// alert (or none) to the outbox.
constexpr VerbFollowUps kNone{};
constexpr VerbFollowUps kOutbox{.kick_outbox = true};
constexpr VerbFollowUps kStockArrived{.retry_held_orders = true, .kick_outbox = true};
constexpr VerbFollowUps kPrinter{.kick_answer_printer = true};
constexpr VerbFollowUps kPrinterAndOutbox{.kick_answer_printer = true, .kick_outbox = true};

using M = AdminModule;

constexpr std::array kVerbs = {
    AdminVerb{"status", M::daemon, kNone,
              "  status                           daemon, broker, store and device state\n", "status"},
    AdminVerb{"loop", M::daemon, kNone,
              "  loop [reset]                     the event loop's lag and its longest handler (reset: start "
              "again)\n",
              "loop reset"},
    AdminVerb{"orders", M::daemon, kNone, "  orders                           the latest orders\n", "orders"},
    AdminVerb{"release", M::daemon, kPrinterAndOutbox,
              "  release ORDER                    end a hold (a rule's or for stock): reserve again, print\n",
              "release SO-1"},
    AdminVerb{"rules", M::daemon, kNone,
              "  rules                            the merchant rules loaded, with their counts\n", "rules"},
    AdminVerb{"rules_log", M::daemon, kNone,
              "  rules log [RULE] [--limit N]     the latest runs: trigger, condition, actions, outcome\n",
              "rules log hold-high-value"},
    AdminVerb{"rules_test", M::daemon, kNone,
              "  rules test RULE EVENT.json       what RULE would do on the event, changing nothing\n",
              "rules test hold-high-value /dev/null"},
    AdminVerb{
        "order", M::store, kOutbox,
        "  order ID                         one order: lines, reservations, shipments, labels, timeline\n",
        "order SO-1"},
    AdminVerb{
        "find", M::store, kNone,
        "  find TEXT                        the products, locations and orders TEXT names: a SKU (or its\n"
        "                                   start), barcode, location, order id or tracking number\n",
        "find MUG"},
    AdminVerb{
        "stock", M::store, kOutbox,
        "  stock [SKU]                      on hand, reserved and available, per location, lot and expiry\n"
        "  stock --location CODE [SKU]      every SKU in a location, with lot and expiry\n",
        "stock --location A-01"},
    AdminVerb{"movements", M::store, kNone,
              "  movements [--sku S] [--location L] [--limit N]\n"
              "                                   the newest movements of the ledger (50 unless N, at most "
              "500)\n",
              "movements --sku SKU-1 --limit 10"},
    AdminVerb{"adjust", M::store, kStockArrived,
              "  adjust SKU LOCATION DELTA --reason adjust|receive|count|return|transfer [--lot L]\n"
              "         [--expiry YYYY-MM-DD] [--note TEXT]\n",
              "adjust SKU-1 A-01 -2 --reason count"},
    AdminVerb{"verify", M::store, kOutbox,
              "  verify                           check on hand against the ledger and other invariants\n",
              "verify"},
    AdminVerb{"import_stock", M::store, kStockArrived, "  import stock FILE.csv [--mode receive|count]\n",
              "import stock /dev/null --mode count"},
    AdminVerb{"import_products", M::store, kOutbox, "  import products FILE.csv\n",
              "import products /dev/null"},
    AdminVerb{"export_stock", M::store, kOutbox,
              "  export stock [FILE.csv]          (to standard output without FILE)\n", "export stock"},
    AdminVerb{"location_add", M::store, kOutbox,
              "  location add CODE [--kind bin|receiving|packing|returns|quarantine]\n",
              "location add A-01 --kind bin"},
    AdminVerb{"ship", M::store, kOutbox, "  ship ORDER [--carrier C] [--tracking NUMBER] [--weight GRAMS]\n",
              "ship SO-1 --weight 800"},
    AdminVerb{"scale", M::scales, kNone,
              "  scale [NAME]                     live reading, state and stable weight of the scales\n",
              "scale bench"},
    AdminVerb{"scale_zero", M::scales, kNone, "  scale zero|tare NAME             zero or tare a scale\n",
              "scale zero bench"},
    AdminVerb{"scale_tare", M::scales, kNone, "", "scale tare bench"},
    AdminVerb{
        "scan", M::station_desk, kNone,
        "  scan STATION DATA                scan DATA at STATION as its scanner would: what it means and "
        "what\n"
        "                                   the station does with it\n",
        "scan pack1 SO-1"},
    AdminVerb{"station", M::station_desk, kNone,
              "  station [NAME]                   pack stations: open order, items packed, scale, recent "
              "replies\n",
              "station pack1"},
    AdminVerb{"scans", M::station_desk, kNone,
              "  scans [STATION]                  the last scan events of each station (or of one), oldest "
              "first\n",
              "scans"},
    AdminVerb{"reprint", M::store, kPrinterAndOutbox,
              "  reprint ORDER [--kind shipping|return|pick_list]   print the order's label again\n",
              "reprint SO-1 --kind return"},
    AdminVerb{"label_pick_list", M::labels, kPrinter,
              "  label pick-list ORDER... [--station NAME]          print the pick list of one order or a "
              "batch\n",
              "label pick-list SO-1 SO-2"},
    AdminVerb{"label_sscc", M::labels, kPrinter,
              "  label sscc ORDER [--count N] [--station NAME]      print N GS1 logistics (SSCC) labels\n",
              "label sscc SO-1 --count 2"},
    AdminVerb{"label_commands", M::labels, kPrinter,
              "  label commands STATION                             print the command barcodes of the "
              "station's modes\n",
              "label commands pack1"},
    AdminVerb{"label_test", M::labels, kPrinter,
              "  label test PRINTER                                 print a test label (name, dpi, time, a "
              "barcode)\n",
              "label test desk"},
    AdminVerb{"label_preview", M::labels, kNone,
              "  label preview ORDER [--kind K] [--out FILE]        the PNG preview of the order's latest "
              "label of\n"
              "                                                     kind K (shipping by default), to FILE\n"
              "  label preview --job ID [--out FILE]                the PNG preview of one print job\n",
              "label preview SO-1"},
    AdminVerb{"labels_uncertain", M::print_jobs, kOutbox,
              "  labels uncertain                                   labels that may have printed (packd "
              "stopped, or\n"
              "                                                     the printer fell silent, while they "
              "were sent)\n",
              "labels uncertain"},
    AdminVerb{"label_confirm", M::print_jobs, kOutbox,
              "  label confirm JOB | label resend JOB               it printed | it did not: send it again\n",
              "label confirm 7"},
    AdminVerb{"label_resend", M::print_jobs, kPrinterAndOutbox, "", "label resend 7"},
};

}  // namespace

std::span<const AdminVerb> admin_verbs() {
    return kVerbs;
}

std::optional<AdminVerb> find_admin_verb(std::string_view cmd) {
    for (const AdminVerb& v : kVerbs) {
        if (v.cmd == cmd) {
            return v;
        }
    }
    return std::nullopt;
}

std::string admin_verbs_of(AdminModule module) {
    std::string out;
    for (const AdminVerb& v : kVerbs) {
        if (v.module == module) {
            out += (out.empty() ? "" : ", ") + std::string(v.cmd);
        }
    }
    return out;
}

std::string packctl_usage() {
    std::string out =
        "usage: packctl [--socket PATH | --config PATH] [--json] COMMAND [ARGS]\n"
        "commands:\n";
    for (const AdminVerb& v : kVerbs) {
        out += v.usage;
    }
    out +=
        "options:\n"
        "  --socket PATH   admin socket (default /run/packd/packd.sock, or $PACKD_SOCKET)\n"
        "  --config PATH   read the admin socket path from this packd config\n"
        "  --json          print the daemon's answer as JSON\n";
    return out;
}

}  // namespace packd::host
