// The inspector's ImGui panels: the image list, the channel panel of the current image, the
// pixel inspector, the status bar, the help window and the open dialog.
#pragma once

#include "app/session/Session.h"
#include "app/ui/UiState.h"

namespace tessera::app {

inline constexpr float kPanelWidth = 340.0f;
inline constexpr float kStatusHeight = 26.0f;

void draw_side_panel(Session& session, UiState& ui, float height);
void draw_status_bar(Session& session, const UiState& ui, float width, float height);
void draw_help_window(UiState& ui);
void draw_open_dialog(Session& session, UiState& ui);

}  // namespace tessera::app
