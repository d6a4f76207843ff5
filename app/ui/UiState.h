// UiState: what the inspector's interface shows besides the images: panels, dialogs, the
// viewport rectangle and pointer, and requests (quit, screenshot) that the main loop carries out.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "app/ui/FileBrowser.h"
#include "core/view/Spaces.h"

namespace tessera::app {

struct ViewportRect {
    float x = 0;  // window pixels, origin top-left
    float y = 0;
    float width = 1;
    float height = 1;

    bool contains(float px, float py) const {
        return px >= x && py >= y && px < x + width && py < y + height;
    }
};

// The analysis panel's choices (core/derive): an operation, its inputs (an image of the list
// and a channel each), block or window and size, Manders' thresholds, a projection's axis.
struct AnalysisForm {
    int operation = 4;  // index into the panel's list: pearson
    std::array<int, 2> image{0, 0};
    std::array<int, 2> channel{0, 1};
    bool window = false;
    std::array<int, 2> size{10, 10};
    std::array<float, 2> threshold{0, 0};
    int axis = 0;
};

// The command palette (Ctrl+Shift+P): its search text and the row chosen.
struct CommandPalette {
    bool open = false;   // asked to open
    bool shown = false;  // on screen in the last frame
    bool focus = false;
    std::array<char, 256> query{};
    int selected = 0;
};

struct UiState {
    bool show_panels = true;
    bool show_overlay = false;   // the FPS overlay (P, --fps)
    bool show_pending = true;    // mark tiles that are not final yet (L)
    bool show_colorbar = false;  // the visible channels' colour bars (K)
    bool show_scalebar = false;  // a scale bar where the pixel size is known (View menu)
    bool show_help = false;
    bool show_about = false;
    bool show_metadata = false;
    CommandPalette palette;
    bool show_open_dialog = false;
    bool focus_open_field = false;
    std::array<char, 4096> open_path{};
    // The Open dialog's browser: the directory listed (empty: not yet), whether every file is
    // listed or only images.
    DirectoryListing browser;
    bool browser_all_files = false;
    bool quit = false;
    std::optional<std::string> screenshot;  // write the next frame here
    std::optional<std::string> save_view;   // write the image area's composite here (Ctrl+S)
    std::optional<std::string> save_image;  // the whole image at full resolution (Ctrl+Shift+S)
    int save_image_counter = 0;
    int save_view_counter = 0;
    int screenshot_counter = 0;
    std::string message;  // a status message (screenshot written, errors of actions)
    ViewportRect viewport;
    float framebuffer_scale = 1;  // framebuffer pixels per window pixel (2 on HiDPI displays)
    bool dragging = false;        // a drag that started on the image pans it
    bool dragging_wipe = false;   // a drag that started on the wipe divider moves it
    std::optional<std::array<double, 2>> pointer_image;  // image point under the pointer
    std::vector<std::int64_t> shown_position;  // the slice on screen (the last while one loads)
    std::string ipc_listening;                 // where the IPC server listens; empty: it does not
    std::vector<std::string> ipc_clients;      // connected IPC clients
    AnalysisForm analysis;
    // Grid mode: the cells (window pixels) and the document each shows; pan and zoom linked.
    std::vector<core::WindowRect> cells;
    std::vector<std::size_t> cell_documents;
    bool grid_linked = true;
    int grid_columns = 0;  // 0: the shape that makes the cells largest
    int hovered_cell = -1;
    bool compare_unfolded = false;
    int layer_choice = 0;  // the image the layers section would add  // the compare section was
                           // last unfolded for a comparison

    // The same for a grid cell.
    core::Spaces cell_spaces(std::size_t cell) const {
        return core::Spaces(cells[cell], framebuffer_scale);
    }
    // Conversions between window, framebuffer (output) and image pixels for the viewport.
    core::Spaces spaces() const {
        return core::Spaces({viewport.x, viewport.y, viewport.width, viewport.height},
                            framebuffer_scale);
    }
};

}  // namespace tessera::app
