// `tessera bench FILE`: a deterministic camera path over an image, drawn frame by frame in a
// window or headlessly (--headless, EGL), with a JSON summary of frame times (CPU and GPU),
// uploads, texture memory and time to first frame. Paths (frames are shared out by weight):
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

#include "core/ImageLoader.h"
#include "core/Result.h"

namespace tessera::app {

struct BenchRequest {
    std::string file;
    std::string path = "full";
    int frames = 600;
    std::pair<int, int> size{1280, 720};
    std::optional<std::string> json;
    bool headless = false;
    int tile_size = 2048;
    int max_texture_size = 0;
    core::ChannelAxis channel_axis = core::ChannelAxis::Auto;
};

std::string bench_usage();
core::Result<BenchRequest> parse_bench_arguments(std::span<const std::string_view> arguments);
int run_bench(const BenchRequest& request, std::FILE* out, std::FILE* err);

}  // namespace tessera::app
