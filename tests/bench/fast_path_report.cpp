#include "fast_path_report.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <numeric>

#include "bench_report.hpp"

namespace packd::bench {

namespace {

std::string count_text(std::size_t n) {
    const std::string digits = std::to_string(n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) {
            out += ',';
        }
        out += digits[i];
    }
    return out;
}

std::string seconds_text(double ms) {
    return fixed(ms / 1000.0, ms < 10000 ? 2 : 1) + " s";
}

/// A percentile in ms, or "-" when there are no samples.
std::string pct_text(const std::vector<double>& ms, double p) {
    return ms.empty() ? "-" : ms_text(percentile(ms, p));
}
std::string max_text(const std::vector<double>& ms) {
    return ms.empty() ? "-" : ms_text(max_of(ms));
}

double sum(const std::vector<double>& v) {
    return std::accumulate(v.begin(), v.end(), 0.0);
}

double per_second(double count, double ms) {
    return ms > 0 ? count * 1000.0 / ms : 0;
}

/// packd against its floor: "12.3x floor" for times, "4.5 % of floor" for rates.
std::string times_floor(double packd, double floor) {
    return floor > 0 && packd > 0 ? fixed(packd / floor, packd / floor < 10 ? 1 : 0) + "x floor" : "no ratio";
}
std::string share_of_floor(double packd, double floor) {
    return floor > 0 && packd > 0 ? fixed(100.0 * packd / floor, 1) + " % of floor" : "no ratio";
}

std::string mb(long kb) {
    return fixed(static_cast<double>(kb) / 1024.0, 1) + " MB";
}

std::string loop_text(const PackdPhase& p) {
    if (!p.loop || !p.loop->is_object()) {
        return "n/a (packd reports no status.loop)";
    }
    const auto& l = *p.loop;
    const auto num = [&](const char* k) {
        return l.contains(k) && l[k].is_number() ? fixed(l[k].get<double>(), 2) : "?";
    };
    return "lag max " + num("lag_max_ms") + " ms, p99 " + num("lag_p99_ms") + " ms, longest handler " +
           num("longest_handler_ms") + " ms (" + l.value("longest_handler", std::string("?")) + ")" +
           (p.loop_reset ? "" : "; maxima not reset before the run");
}

double loop_lag_max(const PackdPhase& p) {
    return p.loop && p.loop->is_object() && p.loop->contains("lag_max_ms") &&
                   (*p.loop)["lag_max_ms"].is_number()
               ? (*p.loop)["lag_max_ms"].get<double>()
               : -1;
}

std::string answer_text(const PackdPhase& p) {
    std::vector<double> ms;
    for (const auto& s : p.samples) {
        ms.push_back(s.answer_ms);
    }
    std::string out = ms.empty()
                          ? "no answer"
                          : "p50 " + pct_text(ms, 50) + ", p99 " + pct_text(ms, 99) + ", max " + max_text(ms);
    if (p.unanswered > 0) {
        out += "; " + std::to_string(p.unanswered) + " unanswered within 2 s";
    }
    return out;
}

std::vector<double> store_ms(const PackdPhase& p) {
    std::vector<double> ms;
    for (const auto& s : p.store_samples) {
        ms.push_back(s.answer_ms);
    }
    return ms;
}

std::string store_text(const PackdPhase& p) {
    if (!p.store.ok) {
        return "not read: " + p.store.error;
    }
    return count_text(static_cast<std::size_t>(p.store.orders)) + " orders, " +
           count_text(static_cast<std::size_t>(p.store.inbox)) + " inbox rows not applied, shipping jobs " +
           count_text(static_cast<std::size_t>(p.store.jobs_done)) + " done / " +
           count_text(static_cast<std::size_t>(p.store.jobs_pending)) + " pending for " +
           count_text(static_cast<std::size_t>(p.store.jobs_orders)) + " orders, " +
           std::to_string(p.store.jobs_reprint) + " reprints (counts include the warm-up order)";
}

/// Where the orders without a label were when packd stopped: print jobs still queued, messages stored and not
/// applied, and the rest, which never reached packd's store (still queued at the broker, or lost).
std::string where_missing(const PackdPhase& p) {
    if (!p.store.ok) {
        return "store not read: " + p.store.error;
    }
    const long long missing = static_cast<long long>(p.delivery.missing);
    const long long queued = std::min(missing, p.store.jobs_pending);
    const long long inbox = std::min(missing - queued, p.store.inbox);
    return std::to_string(queued) + " with a print job still pending, " + std::to_string(inbox) +
           " stored and not applied, " + std::to_string(missing - queued - inbox) +
           " not in packd's store (still at the broker, or lost)";
}

/// packd's log lines grouped by what they say (numbers replaced by N), most frequent first, at most six, each
/// with its first line as it was.
std::vector<std::pair<std::string, int>> log_kinds(const std::string& log) {
    std::map<std::string, std::pair<int, std::string>> kinds;
    std::vector<std::string> order;
    std::size_t start = 0;
    while (start < log.size()) {
        std::size_t end = log.find('\n', start);
        end = end == std::string::npos ? log.size() : end;
        const std::string line = log.substr(start, end - start);
        start = end + 1;
        if (line.empty()) {
            continue;
        }
        std::string key;
        for (std::size_t i = 0; i < line.size(); ++i) {
            const bool digit = line[i] >= '0' && line[i] <= '9';
            if (digit && (key.empty() || key.back() != 'N')) {
                key += 'N';
            } else if (!digit) {
                key += line[i];
            }
        }
        auto [it, fresh] = kinds.emplace(key, std::make_pair(0, line));
        if (fresh) {
            order.push_back(key);
        }
        ++it->second.first;
    }
    std::vector<std::pair<std::string, int>> out;
    for (const auto& key : order) {
        const auto& [count, first] = kinds[key];
        out.emplace_back(first.size() > 220 ? first.substr(0, 220) + "..." : first, count);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    if (out.size() > 6) {
        out.resize(6);
    }
    return out;
}

std::string verdict(bool measured, bool met) {
    return !measured ? "n/a" : met ? "met" : "MISSED";
}

void print_phase_facts(const PackdPhase& p) {
    std::cout << "  " << p.name << " run:\n";
    if (!p.failure.empty()) {
        std::cout << "    note:           " << p.failure << "\n";
    }
    std::cout << "    loop:           " << loop_text(p) << "\n"
              << "    status answers: " << answer_text(p) << " (" << p.samples.size()
              << " answered; a blocked loop answers late)\n"
              << (p.store_samples.empty()
                      ? std::string()
                      : "    store counts:   " + std::to_string(p.store_samples.size()) +
                            " samples on a read-only connection, p99 " + pct_text(store_ms(p), 99) + "\n")
              << "    memory:         VmRSS max " << mb(p.peak.rss_kb) << ", VmHWM " << mb(p.peak.hwm_kb)
              << (p.at_start ? " (VmRSS " + mb(p.at_start->rss_kb) + " before the first order)"
                             : std::string())
              << "\n";
    const long long applied = applied_by_last(p);
    std::cout << "    cpu:            " << fixed(p.cpu_ms, 0) << " ms user+system over "
              << seconds_text(p.waited_ms) << ", "
              << (applied > 0
                      ? fixed(p.cpu_ms / static_cast<double>(applied), 3) + " ms per applied order (" +
                            count_text(static_cast<std::size_t>(applied)) + ")"
                      : std::string("no order applied"))
              << "\n"
              << "    store after:    " << store_text(p) << "\n    printers:       ";
    for (std::size_t i = 0; i < p.labels_per_printer.size(); ++i) {
        std::cout << (i > 0 ? ", " : "") << "zebra" << i + 1 << " " << count_text(p.labels_per_printer[i])
                  << " formats / " << p.status_checks_per_printer[i] << " ~HS";
    }
    std::cout << " (labels go to " << p.labels_printer << "; a label format is " << p.label_bytes
              << " bytes)\n"
              << "    packd exit:     "
              << (p.exit_code
                      ? (*p.exit_code == 128 + 9 ? std::string("killed (SIGTERM did not end it)")
                                                 : "exited with status " + std::to_string(*p.exit_code))
                      : std::string("unknown"))
              << ", " << seconds_text(p.stop_ms) << " after SIGTERM"
              << ", log " << p.log_bytes << " bytes (level warning)\n";
    if (p.all_doubled > 0) {
        std::cout << "    doubled:        " << p.all_doubled << " orders on two or more formats";
        for (const auto& e : p.delivery.doubled_examples) {
            std::cout << "; " << e.order_id << ": " << e.copies << " copies, the first at +"
                      << ms_text(e.first_ms) << ", the second at +" << ms_text(e.again_ms);
        }
        std::cout << "\n";
    }
    for (const auto& [kind, count] : log_kinds(p.packd_log)) {
        std::cout << "    log, " << count << "x: " << kind << "\n";
    }
}

}  // namespace

void print_report(const Sizes& sizes, const BrokerSettings& broker, const Floors& floors,
                  const PackdPhase& paced, const PackdPhase& burst, bool quick) {
    const auto& b = floors.broker;
    const auto& fw = floors.forwarder;
    const double fw_p50 = percentile(fw.paced.latency_ms, 50);
    const double fw_p99 = percentile(fw.paced.latency_ms, 99);
    const double broker_flat = per_second(static_cast<double>(b.flat_received), b.flat_ms);
    const double fw_flat =
        per_second(static_cast<double>(fw.flat.labelled), ms_between(fw.flat_log.first, fw.flat.last_label));
    const std::string rate = fixed(sizes.rate, 0) + "/s";

    std::vector<Row> rows;
    rows.push_back(
        {"F1", "broker: QoS 1 publish -> second client, one at a time", count_text(b.round_trip_ms.size()),
         rate_text(per_second(static_cast<double>(b.round_trip_ms.size()), sum(b.round_trip_ms)), "msgs"),
         pct_text(b.round_trip_ms, 50), pct_text(b.round_trip_ms, 99),
         "max " + max_text(b.round_trip_ms) +
             (b.round_trip_missing > 0 ? ", " + std::to_string(b.round_trip_missing) + " MISSING" : "")});
    rows.push_back(
        {"F2", "broker: the same, flat out", count_text(b.flat_sent), rate_text(broker_flat, "msgs"), "-",
         "-",
         count_text(b.flat_received) + " received, first publish to last receipt " + seconds_text(b.flat_ms) +
             "; mosquitto CPU " +
             fixed(b.flat_received > 0 ? 1000.0 * b.broker_cpu_ms / static_cast<double>(b.flat_received) : 0,
                   1) +
             " us/msg"});
    rows.push_back(
        {"F3", "durable SQLite commit, one small insert", count_text(floors.commit.commit_ms.size()),
         rate_text(
             per_second(static_cast<double>(floors.commit.commit_ms.size()), sum(floors.commit.commit_ms)),
             "commits"),
         pct_text(floors.commit.commit_ms, 50), pct_text(floors.commit.commit_ms, 99),
         floors.commit.error.empty() ? "WAL, synchronous=FULL, max " + max_text(floors.commit.commit_ms)
                                     : "ERROR " + floors.commit.error});
    rows.push_back({"F4", "forwarder: publish -> bytes at printer, " + rate, count_text(fw.paced.labelled),
                    "-", ms_text(fw_p50), ms_text(fw_p99),
                    "max " + max_text(fw.paced.latency_ms) + ", " + std::to_string(fw.paced.missing) +
                        " without a format"});
    rows.push_back({"F5", "forwarder: flat out", count_text(fw.flat_log.published),
                    rate_text(fw_flat, "labels"), pct_text(fw.flat.latency_ms, 50),
                    pct_text(fw.flat.latency_ms, 99),
                    std::to_string(fw.flat.missing) + " without a format" +
                        (fw.flat_complete ? "" : " (gave up waiting)")});

    const auto& d = paced.delivery;
    const double p50 = percentile(d.latency_ms, 50);
    const double p99 = percentile(d.latency_ms, 99);
    rows.push_back(
        {"P1", "packd: publish -> last label byte, " + rate,
         count_text(d.labelled) + "/" + count_text(paced.log.published),
         rate_text(per_second(static_cast<double>(d.labelled), ms_between(paced.log.first, d.last_label)),
                   "labels"),
         pct_text(d.latency_ms, 50), pct_text(d.latency_ms, 99),
         "max " + max_text(d.latency_ms) + ", " + std::to_string(d.missing) + " without a label, " +
             std::to_string(d.doubled) + " doubled" +
             (paced.complete ? std::string()
                             : " (gave up waiting " + seconds_text(paced.waited_ms) +
                                   " after the first publish, counted until packd had stopped at +" +
                                   seconds_text(paced.stopped_ms) + ")") +
             "; p50 " + times_floor(p50, fw_p50) + " F4, p99 " + times_floor(p99, fw_p99)});

    const bool counters = has_intake_counters(burst);
    const std::string source =
        counters ? "status.intake" : "the store's orders + inbox rows (packd reports no status.intake)";
    const auto stored_at = stored_all_at(burst);
    const auto applied_at = applied_all_at(burst);
    const double accepted = stored_at ? per_second(static_cast<double>(burst.log.published),
                                                   ms_between(burst.log.first, *stored_at))
                                      : 0;
    const double applied = applied_at ? per_second(static_cast<double>(burst.log.published),
                                                   ms_between(burst.log.first, *applied_at))
                                      : 0;
    const auto partial = [&](long long reached) {
        const double ms = ms_between(burst.log.first, last_sample_at(burst));
        return count_text(static_cast<std::size_t>(std::max(0LL, reached))) + " of " +
               count_text(burst.log.published) + " by the last sample, " + seconds_text(ms) +
               " after the first publish (" +
               rate_text(per_second(static_cast<double>(reached), ms), "orders") + " on average)";
    };
    const std::string publish_note =
        "published in " + seconds_text(ms_between(burst.log.first, burst.log.last));
    rows.push_back({"P2", "packd burst: accepted durably (stored, acked)", count_text(burst.log.published),
                    stored_at ? rate_text(accepted, "orders") : "not reached", "-", "-",
                    (stored_at ? "all after " + seconds_text(ms_between(burst.log.first, *stored_at))
                               : partial(stored_by_last(burst))) +
                        "; " + publish_note + "; " + share_of_floor(accepted, broker_flat) + " F2; from " +
                        source});
    rows.push_back({"P3", "packd burst: applied (order, stock, label queued)",
                    count_text(burst.log.published),
                    applied_at ? rate_text(applied, "orders") : "not reached", "-", "-",
                    applied_at ? "all after " + seconds_text(ms_between(burst.log.first, *applied_at))
                               : partial(applied_by_last(burst))});
    const auto& bd = burst.delivery;
    const double labels_ms = ms_between(burst.log.first, bd.last_label);
    rows.push_back(
        {"P4", "packd burst: labels at the printer",
         count_text(bd.labelled) + "/" + count_text(burst.log.published),
         rate_text(per_second(static_cast<double>(bd.labelled), labels_ms), "labels"),
         pct_text(bd.latency_ms, 50), pct_text(bd.latency_ms, 99),
         (burst.complete ? "every label after " + seconds_text(labels_ms)
                         : "NOT all: gave up waiting after " + seconds_text(burst.waited_ms) +
                               ", counted until packd had stopped at +" + seconds_text(burst.stopped_ms)) +
             "; " + std::to_string(bd.doubled) + " doubled; " +
             share_of_floor(per_second(static_cast<double>(bd.labelled), labels_ms), fw_flat) + " F5"});
    if (bd.missing > 0) {
        rows.push_back({"P5", "packd burst: orders without a label when it stopped", count_text(bd.missing),
                        "", "", "", where_missing(burst)});
    }
    if (d.missing > 0) {
        rows.push_back({"P1'", "packd " + rate + ": orders without a label when it stopped",
                        count_text(d.missing), "", "", "", where_missing(paced)});
    }

    std::cout << "\n";
    print_table(rows);
    std::cout << "\n  F: the floor, same run, same machine; P: the real packd\n"
              << "  broker: max_queued_messages " << broker.max_queued_messages << ", max_inflight_messages "
              << broker.max_inflight_messages << ", set_tcp_nodelay "
              << (broker.tcp_nodelay ? "true" : "false") << "; load generator window "
              << count_text(sizes.window) << " QoS 1 messages\n"
              << "  packd: " << sizes.stations
              << " stations, one TCP printer each (status = \"hs\"), shipping labels to "
              << paced.labels_printer << " ([labels] printer: today one printer gets every order's label)\n";
    print_phase_facts(paced);
    print_phase_facts(burst);

    const bool paced_ran = paced.log.published > 0;  // with no label at all the aims are missed, not unknown
    const bool lost_none = burst.log.published > 0 && bd.missing == 0 && d.missing == 0;
    const bool doubled_none = paced.all_doubled == 0 && burst.all_doubled == 0;
    const double lag = std::max(loop_lag_max(paced), loop_lag_max(burst));
    const long rss = std::max(paced.peak.hwm_kb, burst.peak.hwm_kb);
    std::vector<Row> aims;
    aims.push_back({"A1", "p50 at " + rate + " <= 0.6 ms", "", pct_text(d.latency_ms, 50), "", "",
                    verdict(paced_ran, d.labelled > 0 && p50 <= 0.6 && d.missing == 0)});
    aims.push_back({"A2", "p99 at " + rate + " <= 1.5 ms", "", pct_text(d.latency_ms, 99), "", "",
                    verdict(paced_ran, d.labelled > 0 && p99 <= 1.5 && d.missing == 0)});
    aims.push_back({"A3", "burst accepted durably >= 20,000 orders/s", "",
                    stored_at ? rate_text(accepted, "orders") : "not reached", "", "",
                    verdict(burst.log.published > 0, stored_at && accepted >= 20000)});
    aims.push_back({"A4", "none lost, none doubled", "",
                    std::to_string(bd.missing + d.missing) + " / " +
                        std::to_string(paced.all_doubled + burst.all_doubled),
                    "", "",
                    !doubled_none                      ? "MISSED"
                    : paced.complete && burst.complete ? verdict(burst.log.published > 0, lost_none)
                                                       : "unknown: gave up waiting (P5)"});
    aims.push_back({"A5", "every label printed once afterwards", "", burst.complete ? "yes" : "no", "", "",
                    verdict(burst.log.published > 0, burst.complete && doubled_none)});
    aims.push_back({"A6", "loop worst lag <= 5 ms", "", lag >= 0 ? ms_text(lag) : "n/a", "", "",
                    verdict(lag >= 0, lag <= 5)});
    aims.push_back({"A7", "RSS < 16 MB (VmHWM)", "", mb(rss), "", "", verdict(rss > 0, rss < 16 * 1024)});
    std::cout << "\n";
    print_table(aims);

    std::cout << "\n  summary" << (quick ? " (--quick)" : "") << ": packd at " << rate
              << ": publish -> label p50 " << pct_text(d.latency_ms, 50) << " / p99 "
              << pct_text(d.latency_ms, 99)
              << (d.missing > 0 ? " over the " + count_text(d.labelled) + " of " +
                                      count_text(paced.log.published) + " orders labelled in time"
                                : std::string())
              << " (forwarder floor " << ms_text(fw_p50) << " / " << ms_text(fw_p99) << ": "
              << times_floor(p50, fw_p50) << " / " << times_floor(p99, fw_p99) << "); burst of "
              << count_text(burst.log.published) << ": accepted "
              << (stored_at ? rate_text(accepted, "orders") : std::string("not all")) << " (broker floor "
              << rate_text(broker_flat, "msgs") << "), labels "
              << rate_text(per_second(static_cast<double>(bd.labelled), labels_ms), "labels")
              << " (forwarder floor " << rate_text(fw_flat, "labels") << "), "
              << (burst.complete ? std::to_string(bd.missing) + " lost"
                                 : std::to_string(bd.missing) + " without a label when it gave up after " +
                                       seconds_text(burst.waited_ms))
              << ", " << bd.doubled << " doubled; loop lag " << (lag >= 0 ? ms_text(lag) : "n/a")
              << "; VmHWM " << mb(rss) << "\n";
}

}  // namespace packd::bench
