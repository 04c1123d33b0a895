#include "fast_path_load.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "test_env.hpp"

namespace packd::bench {

namespace {

// A number no part of the sample contains, put where the id goes and cut out again.
constexpr std::string_view kMarker = "1234567890123";

}  // namespace

std::string bench_order_id(int run, std::size_t index) {
    std::string digits = std::to_string(index);
    return "7" + std::to_string(run) + std::string(11 - std::min<std::size_t>(11, digits.size()), '0') +
           digits;
}

long long bench_order_index(const std::string& id, int run) {
    if (id.size() != 13 || id[0] != '7' || id[1] != static_cast<char>('0' + run)) {
        return -1;
    }
    return std::stoll(id.substr(2));
}

ShopifyOrders::ShopifyOrders(const std::string& sample_path) {
    const std::string text = test::read_file(sample_path);
    auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("line_items")) {
        throw std::runtime_error("cannot read the Shopify sample order " + sample_path);
    }
    const auto marker = std::stoull(std::string(kMarker));
    doc["id"] = marker;
    doc["order_number"] = marker;
    doc["admin_graphql_api_id"] = "gid://shopify/Order/" + std::string(kMarker);
    doc["name"] = "#" + std::string(kMarker);
    for (const auto& line : doc["line_items"]) {
        if (line.value("requires_shipping", true) && !line.value("sku", "").empty()) {
            lines_.emplace_back(line["sku"].get<std::string>(), line.value("quantity", 1));
        }
    }
    const std::string dumped = doc.dump();
    std::size_t from = 0;
    for (std::size_t at; (at = dumped.find(kMarker, from)) != std::string::npos; from = at + kMarker.size()) {
        pieces_.push_back(dumped.substr(from, at - from));
    }
    pieces_.push_back(dumped.substr(from));
    if (pieces_.size() != 5 || lines_.empty()) {
        throw std::runtime_error("the Shopify sample order " + sample_path +
                                 " no longer has the expected fields");
    }
}

std::string ShopifyOrders::body(const std::string& id) const {
    std::string out = pieces_[0];
    for (std::size_t i = 1; i < pieces_.size(); ++i) {
        out += id;
        out += pieces_[i];
    }
    return out;
}

PublishLog publish_paced(Publisher& publisher, const ShopifyOrders& orders, const std::string& topic, int run,
                         std::size_t count, double rate, Clock::time_point deadline) {
    PublishLog log;
    log.sent.resize(count);
    std::vector<std::string> bodies;
    bodies.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        bodies.push_back(orders.body(bench_order_id(run, i)));
    }
    const auto start = Clock::now();
    const auto step = std::chrono::duration<double>(1.0 / rate);
    for (std::size_t i = 0; i < count; ++i) {
        std::this_thread::sleep_until(
            start + std::chrono::duration_cast<Clock::duration>(step * static_cast<double>(i)));
        auto at = publisher.publish(topic, bodies[i], deadline);
        if (!at) {
            break;
        }
        log.sent[i] = *at;
        log.published = i + 1;
    }
    log.first = log.published > 0 ? log.sent.front() : start;
    log.last = log.published > 0 ? log.sent[log.published - 1] : start;
    log.all_acked = publisher.wait_acked(std::max(deadline, Clock::now() + std::chrono::seconds(5)));
    return log;
}

PublishLog publish_flat_out(Publisher& publisher, const ShopifyOrders& orders, const std::string& topic,
                            int run, std::size_t count, Clock::time_point deadline) {
    PublishLog log;
    // Built before the clock starts, so the rate is the broker's and the socket's, not the string building's.
    std::vector<std::string> bodies;
    bodies.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        bodies.push_back(orders.body(bench_order_id(run, i)));
    }
    log.published = publisher.publish_flat_out(
        count, [&](std::size_t) { return topic; }, [&](std::size_t i) { return std::move(bodies[i]); },
        log.sent, deadline);
    log.first = log.published > 0 ? log.sent.front() : Clock::now();
    log.last = log.published > 0 ? log.sent[log.published - 1] : log.first;
    log.all_acked = publisher.wait_acked(std::max(deadline, Clock::now() + std::chrono::seconds(10)));
    return log;
}

Delivery match_labels(const PublishLog& log, int run, std::vector<BenchPrinter::Label> labels) {
    Delivery d;
    // Labels of several printers: the first copy of an order is the one that arrived first.
    std::stable_sort(labels.begin(), labels.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
    std::vector<int> seen(log.published, 0);
    std::vector<double> first_ms(log.published, 0);
    bool any = false;
    for (const auto& label : labels) {
        const long long index = bench_order_index(label.order_id, run);
        if (index < 0 || static_cast<std::size_t>(index) >= log.published) {
            ++d.other_formats;
            continue;
        }
        const auto i = static_cast<std::size_t>(index);
        const double ms = ms_between(log.sent[i], label.at);
        if (seen[i]++ == 0) {
            ++d.labelled;
            d.latency_ms.push_back(ms);
            first_ms[i] = ms;
        } else {
            ++d.extra_labels;
            d.doubled += seen[i] == 2 ? 1U : 0U;
            if (seen[i] == 2 && d.doubled_examples.size() < 3) {
                d.doubled_examples.push_back({label.order_id, first_ms[i], ms, 0});
            }
        }
        d.first_label = any ? std::min(d.first_label, label.at) : label.at;
        d.last_label = any ? std::max(d.last_label, label.at) : label.at;
        any = true;
    }
    d.missing = log.published - d.labelled;
    for (auto& e : d.doubled_examples) {
        e.copies = seen[static_cast<std::size_t>(bench_order_index(e.order_id, run))];
    }
    return d;
}

}  // namespace packd::bench
