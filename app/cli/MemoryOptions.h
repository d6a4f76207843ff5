// Memory options shared by the window, `tessera render` and `tessera bench`: the GPU texture
// budget, the CPU cache of pyramid tiles and the bytes uploaded per frame (the streaming image
// never exceeds the first two and spreads uploads by the third). The first two default to less
// on a software renderer, whose textures live in main memory beside the tile cache.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/base/Result.h"
#include "gl/image/StreamingImage.h"

namespace tessera::app {

struct MemoryRequest {
    std::optional<int> gpu_memory_mb;  // unset: the renderer's default (below)
    std::optional<int> cpu_cache_mb;
    int upload_mb = 48;  // per frame
};

// Defaults in MB. A GPU keeps textures in its own memory; a software renderer keeps them in the
// process, so there one small budget of textures plus tile cache stays under a quarter of the
// 1.8 GB image of the README's table, with room for a 1:1 view of a 2560x1440 window of RGBA
// float32.
struct MemoryDefaults {
    int gpu_memory_mb;
    int cpu_cache_mb;
};
inline constexpr MemoryDefaults kGpuMemoryDefaults{1024, 256};
inline constexpr MemoryDefaults kSoftwareMemoryDefaults{128, 48};

// If arguments[i] is a memory option, parses it (and its value, advancing i) and returns true.
core::Result<bool> parse_memory_option(std::span<const std::string_view> arguments, std::size_t& i,
                                       MemoryRequest& request);
// The option lines for --help texts.
std::string memory_options_help();
// The budgets asked for, or the defaults of the renderer (software or not).
gl::StreamingOptions streaming_options(const MemoryRequest& request, bool software_renderer);

}  // namespace tessera::app
