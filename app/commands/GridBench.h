// `tessera bench --grid FILE...`: several images side by side in a grid with linked pan and zoom
// (the window's grid mode, headless), along a camera path (fit, zoom in to 8x, pan, zoom out),
// against the same path with the first image alone filling the same target. Reported for both,
// in one run: frame times (CPU, the GL work finished each frame), frames not final, peak texture
// memory against the budget, and the ratios, per cell shown.
#pragma once

#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli/MemoryOptions.h"
#include "core/base/Result.h"

namespace tessera::app {

struct GridBenchRequest {
    std::vector<std::string> files;
    int frames = 240;  // per path
    std::pair<int, int> size{1600, 1000};
    bool json = false;
    MemoryRequest memory;
};

std::string grid_bench_usage();
// Arguments after `bench`, one of them --grid.
core::Result<GridBenchRequest> parse_grid_bench_arguments(
    std::span<const std::string_view> arguments);
int run_grid_bench(const GridBenchRequest& request, std::FILE* out, std::FILE* err);

}  // namespace tessera::app
