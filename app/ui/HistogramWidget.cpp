#include "app/ui/HistogramWidget.h"

#include <algorithm>
#include <cmath>

#include "core/display/CompositeMath.h"

namespace tessera::app {
namespace {

// Data values along a histogram's width (screen x from `origin`).
struct HistogramAxis {
    float origin;
    float width;
    double lo;
    double hi;
    float x_of(double v) const { return origin + static_cast<float>((v - lo) / (hi - lo)) * width; }
    double value_at(float x) const {
        return lo + static_cast<double>((x - origin) / width) * (hi - lo);
    }
};

// The largest bin of `histogram` that falls in screen column `column` (0: none). Bins of zero
// width (a constant channel) fall in no column.
std::uint64_t column_count(const core::Histogram& histogram, const HistogramAxis& axis,
                           int column) {
    const double bin_width =
        (histogram.hi - histogram.lo) / static_cast<double>(histogram.bins.size());
    if (!(bin_width > 0)) {
        return 0;
    }
    const double v0 = axis.value_at(axis.origin + static_cast<float>(column));
    const double v1 = axis.value_at(axis.origin + static_cast<float>(column + 1));
    const auto first = static_cast<long long>(std::floor((v0 - histogram.lo) / bin_width));
    const auto last = static_cast<long long>(std::ceil((v1 - histogram.lo) / bin_width));
    std::uint64_t count = 0;
    for (long long b = std::max(0LL, first);
         b < std::min<long long>(last, static_cast<long long>(histogram.bins.size())); ++b) {
        count = std::max(count, histogram.bins[static_cast<std::size_t>(b)]);
    }
    return count;
}

}  // namespace

bool histogram_limits(const char* id, const core::ChannelStatistics& statistics, double& lo,
                      double& hi, std::array<float, 3> colour, float height) {
    ImGui::PushID(id);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const float width = std::max(40.0f, ImGui::GetContentRegionAvail().x);
    ImGui::InvisibleButton("##histogram", ImVec2(width, height));
    const bool active = ImGui::IsItemActive();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const ImVec2 end(origin.x + width, origin.y + height);
    draw->AddRectFilled(origin, end, IM_COL32(25, 25, 30, 255));

    // The axis spans the data range and the limits, whichever is wider.
    const auto& bins = statistics.histogram.bins;
    double axis_lo = std::min(statistics.histogram.lo, lo);
    double axis_hi = std::max(statistics.histogram.hi, hi);
    if (!(axis_hi > axis_lo)) {
        axis_hi = axis_lo + 1.0;
    }
    const HistogramAxis axis{origin.x, width, axis_lo, axis_hi};
    const auto x_of = [&](double v) {
        return axis.x_of(v);
    };
    const auto value_at = [&](float x) {
        return axis.value_at(x);
    };

    const ImU32 bar = ImGui::ColorConvertFloat4ToU32(ImVec4(
        0.35f + 0.65f * colour[0], 0.35f + 0.65f * colour[1], 0.35f + 0.65f * colour[2], 0.9f));
    if (!bins.empty()) {
        // One column per screen pixel: the largest bin that falls in it, on a log scale.
        std::uint64_t peak = 1;
        for (auto count : bins) {
            peak = std::max(peak, count);
        }
        const double log_peak = std::log1p(static_cast<double>(peak));
        const double bin_width =
            (statistics.histogram.hi - statistics.histogram.lo) / static_cast<double>(bins.size());
        for (int column = 0; column < static_cast<int>(width); ++column) {
            std::uint64_t count = column_count(statistics.histogram, axis, column);
            if (!(bin_width > 0) &&
                column == static_cast<int>(x_of(statistics.histogram.lo) - origin.x)) {
                count = peak;  // a constant channel: one column at its value
            }
            if (count > 0) {
                const float h =
                    static_cast<float>(std::log1p(static_cast<double>(count)) / log_peak) *
                    (height - 2);
                const float x = origin.x + static_cast<float>(column);
                draw->AddLine(ImVec2(x + 0.5f, end.y), ImVec2(x + 0.5f, end.y - h), bar);
            }
        }
    }

    const float lo_x = x_of(lo);
    const float hi_x = x_of(hi);
    draw->AddRectFilled(ImVec2(lo_x, origin.y), ImVec2(hi_x, end.y), IM_COL32(255, 255, 255, 28));
    // Which handle a drag moves is chosen when it starts: the nearer one, or both in between.
    ImGuiStorage* storage = ImGui::GetStateStorage();
    const ImGuiID grab_id = ImGui::GetID("grab");
    if (ImGui::IsItemActivated()) {
        const float mx = ImGui::GetIO().MousePos.x;
        const float dlo = std::abs(mx - lo_x);
        const float dhi = std::abs(mx - hi_x);
        const int grab = std::min(dlo, dhi) <= 6.0f
                             ? (dlo <= dhi ? 1 : 2)
                             : (mx > lo_x && mx < hi_x ? 3 : (dlo < dhi ? 1 : 2));
        storage->SetInt(grab_id, grab);
    }
    bool changed = false;
    if (active && ImGui::GetIO().MouseDelta.x != 0.0f) {
        const int grab = storage->GetInt(grab_id, 0);
        const double delta =
            static_cast<double>(ImGui::GetIO().MouseDelta.x / width) * (axis_hi - axis_lo);
        const double min_gap = (axis_hi - axis_lo) * 1e-6;
        if (grab == 1) {
            lo = std::min(value_at(ImGui::GetIO().MousePos.x), hi - min_gap);
        } else if (grab == 2) {
            hi = std::max(value_at(ImGui::GetIO().MousePos.x), lo + min_gap);
        } else if (grab == 3) {
            lo += delta;
            hi += delta;
        }
        changed = grab != 0;
    }
    const ImU32 handle = IM_COL32(255, 210, 80, 255);
    draw->AddLine(ImVec2(lo_x, origin.y), ImVec2(lo_x, end.y), handle, 2.0f);
    draw->AddLine(ImVec2(hi_x, origin.y), ImVec2(hi_x, end.y), handle, 2.0f);
    draw->AddTriangleFilled(ImVec2(lo_x, end.y), ImVec2(lo_x + 5, end.y), ImVec2(lo_x, end.y - 7),
                            handle);
    draw->AddTriangleFilled(ImVec2(hi_x, end.y), ImVec2(hi_x - 5, end.y), ImVec2(hi_x, end.y - 7),
                            handle);
    if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("value %.6g\ndrag a handle to move a limit, the band to move both",
                          value_at(ImGui::GetIO().MousePos.x));
    }
    ImGui::PopID();
    return changed;
}

