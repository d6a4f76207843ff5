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
// The program's version and what it runs on (Help > About).
void draw_about_window(UiState& ui);
// Everything the file says about the image shown (Image > Metadata, I): a row per fact.
void draw_metadata_window(Session& session, UiState& ui);
std::vector<std::pair<std::string, std::string>> metadata_rows(const ImageDocument& document);
void draw_open_dialog(Session& session, UiState& ui);
// What Ctrl+C copies: the image's name, the pixel under a point of the view in the file's
// coordinates, its position in a stack, and every channel's value (integers exactly, floats to
// nine significant digits), tab-separated: "NAME\tx=12\ty=7\tz=3\tDAPI=761\tActin=1167".
// Empty when the point is outside the image.
std::string pixel_values_text(const ImageDocument& document, const std::array<double, 2>& point);

}  // namespace tessera::app
