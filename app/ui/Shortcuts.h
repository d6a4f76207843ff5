// The keyboard shortcuts: one table (shown by --help and the in-app help) and the function that
// carries them out on the session. Shortcuts never fire while a text field has the keyboard.
#pragma once

#include <span>
#include <string_view>

#include <imgui.h>

#include "app/session/Session.h"
#include "app/ui/UiState.h"

namespace tessera::app {

struct Shortcut {
    std::string_view keys;
    std::string_view action;
};

std::span<const Shortcut> shortcuts();

// Reads this frame's key presses from ImGui (call between NewFrame and Render).
void apply_shortcuts(Session& session, UiState& ui, const ImGuiIO& io);

// The display actions (core/display/DisplayActions) on a document, as keys and the panels' buttons
// take them: a channel acted on by its key becomes the selected one.
void toggle_channel(ImageDocument& document, std::size_t channel);
void solo_channel(ImageDocument& document, std::size_t channel);
void cycle_colormap(ImageDocument& document, std::size_t channel);
// Auto from the statistics the document's setting names (a stack's plane shown, or the whole
// stack); while the plane's are computed, applied when they arrive.
void auto_contrast(ImageDocument& document, std::size_t channel);
void auto_contrast_visible(ImageDocument& document);
void full_range(ImageDocument& document, std::size_t channel);
void reset_display(ImageDocument& document);

}  // namespace tessera::app
