// Memory options shared by the window, `tessera render` and `tessera bench`: the GPU texture
// budget, the CPU cache of pyramid tiles and the bytes uploaded per frame (the streaming image
// never exceeds the first two and spreads uploads by the third).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/base/Result.h"
#include "gl/image/StreamingImage.h"

namespace tessera::app {

struct MemoryRequest {
    int gpu_memory_mb = 1024;
    int cpu_cache_mb = 256;
    int upload_mb = 48;  // per frame
};

// If arguments[i] is a memory option, parses it (and its value, advancing i) and returns true.
core::Result<bool> parse_memory_option(std::span<const std::string_view> arguments, std::size_t& i,
                                       MemoryRequest& request);
// The option lines for --help texts.
std::string memory_options_help();
gl::StreamingOptions streaming_options(const MemoryRequest& request);

}  // namespace tessera::app
