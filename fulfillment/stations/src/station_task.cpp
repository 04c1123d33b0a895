#include "packd/fulfillment/stations/station_task.hpp"

namespace packd::fulfillment {

std::optional<Task> StationTasks::task() const {
    auto& st = store_.db().cached(
        "SELECT mode, reference, step, next_quantity, pending, attempt FROM station_tasks WHERE station = ?");
    st.bind(1, station_);
    std::optional<Task> out;
    if (st.step()) {
        // The table's CHECK constraint admits the task modes only.
        out = Task{station_mode_named(st.text(0)).value_or(StationMode::receive),
                   st.text(1),
                   st.text(2),
                   st.int64(3),
                   st.text(4),
                   st.int64(5)};
    }
    st.reset();
    return out;
}

void StationTasks::save(const Task& t) {
    store_.db()
        .cached(
            "INSERT INTO station_tasks (station, mode, reference, step, next_quantity, pending, attempt, "
            "opened_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, strftime('%Y-%m-%dT%H:%M:%fZ','now')) "
            "ON CONFLICT (station) DO UPDATE SET mode = ?2, reference = ?3, step = ?4, next_quantity = ?5, "
            "pending = ?6, attempt = ?7")
        .bind(1, station_)
        .bind(2, std::string(to_string(t.mode)))
        .bind(3, t.reference)
        .bind(4, t.step)
        .bind(5, t.next_quantity)
        .bind(6, t.pending)
        .bind(7, t.attempt)
        .run();
}

void StationTasks::close() {
    clear_lines();
    store_.db().cached("DELETE FROM station_tasks WHERE station = ?").bind(1, station_).run();
}

std::vector<TaskLine> StationTasks::lines() const {
    auto& st = store_.db().cached(
        "SELECT id, sku, quantity, lot, expiry, condition, location, code FROM station_task_lines "
        "WHERE station = ? ORDER BY id");
    st.bind(1, station_);
    std::vector<TaskLine> out;
    while (st.step()) {
        out.push_back({st.int64(0), st.text(1), st.int64(2), st.text(3), st.text(4), st.text(5), st.text(6),
                       st.text(7)});
    }
    st.reset();
    return out;
}

void StationTasks::add(const TaskLine& line, const std::string& device) {
    store_.db()
        .cached(
            "INSERT INTO station_task_lines (station, sku, quantity, lot, expiry, condition, location, code, "
            "device, scanned_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))")
        .bind(1, station_)
        .bind(2, line.sku)
        .bind(3, line.quantity)
        .bind(4, line.lot)
        .bind(5, line.expiry)
        .bind(6, line.condition)
        .bind(7, line.location)
        .bind(8, line.code)
        .bind(9, device)
        .run();
}

std::optional<TaskLine> StationTasks::take_back_last() {
    auto all = lines();
    if (all.empty()) {
        return std::nullopt;
    }
    store_.db().cached("DELETE FROM station_task_lines WHERE id = ?").bind(1, all.back().id).run();
    return all.back();
}

void StationTasks::clear_lines() {
    store_.db().cached("DELETE FROM station_task_lines WHERE station = ?").bind(1, station_).run();
}

}  // namespace packd::fulfillment
