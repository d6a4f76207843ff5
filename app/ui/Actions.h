// Actions: every action of the inspector by name, with its menu and shortcut, for the menu bar
// and the command palette (Ctrl+Shift+P, HDRView's habit). A command runs on the session and the
// interface state as its key does; it may be unavailable (no image, not comparing), and a toggle
// says whether it is on.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "app/session/Session.h"
#include "app/ui/UiState.h"

namespace tessera::app {

struct Action {
    std::string_view menu;  // "File", "View", "Image", "Compare", "Help"
    std::string_view name;
    std::string_view keys;  // as the help lists them; empty: none
    void (*run)(Session&, UiState&) = nullptr;
    bool (*available)(Session&, const UiState&) = nullptr;  // nullptr: always
    bool (*checked)(Session&, const UiState&) = nullptr;    // nullptr: not a toggle
};

std::span<const Action> actions();
bool available(const Action& action, Session& session, const UiState& ui);

// The commands whose name (or menu and name) holds every word of `query`, case ignored, in the
// table's order; every command for an empty query.
std::vector<const Action*> matching_actions(std::string_view query);

// What some keys and the commands share.
void request_save_view(UiState& ui);
void request_save_image(UiState& ui);
void request_screenshot(UiState& ui);
void request_open_dialog(UiState& ui);
void copy_pixel_values(Session& session, UiState& ui);

// The panel's menu bar (inside the side panel, so the image area keeps its place).
void draw_menu_bar(Session& session, UiState& ui);
// The palette while it is open: a search field and the commands it matches; Enter or a click
// runs one, Esc closes it.
void draw_command_palette(Session& session, UiState& ui);

}  // namespace tessera::app
