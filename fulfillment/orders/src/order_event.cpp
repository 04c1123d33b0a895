#include "packd/fulfillment/orders/order_event.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "packd/common/text.hpp"

namespace packd::fulfillment {
namespace {

using nlohmann::json;

constexpr size_t kMaxText = 200;
constexpr size_t kMaxLines = 1000;
constexpr int64_t kMaxQuantity = 1000000;

/// Reads the fields of one JSON object, remembering the first problem.
class Fields {
  public:
    Fields(const json& object, std::string path) : object_(object), path_(std::move(path)) {}

    std::string text(const char* key, bool required, size_t max_len = kMaxText, bool number_ok = false) {
        const std::string where = at(key);
        auto it = object_.find(key);
        if (it == object_.end() || it->is_null()) {
            if (required) {
                note(where + " is missing");
            }
            return {};
        }
        if (number_ok && it->is_number_integer()) {
            // Shops send some ids as numbers; they are text to us. Postal codes and the like are not
            // accepted as numbers: a leading zero would already be lost. One above 2^63 - 1 is parsed as
            // unsigned; read as signed it would wrap to a negative id.
            return it->is_number_unsigned() ? std::to_string(it->get<uint64_t>())
                                            : std::to_string(it->get<int64_t>());
        }
        if (!it->is_string()) {
            note(where + " must be a string, found " + std::string(it->type_name()));
            return {};
        }
        std::string value = it->get<std::string>();
        if (required && value.empty()) {
            note(where + " is empty");
        } else if (value.size() > max_len) {
            note(where + " is " + std::to_string(value.size()) + " bytes, at most " +
                 std::to_string(max_len) + " allowed");
        } else if (!is_valid_utf8(value)) {
            note(where + " is not valid UTF-8");
        } else if (value.find('\0') != std::string::npos) {
            note(where + " contains a NUL byte");
        }
        return value;
    }

    const json* child(const char* key, json::value_t type, bool required) {
        auto it = object_.find(key);
        if (it == object_.end() || it->is_null()) {
            if (required) {
                note(at(key) + " is missing");
            }
            return nullptr;
        }
        if (it->type() != type) {
            note(at(key) + " must be " + (type == json::value_t::object ? "an object" : "an array") +
                 ", found " + std::string(it->type_name()));
            return nullptr;
        }
        return &*it;
    }

    std::string at(const char* key) const { return path_.empty() ? std::string(key) : path_ + "." + key; }
    void note(std::string problem) {
        if (problem_.empty()) {
            problem_ = std::move(problem);
        }
    }
    const std::string& problem() const { return problem_; }

  private:
    const json& object_;
    std::string path_;
    std::string problem_;
};

}  // namespace

std::string json_error_reason(std::string_view what) {
    if (auto at = what.find("syntax error"); at != std::string_view::npos) {
        what.remove_prefix(at);
    } else if (auto end = what.find("] ");
               !what.empty() && what.front() == '[' && end != std::string_view::npos) {
        what.remove_prefix(end + 2);  // "[json.exception.out_of_range.406] "
    }
    if (auto at = what.find("; last read"); at != std::string_view::npos) {
        what = what.substr(0, at);
    }
    std::string out;
    for (char c : what.substr(0, 200)) {
        out += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    return out;
}

bool is_safe_id(std::string_view id, size_t max_len) {
    if (id.empty() || id.size() > max_len || id.front() == '.') {
        return false;
    }
    for (char c : id) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.')) {
            return false;
        }
    }
    return true;
}

