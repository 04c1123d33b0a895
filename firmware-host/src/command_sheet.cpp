#include "packd/host/command_sheet.hpp"

#include <algorithm>

namespace packd::host {

namespace ful = packd::fulfillment;

std::vector<ful::Label> command_sheet(
    const std::string& station,
    const std::vector<std::pair<ful::StationMode, std::vector<ful::CommandCard>>>& modes,
    const ful::LabelSize& size) {
    // Sizes in millimetres, so a 300 dpi printer gives the same sheet as a 203 dpi one.
    const int margin = size.dots_from_mm(4);
    const int title = size.dots_from_mm(6);
    const int bars = size.dots_from_mm(9);
    const int line = size.dots_from_mm(3.5);
    const int card = bars + 2 * line + size.dots_from_mm(7);
    const int column = (size.width_dots - 2 * margin) / 2;
    const int module = std::max(1, size.dpi / 100);  // 2 dots at 203 dpi: MODE-PUTAWAY fits one column
    const int top = margin + title + size.dots_from_mm(3);
    const int rows = std::max(1, (size.height_dots - top - margin) / card);
    std::vector<ful::Label> labels;
    for (const auto& [mode, cards] : modes) {
        const std::size_t per_label = static_cast<std::size_t>(rows) * 2;
        const std::size_t pages = std::max<std::size_t>(1, (cards.size() + per_label - 1) / per_label);
        for (std::size_t page = 0; page < pages; ++page) {
            ful::Label label;
            label.size = size;
            label.fields.push_back(ful::TextField{
                margin, margin, title, size.width_dots - 2 * margin,
                "Station " + station + ": " + std::string(to_string(mode)) +
                    (pages > 1 ? " (" + std::to_string(page + 1) + "/" + std::to_string(pages) + ")" : ""),
                true, title / 2});
            for (std::size_t i = page * per_label; i < std::min(cards.size(), (page + 1) * per_label); ++i) {
                const std::size_t slot = i - page * per_label;
                const int x = margin + static_cast<int>(slot % 2) * column;
                const int y = top + static_cast<int>(slot / 2) * card;
                label.fields.push_back(
                    ful::BarcodeField{ful::BarcodeKind::Code128, x, y, module, bars, cards[i].code, true});
                label.fields.push_back(ful::TextField{x, y + bars + line + size.dots_from_mm(2), line,
                                                      column - margin, cards[i].meaning, false,
                                                      line * 2 / 3});
            }
            labels.push_back(std::move(label));
        }
    }
    return labels;
}

}  // namespace packd::host
