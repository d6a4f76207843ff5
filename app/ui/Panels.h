// The inspector's ImGui panels: the image list, the channel panel of the current image, the
// pixel inspector, the status bar, the help window and the open dialog.
#pragma once

#include "app/session/Session.h"
#include "app/ui/UiState.h"

namespace tessera::app {

inline constexpr float kPanelWidth = 340.0f;
inline constexpr float kStatusHeight = 26.0f;

inline constexpr float kDimsRowHeight = 28.0f;

// The height of the slider bar below the viewport: a row per axis longer than 1.
float dims_bar_height(const core::Dims& dims);

void draw_side_panel(Session& session, UiState& ui, float height);
// The sliders of a stack, below the viewport (napari's dims): one per axis, with its name, the
// index shown and the extent, a play button, and for the axis played its rate and loop mode.
void draw_dims_bar(Session& session, const UiState& ui);
void draw_status_bar(Session& session, const UiState& ui, float width, float height);
void draw_help_window(UiState& ui);
void draw_open_dialog(Session& session, UiState& ui);

}  // namespace tessera::app
