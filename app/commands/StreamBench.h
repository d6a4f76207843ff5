// `tessera bench --stream`: a client and the viewer in one run, through the real socket. The
// client (a thread of its own) sends square single-channel float32 frames as fast as it can, as
// one UpdateImage per frame or in tiles as tev's Python client does; the viewer (headless EGL)
// takes what arrives and draws at fit or at 1:1, as the window would. Reported per run: frames
// sent, complete new frames on screen per second, latency from a frame's last byte to the draw
// that shows it, the viewer's CPU time per frame, and bytes uploaded per frame against the
// visible tiles.
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

struct StreamBenchRequest {
    int image = 4096;                // frames are image x image
    std::vector<int> tiles{0, 128};  // 0: one packet per frame
    std::vector<std::string> views{"fit", "1:1"};
    double seconds = 4;
    std::pair<int, int> size{1280, 720};
    std::optional<std::string> json;
    MemoryRequest memory;
};

std::string stream_bench_usage();
// Arguments after `bench`, one of them --stream.
core::Result<StreamBenchRequest> parse_stream_bench_arguments(
    std::span<const std::string_view> arguments);
int run_stream_bench(const StreamBenchRequest& request, std::FILE* out, std::FILE* err);

}  // namespace tessera::app
