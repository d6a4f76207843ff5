#include "app/ui/Shortcuts.h"

#include <array>

// GLFW only for its key codes: ImGui 1.86's GLFW backend indexes io.KeysDown by them.
#include <GLFW/glfw3.h>

#include "app/ui/Actions.h"
#include "app/ui/Panels.h"
#include "core/display/DisplayActions.h"

namespace tessera::app {
namespace {

constexpr std::array kShortcuts{
    Shortcut{"1-9", "show or hide channel 1-9"},
    Shortcut{"Shift+1-9", "solo channel 1-9 (again: show all)"},
    Shortcut{"C", "next colormap for the selected channel (the one last clicked)"},
    Shortcut{"A",
             "auto-contrast every visible channel (0.1-99.9 percentiles; of the slice "
             "shown, or the whole stack as the panel says)"},
    Shortcut{"R", "reset the display settings"},
    Shortcut{"F", "fit the image to the window"},
    Shortcut{"0", "1:1 (one image pixel per screen pixel)"},
    Shortcut{"+, -", "zoom in, out"},
    Shortcut{"arrows", "pan"},
    Shortcut{"Ctrl+R", "reload the image from disk"},
    Shortcut{"PageUp, [", "previous image"},
    Shortcut{"PageDown, ]", "next image"},
    Shortcut{"Ctrl+O", "open a file: browse, or type a path (Tab completes)"},
    Shortcut{"Ctrl+W", "close the image"},
    Shortcut{"Ctrl+C", "copy the values of the pixel under the pointer (every channel)"},
    Shortcut{", .", "previous, next slice of the stack axis used last"},
    Shortcut{"Ctrl+wheel", "previous, next slice"},
    Shortcut{"Space", "play or pause the stack axis used last"},
    Shortcut{"Shift+click", "in the image list: compare the others against this one (again: stop)"},
    Shortcut{"E, Shift+E", "comparing: next, previous error metric (E, AE, SE, RAE, RSE)"},
    Shortcut{"B", "comparing: show the reference in the image's place, or the difference"},
    Shortcut{"W", "comparing: wipe (the image left of a divider you drag, the reference right)"},
    Shortcut{"G", "grid: every open image side by side, or one at a time"},
    Shortcut{"Shift+G", "grid: link or unlink pan and zoom across the cells"},
    Shortcut{"I", "metadata: everything the file says about the image (EXR attributes, ...)"},
    Shortcut{"Tab", "hide or show the panels"},
    Shortcut{"P", "show or hide the FPS overlay"},
    Shortcut{"L", "mark tiles still loading (on by default)"},
    Shortcut{"K", "colour bars: each visible channel's colormap and limits (in saved views too)"},
    Shortcut{"Ctrl+S", "save the view: the image area's pixels as shown (tessera-view-N.png)"},
    Shortcut{"Ctrl+Shift+S",
             "save the whole image at full resolution as shown (tessera-image-N.png)"},
    Shortcut{"F12", "screenshot (tessera-screenshot-N.png)"},
    Shortcut{"Ctrl+Shift+P", "command palette: every action by name, searchable"},
    Shortcut{"?, F1", "this help"},
    Shortcut{"Esc", "close the help or the open dialog (never quits)"},
    Shortcut{"Ctrl+Q", "quit"},
    Shortcut{"mouse", "drag to pan, wheel to zoom about the pointer"},
};

bool pressed(int key) {
    return ImGui::IsKeyPressed(key, false);
}
bool pressed_repeat(int key) {
    return ImGui::IsKeyPressed(key, true);
}

}  // namespace

std::span<const Shortcut> shortcuts() {
    return kShortcuts;
}

void toggle_channel(ImageDocument& document, std::size_t channel) {
    // Visibility only: the selected channel (what C recolours) follows clicks, so hiding a
    // channel never makes the next C recolour one nobody can see.
    core::toggle_channel(document.display(), channel);
}

void solo_channel(ImageDocument& document, std::size_t channel) {
    core::solo_channel(document.display(), channel);
    if (channel < document.display().channels.size()) {
        document.selected_channel = channel;
    }
}

void cycle_colormap(ImageDocument& document, std::size_t channel) {
    core::cycle_colormap(document.display(), channel);
}

void auto_contrast(ImageDocument& document, std::size_t channel) {
    if (const auto* statistics = document.auto_statistics()) {
        core::auto_contrast(document.display(), *statistics, channel);
    } else {  // the plane's statistics are on their way: applied when they arrive
        document.auto_pending = true;
        document.auto_pending_channel = static_cast<int>(channel);
    }
}

void auto_contrast_visible(ImageDocument& document) {
    if (const auto* statistics = document.auto_statistics()) {
        core::auto_contrast_visible(document.display(), *statistics);
    } else {
        document.auto_pending = true;
        document.auto_pending_channel = -1;
    }
}

void full_range(ImageDocument& document, std::size_t channel) {
    core::full_range(document.display(), document.statistics(), channel);
}

void reset_display(ImageDocument& document) {
    document.display() =
        core::default_display(document.image().source->channels(), document.statistics(),
                              document.image().metadata.transfer);
}

void apply_shortcuts(Session& session, UiState& ui, const ImGuiIO& io) {
    if (io.WantTextInput) {
        return;  // the keyboard belongs to the text field
    }
    // Esc only closes what is open (ImGui closes its own pop-ups and combos on it): a stray
    // Esc never loses the session. Quitting takes Ctrl+Q (or the window's close button).
    if (pressed(GLFW_KEY_ESCAPE)) {
        ui.show_help = false;
        ui.show_about = false;
        ui.show_metadata = false;
        ui.show_open_dialog = false;
    }
    if (io.KeyCtrl && io.KeyShift && pressed(GLFW_KEY_P)) {
        ui.palette.open = true;
        return;
    }
    if (pressed(GLFW_KEY_Q) && io.KeyCtrl) {
        ui.quit = true;
    }
    if (pressed(GLFW_KEY_F1) || (pressed(GLFW_KEY_SLASH) && io.KeyShift)) {
        ui.show_help = !ui.show_help;
    }
    if (pressed(GLFW_KEY_TAB)) {
        ui.show_panels = !ui.show_panels;
    }
    if (pressed(GLFW_KEY_G) && !io.KeyCtrl) {
        if (io.KeyShift) {
            ui.grid_linked = !ui.grid_linked;
        } else {
            session.set_grid(!session.grid());
        }
    }
    if (pressed(GLFW_KEY_L) && !io.KeyCtrl) {
        ui.show_pending = !ui.show_pending;
    }
    if (pressed(GLFW_KEY_I) && !io.KeyCtrl) {
        ui.show_metadata = !ui.show_metadata;
    }
    if (pressed(GLFW_KEY_K) && !io.KeyCtrl) {
        ui.show_colorbar = !ui.show_colorbar;
    }
    if (pressed(GLFW_KEY_P) && !io.KeyCtrl) {
        ui.show_overlay = !ui.show_overlay;
    }
    if (pressed(GLFW_KEY_F12)) {
        request_screenshot(ui);
    }
    if (io.KeyCtrl && pressed(GLFW_KEY_S)) {
        io.KeyShift ? request_save_image(ui) : request_save_view(ui);
    }
    if (io.KeyCtrl && pressed(GLFW_KEY_O)) {
        request_open_dialog(ui);
    }
    if (io.KeyCtrl && pressed(GLFW_KEY_W)) {
        session.close_current();
    }
    if (pressed(GLFW_KEY_PAGE_UP) || pressed(GLFW_KEY_LEFT_BRACKET)) {
        session.previous();
    }
    if (pressed(GLFW_KEY_PAGE_DOWN) || pressed(GLFW_KEY_RIGHT_BRACKET)) {
        session.next();
    }
    if (io.KeyCtrl && pressed(GLFW_KEY_R)) {
        session.reload_current();
        return;
    }
    if (io.KeyCtrl && pressed(GLFW_KEY_C)) {
        copy_pixel_values(session, ui);
    }
    ImageDocument* document = session.current();
    if (document == nullptr || document->state != DocumentState::Ready || io.KeyCtrl) {
        return;
    }
    for (int n = 0; n < 9; ++n) {
        if (pressed(GLFW_KEY_1 + n)) {
            const auto channel = static_cast<std::size_t>(n);
            io.KeyShift ? solo_channel(*document, channel) : toggle_channel(*document, channel);
        }
    }
    if (pressed(GLFW_KEY_C)) {
        cycle_colormap(*document, document->selected_channel);
    }
    if (pressed(GLFW_KEY_A)) {
        auto_contrast_visible(*document);
    }
    if (pressed(GLFW_KEY_R)) {
        reset_display(*document);
    }
    if (pressed_repeat(GLFW_KEY_COMMA)) {
        document->dims.step(-1);
    }
    if (pressed_repeat(GLFW_KEY_PERIOD)) {
        document->dims.step(1);
    }
    if (pressed(GLFW_KEY_SPACE)) {
        document->dims.toggle_play(ImGui::GetTime());
    }
    if (const auto& comparison = session.comparison()) {
        if (pressed(GLFW_KEY_E)) {
            const int step = io.KeyShift ? core::kErrorMetricCount - 1 : 1;
            session.set_metric(static_cast<core::ErrorMetric>(
                (static_cast<int>(comparison->metric) + step) % core::kErrorMetricCount));
        }
        if (pressed(GLFW_KEY_B)) {
            session.toggle_show_reference();
        }
        if (pressed(GLFW_KEY_W)) {
            session.toggle_wipe();
        }
    }
    core::ViewController& view = document->view;
    const double cx = ui.viewport.width / 2.0;
    const double cy = ui.viewport.height / 2.0;
    if (pressed(GLFW_KEY_F)) {
        view.fit();
    }
    if (pressed(GLFW_KEY_0) || pressed(GLFW_KEY_KP_0)) {
        view.one_to_one();
    }
    if (pressed_repeat(GLFW_KEY_EQUAL) || pressed_repeat(GLFW_KEY_KP_ADD)) {
        view.zoom_steps(1, cx, cy);
    }
    if (pressed_repeat(GLFW_KEY_MINUS) || pressed_repeat(GLFW_KEY_KP_SUBTRACT)) {
        view.zoom_steps(-1, cx, cy);
    }
    const double step_x = ui.viewport.width * 0.1;
    const double step_y = ui.viewport.height * 0.1;
    if (pressed_repeat(GLFW_KEY_LEFT))
        view.pan_by(step_x, 0);
    if (pressed_repeat(GLFW_KEY_RIGHT))
        view.pan_by(-step_x, 0);
    if (pressed_repeat(GLFW_KEY_UP))
        view.pan_by(0, step_y);
    if (pressed_repeat(GLFW_KEY_DOWN))
        view.pan_by(0, -step_y);
}

}  // namespace tessera::app
