#include "core/lod/TileTexels.h"

#include <algorithm>
#include <cstring>

namespace tessera::core {

Rect gutter_source(const Rect& content, std::int64_t level_width, std::int64_t level_height) {
    const std::int64_t x0 = std::max<std::int64_t>(0, content.x - kTileGutter);
    const std::int64_t y0 = std::max<std::int64_t>(0, content.y - kTileGutter);
    return {x0, y0, std::min(level_width, content.x + content.width + kTileGutter) - x0,
            std::min(level_height, content.y + content.height + kTileGutter) - y0};
}

TileTexels gutter_texels(const std::vector<std::byte>& read, const Rect& source,
                         const Rect& content, SampleType type) {
    // Texel (0, 0) is pixel (content.x - 1, content.y - 1); edges repeat where clamped.
    TileTexels texels;
    texels.width = static_cast<int>(content.width) + 2 * kTileGutter;
    texels.height = static_cast<int>(content.height) + 2 * kTileGutter;
    const std::size_t in_size = sample_size(type);
    const bool to_float = type == SampleType::U32;
    const std::size_t out_size = to_float ? sizeof(float) : in_size;
    texels.data.resize(static_cast<std::size_t>(texels.width) * texels.height * out_size);
    for (int ty = 0; ty < texels.height; ++ty) {
        const std::int64_t y = std::clamp<std::int64_t>(content.y - kTileGutter + ty, source.y,
                                                        source.y + source.height - 1);
        for (int tx = 0; tx < texels.width; ++tx) {
            const std::int64_t x = std::clamp<std::int64_t>(content.x - kTileGutter + tx, source.x,
                                                            source.x + source.width - 1);
            const std::byte* in =
                read.data() +
                static_cast<std::size_t>((y - source.y) * source.width + (x - source.x)) * in_size;
            std::byte* out =
                texels.data.data() + (static_cast<std::size_t>(ty) * texels.width + tx) * out_size;
            if (to_float) {
                const float value = sample_as_float(in, type);
                std::memcpy(out, &value, sizeof value);
            } else {
                std::memcpy(out, in, in_size);
            }
        }
    }
    return texels;
}

}  // namespace tessera::core
