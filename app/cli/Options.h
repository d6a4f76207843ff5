// Command-line options of the `tessera` program: parsing into one struct, the usage line and
// the full help text (options and keyboard shortcuts, from the same tables the app uses).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli/DisplayOptions.h"
#include "app/cli/MemoryOptions.h"
#include "core/base/Result.h"
#include "core/display/Annotations.h"
#include "core/io/ImageLoader.h"

namespace tessera::app {

enum class Command { View, Info, Render, Bench, Derive, Compare };

struct Options {
    Command command = Command::View;
    bool json = false;                          // info: JSON instead of text
    core::LoadOptions load;                     // --channel-axis, --axes
    std::vector<std::string> render_arguments;  // render, bench, derive, compare: what follows
    bool show_help = false;
    bool show_version = false;
    std::vector<std::string> files;
    int window_width = 1280;
    int window_height = 800;
    bool size_given = false;                       // --size: not the remembered size
    bool settings = true;                          // --no-settings: neither read nor write them
    std::optional<std::string> settings_file;      // --settings FILE (even when scripted)
    std::optional<core::PhysicalSize> pixel_size;  // --pixel-size: every image's pixels
    std::optional<int> frames;                     // render this many frames, then exit
    std::optional<std::string> screenshot;         // write the window to this PNG before exiting
    std::optional<std::string> script;             // scripted input (app/Script.h)
    bool fps = false;                              // start with the FPS overlay shown
    std::optional<std::string> record_frames;      // one CSV row per frame
    DisplayRequest display;                        // initial display settings of every image
    MemoryRequest memory;                          // budgets of the session's streaming images
    std::optional<std::string> hostname;           // IPC: where to listen (and forward files to)
    bool ipc = true;                               // --no-ipc: neither listen nor forward
    bool new_window = false;                       // --new: never forward files to a running window
};

std::string usage_line();
std::string help_text();

// Parses argv (without the program name). Errors carry a message and are usage errors.
core::Result<Options> parse_options(std::span<const std::string_view> arguments);

}  // namespace tessera::app
