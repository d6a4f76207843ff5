// The image area: pointer interaction (drag to pan, wheel to zoom about the pointer), and what is
// drawn over the composite: a pixel grid and per-pixel values when zoomed in far enough, and a
// notice while an image loads or when it failed.
#pragma once

#include <imgui.h>

#include "app/session/Session.h"
#include "app/ui/UiState.h"
#include "core/display/Annotations.h"

namespace tessera::app {

inline constexpr double kGridZoom = 8.0;    // pixel grid from 8 screen pixels per image pixel
inline constexpr double kLabelZoom = 56.0;  // values written into pixels from here on
inline constexpr double kWipeGrab = 6.0;    // window pixels either side of the wipe divider

// Pointer input of the viewport (grid: of the cell under the pointer, whose image it makes the
// current one).
void handle_viewport_input(Session& session, UiState& ui, const ImGuiIO& io);
// Linked grid: every cell's view follows the current image's.
void link_grid_views(Session& session, const UiState& ui);
void draw_viewport_overlay(Session& session, const UiState& ui);

// The annotations on screen: for the view, or each grid cell, where it lies (window pixels), the
// colour bars of the image shown there while they are on (K; none for an image being compared:
// its colours are a difference's), and its scale bar while that is on and its pixel size known.
struct ShownAnnotations {
    core::WindowRect rect;
    std::vector<core::ColourBar> bars;
    std::optional<core::ScaleBar> scale;
};
std::vector<ShownAnnotations> shown_annotations(Session& session, const UiState& ui);

}  // namespace tessera::app
