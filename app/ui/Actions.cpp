#include "app/ui/Actions.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>

#include <imgui.h>

#include "app/ui/Panels.h"
#include "app/ui/Shortcuts.h"

namespace tessera::app {
namespace {

ImageDocument* ready(Session& session) {
    ImageDocument* document = session.current();
    return document != nullptr && document->state == DocumentState::Ready ? document : nullptr;
}

bool has_image(Session& session, const UiState&) {
    return ready(session) != nullptr;
}
bool has_document(Session& session, const UiState&) {
    return session.current() != nullptr;
}
bool has_stack(Session& session, const UiState&) {
    const ImageDocument* document = ready(session);
    return document != nullptr && document->is_stack();
}
bool is_comparing(Session& session, const UiState&) {
    return session.comparison().has_value();
}
bool several(Session& session, const UiState&) {
    return session.documents().size() > 1;
}

void zoom(Session& session, const UiState& ui, int steps) {
    if (ImageDocument* document = ready(session)) {
        document->view.zoom_steps(steps, ui.viewport.width / 2.0, ui.viewport.height / 2.0);
    }
}

void step_metric(Session& session, int step) {
    if (const auto& comparison = session.comparison()) {
        session.set_metric(static_cast<core::ErrorMetric>(
            (static_cast<int>(comparison->metric) + step + core::kErrorMetricCount) %
            core::kErrorMetricCount));
    }
}

constexpr std::array kActions{
    // File
    Action{"File", "Open...", "Ctrl+O",
           [](Session&, UiState& ui) {
               request_open_dialog(ui);
           }},
    Action{"File", "Reload", "Ctrl+R", [](Session& s, UiState&) { s.reload_current(); },
           has_document},
    Action{"File", "Close", "Ctrl+W", [](Session& s, UiState&) { s.close_current(); },
           has_document},
    Action{"File", "Save view", "Ctrl+S", [](Session&, UiState& ui) { request_save_view(ui); },
           has_image},
    Action{"File", "Save the whole image at full resolution", "Ctrl+Shift+S",
           [](Session&, UiState& ui) { request_save_image(ui); }, has_image},
    Action{"File", "Screenshot of the window", "F12",
           [](Session&, UiState& ui) {
               request_screenshot(ui);
           }},
    Action{"File", "Quit", "Ctrl+Q",
           [](Session&, UiState& ui) {
               ui.quit = true;
           }},
    // View
    Action{"View", "Fit to the window", "F",
           [](Session& s, UiState&) {
               if (ImageDocument* d = ready(s)) {
                   d->view.fit();
               }
           },
           has_image},
    Action{"View", "1:1", "0",
           [](Session& s, UiState&) {
               if (ImageDocument* d = ready(s)) {
                   d->view.one_to_one();
               }
           },
           has_image},
    Action{"View", "Zoom in", "+", [](Session& s, UiState& ui) { zoom(s, ui, 1); }, has_image},
    Action{"View", "Zoom out", "-", [](Session& s, UiState& ui) { zoom(s, ui, -1); }, has_image},
    Action{"View", "Previous image", "PageUp, [", [](Session& s, UiState&) { s.previous(); },
           several},
    Action{"View", "Next image", "PageDown, ]", [](Session& s, UiState&) { s.next(); }, several},
    Action{"View", "Grid", "G", [](Session& s, UiState&) { s.set_grid(!s.grid()); }, nullptr,
           [](Session& s, const UiState&) {
               return s.grid();
           }},
    Action{"View", "Link the grid's views", "Shift+G",
           [](Session&, UiState& ui) { ui.grid_linked = !ui.grid_linked; }, nullptr,
           [](Session&, const UiState& ui) {
               return ui.grid_linked;
           }},
    Action{"View", "Panels", "Tab", [](Session&, UiState& ui) { ui.show_panels = !ui.show_panels; },
           nullptr,
           [](Session&, const UiState& ui) {
               return ui.show_panels;
           }},
    Action{"View", "Colour bars", "K",
           [](Session&, UiState& ui) { ui.show_colorbar = !ui.show_colorbar; }, nullptr,
           [](Session&, const UiState& ui) {
               return ui.show_colorbar;
           }},
    Action{"View", "Scale bar (where the pixel size is known)", "",
           [](Session&, UiState& ui) { ui.show_scalebar = !ui.show_scalebar; }, nullptr,
           [](Session&, const UiState& ui) {
               return ui.show_scalebar;
           }},
    Action{"View", "FPS overlay", "P",
           [](Session&, UiState& ui) { ui.show_overlay = !ui.show_overlay; }, nullptr,
           [](Session&, const UiState& ui) {
               return ui.show_overlay;
           }},
    Action{"View", "Mark tiles still loading", "L",
           [](Session&, UiState& ui) { ui.show_pending = !ui.show_pending; }, nullptr,
           [](Session&, const UiState& ui) {
               return ui.show_pending;
           }},
    // Image
    Action{"Image", "Auto-contrast", "A",
           [](Session& s, UiState&) {
               if (ImageDocument* d = ready(s)) {
                   auto_contrast_visible(*d);
               }
           },
           has_image},
    Action{"Image", "Reset the display settings", "R",
           [](Session& s, UiState&) {
               if (ImageDocument* d = ready(s)) {
                   reset_display(*d);
               }
           },
           has_image},
    Action{"Image", "Next colormap of the selected channel", "C",
           [](Session& s, UiState&) {
               if (ImageDocument* d = ready(s)) {
                   cycle_colormap(*d, d->selected_channel);
               }
           },
           has_image},
    Action{"Image", "Metadata", "I",
           [](Session&, UiState& ui) { ui.show_metadata = !ui.show_metadata; }, has_document,
           [](Session&, const UiState& ui) {
               return ui.show_metadata;
           }},
    Action{"Image", "Copy the pixel values", "Ctrl+C",
           [](Session& s, UiState& ui) { copy_pixel_values(s, ui); },
           [](Session& s, const UiState& ui) {
               return has_image(s, ui) && ui.pointer_image.has_value();
           }},
    Action{"Image", "Previous slice", ",",
           [](Session& s, UiState&) {
               if (ImageDocument* d = ready(s)) {
                   d->dims.step(-1);
               }
           },
           has_stack},
    Action{"Image", "Next slice", ".",
           [](Session& s, UiState&) {
               if (ImageDocument* d = ready(s)) {
                   d->dims.step(1);
               }
           },
           has_stack},
    Action{"Image", "Play or pause the stack", "Space",
           [](Session& s, UiState&) {
               if (ImageDocument* d = ready(s)) {
                   d->dims.toggle_play(ImGui::GetTime());
               }
           },
           has_stack},
    // Compare
    Action{"Compare", "Compare against the image shown", "Shift+click",
           [](Session& s, UiState&) { s.toggle_reference(s.current_index()); },
           [](Session& s, const UiState& ui) {
               return several(s, ui) && has_image(s, ui);
           }},
    Action{"Compare", "Stop comparing", "", [](Session& s, UiState&) { s.clear_reference(); },
           is_comparing},
    Action{"Compare", "Next error metric", "E", [](Session& s, UiState&) { step_metric(s, 1); },
           is_comparing},
    Action{"Compare", "Previous error metric", "Shift+E",
           [](Session& s, UiState&) { step_metric(s, -1); }, is_comparing},
    Action{"Compare", "Show the reference", "B",
           [](Session& s, UiState&) { s.toggle_show_reference(); }, is_comparing,
           [](Session& s, const UiState&) {
               return s.comparison().has_value() && s.comparison()->show_reference;
           }},
    Action{"Compare", "Wipe", "W", [](Session& s, UiState&) { s.toggle_wipe(); }, is_comparing,
           [](Session& s, const UiState&) {
               return s.comparison().has_value() && s.comparison()->wipe;
           }},
    // Help
    Action{"Help", "Keyboard and mouse", "F1, ?",
           [](Session&, UiState& ui) {
               ui.show_help = !ui.show_help;
           }},
    Action{"Help", "Action palette", "Ctrl+Shift+P",
           [](Session&, UiState& ui) {
               ui.palette.open = true;
           }},
    Action{"Help", "About Tessera", "",
           [](Session&, UiState& ui) {
               ui.show_about = true;
           }},
};

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

void menu_item(const Action& action, Session& session, UiState& ui) {
    const std::string label(action.name);
    const std::string keys(action.keys);
    const bool checked = action.checked != nullptr && action.checked(session, ui);
    if (ImGui::MenuItem(label.c_str(), keys.empty() ? nullptr : keys.c_str(), checked,
                        available(action, session, ui))) {
        action.run(session, ui);
    }
}

// File > Open recent: the files opened lately (remembered between runs).
void draw_recent_menu(Session& session) {
    const Settings* settings = session.settings();
    const bool any = settings != nullptr && !settings->recent.empty();
    if (!ImGui::BeginMenu("Open recent", any)) {
        return;
    }
    const std::vector<std::string> recent = settings->recent;  // opening one reorders the list
    for (const std::string& path : recent) {
        if (ImGui::MenuItem(path.c_str())) {
            session.open(path);
        }
    }
    ImGui::EndMenu();
}

}  // namespace

std::span<const Action> actions() {
    return kActions;
}

bool available(const Action& action, Session& session, const UiState& ui) {
    return action.available == nullptr || action.available(session, ui);
}

std::vector<const Action*> matching_actions(std::string_view query) {
    std::vector<std::string> words;
    std::string word;
    for (const char c : lower(query) + ' ') {
        if (c == ' ') {
            if (!word.empty()) {
                words.push_back(std::move(word));
            }
            word.clear();
        } else {
            word += c;
        }
    }
    std::vector<const Action*> found;
    for (const Action& action : kActions) {
        const std::string text = lower(action.menu) + " " + lower(action.name);
        if (std::all_of(words.begin(), words.end(),
                        [&](const std::string& w) { return text.find(w) != std::string::npos; })) {
            found.push_back(&action);
        }
    }
    return found;
}

void request_save_view(UiState& ui) {
    ui.save_view = "tessera-view-" + std::to_string(++ui.save_view_counter) + ".png";
}

void request_save_image(UiState& ui) {
    ui.save_image = "tessera-image-" + std::to_string(++ui.save_image_counter) + ".png";
}

void request_screenshot(UiState& ui) {
    ui.screenshot = "tessera-screenshot-" + std::to_string(++ui.screenshot_counter) + ".png";
}

void request_open_dialog(UiState& ui) {
    ui.show_open_dialog = true;
    ui.focus_open_field = true;
}

void copy_pixel_values(Session& session, UiState& ui) {
    if (!ui.pointer_image || session.current() == nullptr) {
        return;
    }
    const std::string text = pixel_values_text(*session.current(), *ui.pointer_image);
    if (!text.empty()) {
        ImGui::SetClipboardText(text.c_str());
        ui.message = "pixel values copied";
    }
}

void draw_menu_bar(Session& session, UiState& ui) {
    if (!ImGui::BeginMenuBar()) {
        return;
    }
    std::string_view menu;
    bool open = false;
    for (const Action& action : kActions) {
        if (action.menu != menu) {
            if (open) {
                ImGui::EndMenu();
            }
            menu = action.menu;
            open = ImGui::BeginMenu(std::string(menu).c_str());
        }
        if (open) {
            menu_item(action, session, ui);
            if (action.name == "Open...") {
                draw_recent_menu(session);
            }
        }
    }
    if (open) {
        ImGui::EndMenu();
    }
    ImGui::EndMenuBar();
}

void draw_command_palette(Session& session, UiState& ui) {
    CommandPalette& palette = ui.palette;
    if (palette.open && !ImGui::IsPopupOpen("Commands")) {
        ImGui::OpenPopup("Commands");
        palette.query.fill('\0');
        palette.selected = 0;
        palette.focus = true;
    }
    palette.open = false;
    const ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x / 2, io.DisplaySize.y / 5), ImGuiCond_Always,
                            ImVec2(0.5f, 0.0f));
    ImGui::SetNextWindowSize(ImVec2(520, 0));
    palette.shown = ImGui::BeginPopup("Commands");
    if (!palette.shown) {
        return;
    }
    if (std::exchange(palette.focus, false)) {
        ImGui::SetKeyboardFocusHere();
    }
    ImGui::SetNextItemWidth(-1);
    const bool entered =
        ImGui::InputTextWithHint("##query", "type a command's name", palette.query.data(),
                                 palette.query.size(), ImGuiInputTextFlags_EnterReturnsTrue);
    std::vector<const Action*> found = matching_actions(palette.query.data());
    std::erase_if(found, [&](const Action* c) { return !available(*c, session, ui); });
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_DownArrow))) {
        ++palette.selected;
    }
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_UpArrow))) {
        --palette.selected;
    }
    palette.selected =
        std::clamp(palette.selected, 0, std::max(0, static_cast<int>(found.size()) - 1));
    const Action* chosen = nullptr;
    if (ImGui::BeginTable("commands", 2)) {
        ImGui::TableSetupColumn("name", ImGuiTableColumnFlags_WidthStretch);
        ImGui::TableSetupColumn("keys", ImGuiTableColumnFlags_WidthFixed, 110.0f);
        for (std::size_t i = 0; i < found.size() && i < 14; ++i) {
            const Action& action = *found[i];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            const std::string label = std::string(action.menu) + ": " + std::string(action.name);
            if (ImGui::Selectable(label.c_str(), static_cast<int>(i) == palette.selected,
                                  ImGuiSelectableFlags_SpanAllColumns)) {
                chosen = &action;
            }
            ImGui::TableNextColumn();
            ImGui::TextDisabled("%s", std::string(action.keys).c_str());
        }
        ImGui::EndTable();
    }
    if (found.empty()) {
        ImGui::TextDisabled("no command matches");
    }
    if (entered && !found.empty()) {
        chosen = found[static_cast<std::size_t>(palette.selected)];
    }
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) {
        ImGui::CloseCurrentPopup();
    }
    if (chosen != nullptr) {
        ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
        palette.shown = false;
        chosen->run(session, ui);
        return;
    }
    ImGui::EndPopup();
}

}  // namespace tessera::app
