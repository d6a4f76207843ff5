// The FPS overlay: frame rate, CPU and GPU frame times with a graph of recent frames (16.7 and
// 33 ms lines) and their percentiles, tiles, texture memory and upload rate. Toggled by P or
// --fps; drawn at a fixed place in the viewport's top-right corner, so captures are comparable.
#pragma once

#include <cstdint>
#include <string>

#include "app/ui/UiState.h"
#include "core/stats/FrameStats.h"

namespace tessera::app {

inline constexpr float kOverlayWidth = 380.0f;
inline constexpr float kOverlayHeight = 268.0f;
inline constexpr float kOverlayMargin = 10.0f;

struct OverlayInfo {
    int tiles_visible = 0;
    std::size_t tiles_resident = 0;
    int tiles_pending = 0;  // visible tiles not drawn exactly yet (streaming)
    std::uint64_t texture_bytes = 0;
    std::uint64_t budget_bytes = 0;  // 0: no budget
    std::uint64_t cpu_cache_bytes = 0;
    std::uint64_t cpu_cache_budget = 0;
    int level = 0;           // the pyramid level the view uses
    bool gpu_timing = true;  // the driver has timer queries
};

ViewportRect overlay_rect(const ViewportRect& viewport);
void draw_fps_overlay(const core::FrameStats& stats, const OverlayInfo& info,
                      const ViewportRect& viewport);

}  // namespace tessera::app
