// `tessera render FILE -o OUT.png [options]`: one image composited headlessly (EGL, no window, no
// X server) or with the CPU reference (--cpu), written as an 8-bit sRGB RGBA PNG. Channel names
// are those `tessera info` prints; unknown names and bad values fail with a message that says
// what is valid.
#pragma once

#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli/DisplayOptions.h"
#include "app/cli/MemoryOptions.h"
#include "core/compare/Difference.h"
#include "core/display/Annotations.h"
#include "core/display/DisplaySettings.h"
#include "core/io/ImageLoader.h"

namespace tessera::app {

struct RenderRequest {
    std::string file;
    std::string output;
    std::optional<std::pair<int, int>> size;
    std::optional<std::array<double, 4>> view;  // x0, y0, x1, y1
    DisplayRequest display;
    std::optional<core::Sampling> sampling;
    int tile_size = 512;
    int max_texture_size = 0;  // 0: the GPU's limit
    MemoryRequest memory;      // GPU budget, CPU cache, upload budget
    std::optional<std::string> part;
    bool cpu = false;
    core::LoadOptions load;  // --channel-axis, --axes
    PlaneRequest plane;      // --plane z=12,t=3
    // --reference B: FILE shown as its difference from B (the same plane of B), as --error says.
    std::optional<std::string> reference;
    std::optional<std::string> reference_part;
    core::ErrorMetric metric = core::ErrorMetric::AbsoluteError;
    // --grid: every FILE side by side, each in its own cell (--grid-columns N, or the shape that
    // makes the cells largest); --view then applies to every cell (linked).
    bool grid = false;
    int grid_columns = 0;
    // --colorbar: every visible channel's colour bar in the bottom-left corner (Annotations.h).
    bool colorbar = false;
    // --scalebar: a round physical length in the bottom-right corner, from --pixel-size or the
    // file's pixel size (OME-TIFF).
    bool scalebar = false;
    std::optional<core::PhysicalSize> pixel_size;
    std::vector<std::string> files;
};

std::string render_usage();
std::string render_help();

// arguments: everything after "render".
core::Result<RenderRequest> parse_render_arguments(std::span<const std::string_view> arguments);

int run_render(const RenderRequest& request, std::FILE* out, std::FILE* err);

}  // namespace tessera::app
