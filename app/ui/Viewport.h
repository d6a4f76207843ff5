// The image area: pointer interaction (drag to pan, wheel to zoom about the pointer), and what is
// drawn over the composite: a pixel grid and per-pixel values when zoomed in far enough, and a
// notice while an image loads or when it failed.
#pragma once

#include <imgui.h>

#include "app/session/Session.h"
#include "app/ui/UiState.h"

namespace tessera::app {

inline constexpr double kGridZoom = 8.0;    // pixel grid from 8 screen pixels per image pixel
inline constexpr double kLabelZoom = 56.0;  // values written into pixels from here on

void handle_viewport_input(ImageDocument* document, UiState& ui, const ImGuiIO& io);
void draw_viewport_overlay(Session& session, const UiState& ui);

}  // namespace tessera::app