bool colour_histogram(const char* id, const std::vector<HistogramChannel>& channels, double lo,
                      double hi, float& exposure, float offset, bool srgb_input, float height) {
    ImGui::PushID(id);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const float width = std::max(40.0f, ImGui::GetContentRegionAvail().x);
    ImGui::InvisibleButton("##colour-histogram", ImVec2(width, height));
    ImDrawList* draw = ImGui::GetWindowDrawList();
    const ImVec2 end(origin.x + width, origin.y + height);
    draw->AddRectFilled(origin, end, IM_COL32(25, 25, 30, 255));
    // The axis spans every channel's data and the limits.
    double axis_lo = lo;
    double axis_hi = hi;
    std::uint64_t peak = 1;
    for (const HistogramChannel& channel : channels) {
        axis_lo = std::min(axis_lo, channel.statistics->histogram.lo);
        axis_hi = std::max(axis_hi, channel.statistics->histogram.hi);
        for (const auto count : channel.statistics->histogram.bins) {
            peak = std::max(peak, count);
        }
    }
    if (!(axis_hi > axis_lo)) {
        axis_hi = axis_lo + 1.0;
    }
    const HistogramAxis axis{origin.x, width, axis_lo, axis_hi};
    const auto x_of = [&](double v) {
        return axis.x_of(v);
    };
    const auto value_at = [&](float x) {
        return axis.value_at(x);
    };
    const double log_peak = std::log1p(static_cast<double>(peak));
    for (const HistogramChannel& channel : channels) {
        const core::Histogram& histogram = channel.statistics->histogram;
        if (histogram.bins.empty() || !(histogram.hi > histogram.lo)) {
            continue;
        }
        const ImU32 colour = ImGui::ColorConvertFloat4ToU32(
            ImVec4(channel.colour[0], channel.colour[1], channel.colour[2], 0.55f));
        for (int column = 0; column < static_cast<int>(width); ++column) {
            const std::uint64_t count = column_count(histogram, axis, column);
            if (count > 0) {
                const float h =
                    static_cast<float>(std::log1p(static_cast<double>(count)) / log_peak) *
                    (height - 2);
                const float x = origin.x + static_cast<float>(column) + 0.5f;
                draw->AddLine(ImVec2(x, end.y), ImVec2(x, end.y - h), colour);
            }
        }
    }
    // The white point: values right of it show at full brightness (clipped).
    bool changed = false;
    if (ImGui::IsItemActive() && ImGui::GetIO().MouseDelta.x != 0.0f) {
        exposure = core::exposure_for_white(value_at(ImGui::GetIO().MousePos.x), lo, hi, offset,
                                            srgb_input);
        changed = true;
    }
    const double white = core::colour_white_point(lo, hi, exposure, offset, srgb_input);
    const float white_x = std::clamp(x_of(white), origin.x, end.x - 1);
    draw->AddRectFilled(ImVec2(white_x, origin.y), end, IM_COL32(255, 255, 255, 40));
    draw->AddLine(ImVec2(white_x, origin.y), ImVec2(white_x, end.y), IM_COL32(255, 210, 80, 255),
                  2.0f);
    if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("value %.6g\nwhite at %.4g (exposure %+.2f EV): drag to move it",
                          value_at(ImGui::GetIO().MousePos.x), white, exposure);
    }
    ImGui::PopID();
    return changed;
}

}  // namespace tessera::app
