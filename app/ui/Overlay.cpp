#include "app/ui/Overlay.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>
#include <imgui.h>

namespace tessera::app {
namespace {

std::string megabytes(double bytes) {
    return fmt::format("{:.1f} MB", bytes / 1e6);
}

}  // namespace

ViewportRect overlay_rect(const ViewportRect& viewport) {
    return {viewport.x + viewport.width - kOverlayWidth - kOverlayMargin,
            viewport.y + kOverlayMargin, kOverlayWidth, kOverlayHeight};
}

void draw_fps_overlay(const core::FrameStats& stats, const OverlayInfo& info,
                      const ViewportRect& viewport) {
    const ViewportRect rect = overlay_rect(viewport);
    ImGui::SetNextWindowPos(ImVec2(rect.x, rect.y));
    ImGui::SetNextWindowSize(ImVec2(rect.width, rect.height));
    ImGui::SetNextWindowBgAlpha(0.78f);
    const ImGuiWindowFlags flags =
        ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
        ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav | ImGuiWindowFlags_NoInputs;
    if (!ImGui::Begin("##fps", nullptr, flags)) {
        ImGui::End();
        return;
    }
    const core::Summary cpu = stats.cpu();
    const auto gpu = stats.gpu();
    const auto& frames = stats.frames();
    ImGui::Text("%.1f FPS   CPU %.2f ms", stats.fps(), frames.empty() ? 0.0 : frames.back().cpu_ms);
    if (gpu) {
        ImGui::SameLine();
        ImGui::Text("  GPU %.2f ms", gpu->p50);
    } else {
        ImGui::SameLine();
        ImGui::TextDisabled(info.gpu_timing ? "  GPU ..." : "  GPU n/a");
    }
    // Frame times of the window, oldest first, with the 60 and 30 FPS budgets drawn across.
    std::vector<float> times;
    for (const core::FrameRecord& f : frames) {
        times.push_back(static_cast<float>(f.cpu_ms));
    }
    const float top = std::max(40.0f, static_cast<float>(cpu.max) * 1.1f);
    const ImVec2 graph_size(rect.width - 16, 70);
    ImGui::PlotLines("##frames", times.empty() ? nullptr : times.data(),
                     static_cast<int>(times.size()), 0, nullptr, 0.0f, top, graph_size);
    const ImVec2 lo = ImGui::GetItemRectMin();
    const ImVec2 hi = ImGui::GetItemRectMax();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    float previous_label = 1e9f;
    for (const auto& [ms, colour] : {std::pair{33.3f, IM_COL32(220, 90, 80, 160)},
                                     std::pair{16.7f, IM_COL32(90, 200, 90, 160)}}) {
        const float y = hi.y - (hi.y - lo.y) * ms / top;
        draw->AddLine(ImVec2(lo.x, y), ImVec2(hi.x, y), colour);
        if (std::abs(y - previous_label) > 12.0f) {  // labels of close lines would overlap
            draw->AddText(ImVec2(hi.x - 34, y - 13), colour, fmt::format("{:.0f}ms", ms).c_str());
            previous_label = y;
        }
    }
    ImGui::Text("CPU ms  p50 %.2f  p95 %.2f  p99 %.2f  max %.2f", cpu.p50, cpu.p95, cpu.p99,
                cpu.max);
    if (gpu) {
        ImGui::Text("GPU ms  p50 %.2f  p95 %.2f  p99 %.2f  max %.2f", gpu->p50, gpu->p95, gpu->p99,
                    gpu->max);
    }
    ImGui::TextDisabled("over the last %zu frames", frames.size());
    ImGui::Separator();
    ImGui::Text("level %d  tiles %d visible  %zu resident  %d pending", info.level,
                info.tiles_visible, info.tiles_resident, info.tiles_pending);
    ImGui::Text("texture memory %s / %s",
                megabytes(static_cast<double>(info.texture_bytes)).c_str(),
                info.budget_bytes ? megabytes(static_cast<double>(info.budget_bytes)).c_str()
                                  : "no budget");
    ImGui::Text("tile cache (CPU) %s / %s",
                megabytes(static_cast<double>(info.cpu_cache_bytes)).c_str(),
                megabytes(static_cast<double>(info.cpu_cache_budget)).c_str());
    ImGui::Text("uploads %s/s", megabytes(stats.upload_bytes_per_second()).c_str());
    ImGui::End();
}

}  // namespace tessera::app