namespace {

Result<OrderEvent> parse_unchecked(const json& doc) {
    OrderEvent ev;
    Fields top(doc, "");
    ev.event_id = top.text("event_id", true, 128);
    const std::string type = top.text("type", true, 64);
    if (!top.problem().empty()) {
        return fail(top.problem());
    }
    // The canonical shape carries a whole order or a cancel; an update is a shop's webhook word.
    const auto named = order_event_type_named(type);
    if (!named || *named == OrderEventType::updated) {
        return fail("type \"" + type.substr(0, 64) +
                    "\" is not an event this packd handles (order.created, order.cancelled)");
    }
    ev.type = *named;
    const json* order = top.child("order", json::value_t::object, true);
    if (order == nullptr) {
        return fail(top.problem());
    }
    Fields o(*order, "order");
    ev.order_id = o.text("id", true, 64, true);
    if (o.problem().empty() && !is_safe_id(ev.order_id)) {
        o.note("order.id \"" + ev.order_id + "\" may hold only letters, digits, '-', '_' and '.'");
    }
    if (ev.type == OrderEventType::cancelled) {
        // A cancel names the order; anything else it carries is kept with the original only.
        if (!o.problem().empty()) {
            return fail(o.problem());
        }
        return ev;
    }
    ev.carrier = o.text("carrier", false, 64);
    ev.service = o.text("service", false, 64);
    ev.tracking_number = o.text("tracking_number", false, 64);
    if (const json* ship_to = o.child("ship_to", json::value_t::object, true)) {
        Fields a(*ship_to, "order.ship_to");
        ev.ship_to.name = a.text("name", true);
        ev.ship_to.company = a.text("company", false);
        ev.ship_to.street1 = a.text("street1", true);
        ev.ship_to.street2 = a.text("street2", false);
        ev.ship_to.city = a.text("city", true);
        ev.ship_to.region = a.text("region", false);
        ev.ship_to.postal_code = a.text("postal_code", true, 16);
        ev.ship_to.country = a.text("country", true, 2);
        if (a.problem().empty()) {
            const std::string& c = ev.ship_to.country;
            const bool letters = c.size() == 2 && std::all_of(c.begin(), c.end(), [](char ch) {
                                     return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
                                 });
            if (!letters) {
                a.note("order.ship_to.country \"" + c + "\" must be a two-letter ISO 3166-1 code such as DE");
            } else {
                std::transform(ev.ship_to.country.begin(), ev.ship_to.country.end(),
                               ev.ship_to.country.begin(),
                               [](char ch) { return static_cast<char>(ch >= 'a' ? ch - 32 : ch); });
            }
        }
        o.note(a.problem());
    }
    if (const json* lines = o.child("lines", json::value_t::array, true)) {
        if (lines->empty()) {
            o.note("order.lines is empty");
        } else if (lines->size() > kMaxLines) {
            o.note("order.lines has " + std::to_string(lines->size()) + " lines, at most " +
                   std::to_string(kMaxLines) + " allowed");
        }
        size_t n = 0;
        for (const auto& line : *lines) {
            const std::string path = "order.lines[" + std::to_string(n++) + "]";
            if (!line.is_object()) {
                o.note(path + " must be an object");
                break;
            }
            Fields l(line, path);
            OrderLine ol;
            ol.sku = l.text("sku", true, 64);
            auto q = line.find("quantity");
            if (q == line.end() || !q->is_number_integer()) {
                l.note(path + ".quantity must be a whole number");
            } else if (q->get<int64_t>() < 1 || q->get<int64_t>() > kMaxQuantity) {
                l.note(path + ".quantity must be from 1 to " + std::to_string(kMaxQuantity));
            } else {
                ol.quantity = q->get<int64_t>();
            }
            o.note(l.problem());
            if (!o.problem().empty()) {
                break;
            }
            ev.lines.push_back(std::move(ol));
        }
    }
    if (!o.problem().empty()) {
        return fail(o.problem());
    }
    return ev;
}

}  // namespace

Result<json> parse_json_object(std::string_view payload, size_t max_bytes) {
    if (payload.size() > max_bytes) {
        return fail("payload is " + std::to_string(payload.size()) + " bytes, over the limit of " +
                    std::to_string(max_bytes));
    }
    json doc;
    try {
        doc = json::parse(payload);
    } catch (const json::parse_error& e) {
        return fail("invalid JSON at byte " + std::to_string(e.byte) + ": " + json_error_reason(e.what()));
    } catch (const json::exception& e) {
        // e.g. out_of_range for a number such as 1e999
        return fail("invalid JSON: " + json_error_reason(e.what()));
    }
    if (!doc.is_object()) {
        return fail("payload must be a JSON object, found " + std::string(doc.type_name()));
    }
    return doc;
}

Result<OrderEvent> parse_order_document(const json& doc) {
    auto parsed = parse_unchecked(doc);
    if (!parsed) {
        // Reasons quote the payload; they are logged and published, so they carry no raw bytes.
        return fail(printable(parsed.error().message));
    }
    return parsed;
}

Result<OrderEvent> parse_order_event(std::string_view payload, size_t max_bytes) {
    auto doc = parse_json_object(payload, max_bytes);
    if (!doc) {
        return fail(printable(doc.error().message));
    }
    return parse_order_document(*doc);
}

}  // namespace packd::fulfillment
