#include "packer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <map>
#include <thread>

#include "packd/host/admin_client.hpp"

namespace packd::soak {

using namespace std::chrono_literals;

namespace {
/// An order that has not shipped after this long at the station is put aside.
constexpr auto kMostPerOrder = 60s;

const SoakProduct* product(const std::string& sku) {
    for (const auto& p : soak_products()) {
        if (p.sku == sku) {
            return &p;
        }
    }
    return nullptr;
}
}  // namespace

Packer::Packer(Site& site) : site_(site), store_(site.store_path()) {}

void Packer::add(int PackerCounts::*counter) {
    std::lock_guard lock(mutex_);
    ++(counts_.*counter);
}

PackerCounts Packer::counts() const {
    std::lock_guard lock(mutex_);
    return counts_;
}

void Packer::run(const std::atomic<bool>& stop) {
    while (!stop) {
        const std::string order = next_order();
        if (order.empty()) {
            std::this_thread::sleep_for(200ms);
            continue;
        }
        pack(order);
    }
}

std::string Packer::next_order() {
    // The order open at the station first (a restart keeps it), else the oldest accepted one whose every SKU
    // has a barcode to scan.
    auto open = store_.rows("SELECT order_id FROM station_sessions WHERE station = ?", {Site::kStation});
    if (open && !open->empty()) {
        return open->front().front();
    }
    auto next = store_.rows(
        "SELECT id FROM orders WHERE state = 'accepted' AND id LIKE 'SK%' AND NOT EXISTS (SELECT 1 FROM "
        "order_lines l WHERE l.order_id = orders.id AND l.sku NOT IN ('MUG-RED', 'TEE-BLK-L')) "
        "ORDER BY created_at, id LIMIT 1");
    return next && !next->empty() ? next->front().front() : std::string();
}

void Packer::pack(const std::string& order_id) {
    const auto deadline = std::chrono::steady_clock::now() + kMostPerOrder;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!step(order_id)) {
            return;
        }
    }
    add(&PackerCounts::put_aside);
    scan("CANCEL");
}

bool Packer::step(const std::string& order_id) {
    auto state = store_.rows("SELECT state FROM orders WHERE id = ?", {order_id});
    auto session =
        store_.rows("SELECT order_id, state FROM station_sessions WHERE station = ?", {Site::kStation});
    if (!state || !session || state->empty()) {
        std::this_thread::sleep_for(200ms);  // packd restarting
        return true;
    }
    const std::string order_state = state->front().front();
    const bool open = !session->empty() && session->front()[0] == order_id;
    if (order_state == "shipped") {
        add(&PackerCounts::shipped);
        return false;
    }
    if (order_state != "accepted" && order_state != "picking" && order_state != "packed") {
        // Cancelled by the shop while it was at the station: the packer puts it aside.
        if (open) {
            scan("CANCEL");
        }
        add(&PackerCounts::put_aside);
        return false;
    }
    if (!open) {
        if (!session->empty()) {
            scan("CANCEL");  // another order was left open: put it aside
        }
        scan("ORD-" + order_id);
        return true;
    }
    auto lines =
        store_.rows("SELECT sku, sum(quantity) FROM order_lines WHERE order_id = ? GROUP BY sku", {order_id});
    auto packed = store_.rows("SELECT sku, sum(quantity) FROM station_items WHERE station = ? GROUP BY sku",
                              {Site::kStation});
    if (!lines || !packed) {
        std::this_thread::sleep_for(200ms);
        return true;
    }
    std::map<std::string, int> in_parcel;
    for (const auto& row : *packed) {
        in_parcel[row[0]] = std::stoi(row[1]);
    }
    int grams = 0;
    for (const auto& row : *lines) {
        const SoakProduct* p = product(row[0]);
        const int wanted = std::stoi(row[1]);
        if (p == nullptr || p->barcode.empty()) {
            add(&PackerCounts::put_aside);
            scan("CANCEL");
            return false;
        }
        if (in_parcel[row[0]] < wanted) {
            scan(p->barcode);
            return true;
        }
        grams += wanted * p->unit_weight_g;
    }
    // Every item is in: the parcel goes on the scale, DONE, and the station ships it with the stable weight.
    weigh(grams);
    scan("DONE");
    weigh(grams);
    for (int i = 0; i < 40; ++i) {
        std::this_thread::sleep_for(100ms);
        auto now = store_.rows("SELECT state FROM orders WHERE id = ?", {order_id});
        if (now && !now->empty() && now->front().front() == "shipped") {
            break;
        }
    }
    return true;
}

void Packer::scan(const std::string& data) {
    add(&PackerCounts::scans);
    // The answer does not matter: the next step reads the store. A packd that is down answers nothing, and
    // the packer waits a moment rather than asking again at once.
    const auto answer = host::admin_request(
        site_.admin_socket(), {{"cmd", "scan"}, {"station", Site::kStation}, {"data", data}}, 5s);
    if (!answer) {
        std::this_thread::sleep_for(100ms);
    }
}

void Packer::weigh(int grams) {
    // A settled parcel: the same reading three times (the sim scale's stable-weight rule).
    const int fd = ::open(site_.scale_fifo().c_str(), O_WRONLY | O_NONBLOCK);
    if (fd < 0) {
        return;  // nobody reads the FIFO: packd is restarting
    }
    const std::string line = std::to_string(grams) + "\n";
    const std::string text = line + line + line;
    (void)!::write(fd, text.data(), text.size());
    ::close(fd);
}

}  // namespace packd::soak
