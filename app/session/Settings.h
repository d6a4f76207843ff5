// Settings remembered between runs of the window: its size, which panels and overlays are on,
// the files opened lately, and per file the display settings it was last shown with (restored
// when the same file is opened again; Reset gives the defaults back). They live in
// $XDG_CONFIG_HOME/tessera/settings.txt (~/.config/... without it), a text file of one record per
// line, tab-separated, that this module alone reads and writes. Scripted and headless runs never
// touch it, nor does --no-settings; --settings FILE uses another file, even when scripted.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/Result.h"
#include "core/display/DisplaySettings.h"
#include "core/image/ImageSource.h"

namespace tessera::app {

// A file's display settings by channel name: restored only onto the same channels.
struct RememberedDisplay {
    std::string path;
    std::vector<std::string> channel_names;
    core::DisplaySettings display;
};

struct Settings {
    static constexpr std::size_t kRecentFiles = 10;
    static constexpr std::size_t kRememberedFiles = 100;

    int window_width = 0;  // 0: not remembered
    int window_height = 0;
    bool show_panels = true;
    bool show_overlay = false;
    bool show_colorbar = false;
    bool show_scalebar = false;
    bool show_pending = true;
    bool grid_linked = true;
    std::vector<std::string> recent;          // most recent first
    std::vector<RememberedDisplay> displays;  // most recent first
    std::size_t skipped_lines = 0;            // malformed lines read (and left out)
};

// Where settings live: $XDG_CONFIG_HOME/tessera/settings.txt, else $HOME/.config/...; nullopt
// when neither variable is set.
std::optional<std::filesystem::path> default_settings_path();

// Parses the text of a settings file. Never fails: unknown records are ignored and malformed
// ones skipped (counted), so a damaged file costs what it damaged, never the start-up.
Settings parse_settings(std::string_view text);
std::string format_settings(const Settings& settings);

// A missing file gives the defaults; a file that cannot be read is an error naming it.
core::Result<Settings> load_settings(const std::filesystem::path& path);
// Written whole to a temporary file beside it and renamed over it: a crash never leaves half a
// file.
core::Result<void> save_settings(const Settings& settings, const std::filesystem::path& path);

// Adds a file to the front of the recent list (once, at most kRecentFiles).
void remember_recent(Settings& settings, const std::string& path);
// Records a file's display at the front of the list (once, at most kRememberedFiles).
void remember_display(Settings& settings, RememberedDisplay display);
// The display remembered for `path`, if its channels are named as `channels` are.
const core::DisplaySettings* remembered_display(const Settings& settings, const std::string& path,
                                                const std::vector<core::ChannelInfo>& channels);

}  // namespace tessera::app
