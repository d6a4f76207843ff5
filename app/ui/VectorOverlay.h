// VectorOverlay: draws the vector graphics IPC clients sent for an image (tev's VectorGraphics
// packets, interpreted into shapes by core/ipc/VectorGraphics) over the viewport, in image
// coordinates, clipped to the viewport. Fills are drawn convex, as ImGui draws polygons.
#pragma once

#include "app/session/Session.h"
#include "app/ui/UiState.h"

namespace tessera::app {

void draw_vector_overlay(const ImageDocument& document, const UiState& ui);

}  // namespace tessera::app
