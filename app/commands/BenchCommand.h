// `tessera bench FILE`: a deterministic camera path over an image, drawn frame by frame in a
// window or headlessly (--headless, EGL), with a JSON summary of frame times (CPU and GPU),
// uploads, texture memory and peak RSS. The image streams through its pyramid within the memory
// budgets, or with --upload-all is uploaded at full resolution as viewers without a pyramid do.
// Before the path: frames at fit until the view is final (time to the first covered frame and to
// the final one, from launch), then a 1:1 view of the middle until final (time from the jump).
// Paths (frames are shared out by weight):
//   full    fit 5%, zoom in to 8x about the centre 20%, pan across the whole width at 8x 35%,
//           zoom out to fit 15%, toggle each visible channel off and on 15%, cycle a colormap 10%
//   zoom    zoom in 50%, zoom out 50%
//   pan     pan across the whole width at 8x
//   toggle  toggle channels 60%, cycle a colormap 40%
#pragma once

#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "app/cli/MemoryOptions.h"
#include "core/base/Result.h"
#include "core/io/ImageLoader.h"

namespace tessera::app {

struct BenchRequest {
    std::string file;
    std::string path = "full";
    int frames = 600;
    std::pair<int, int> size{1280, 720};
    std::optional<std::string> json;
    bool headless = false;
    std::optional<int> tile_size;  // default: 512 streamed, 2048 with --upload-all
    bool upload_all = false;       // every tile of the view at full resolution, no pyramid
    MemoryRequest memory;
    int max_texture_size = 0;
    core::LoadOptions load;  // --channel-axis, --axes
};

std::string bench_usage();
core::Result<BenchRequest> parse_bench_arguments(std::span<const std::string_view> arguments);
int run_bench(const BenchRequest& request, std::FILE* out, std::FILE* err);

}  // namespace tessera::app
