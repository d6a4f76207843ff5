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

TileTexels gutter_texels(std::vector<std::byte> read, const Rect& source, const Rect& content,
                         SampleType type) {
    // Texel (0, 0) is pixel (content.x - 1, content.y - 1); edges repeat where clamped.
    TileTexels texels;
    texels.width = static_cast<int>(content.width) + 2 * kTileGutter;
    texels.height = static_cast<int>(content.height) + 2 * kTileGutter;
    const std::size_t in_size = sample_size(type);
    const bool to_float = type == SampleType::U32;
    const Rect whole{content.x - kTileGutter, content.y - kTileGutter, texels.width, texels.height};
    if (!to_float && source == whole) {
        texels.data = std::move(read);  // nothing clamped: the read is the texture
        return texels;
    }
    const std::size_t out_size = to_float ? sizeof(float) : in_size;
    texels.data.resize(static_cast<std::size_t>(texels.width) * texels.height * out_size);
    // Texel columns [left, right) come from the source row as they are; the ones outside repeat
    // its first or last sample.
    const int left = static_cast<int>(source.x - whole.x);
    const int right = left + static_cast<int>(source.width);
    for (int ty = 0; ty < texels.height; ++ty) {
        const std::int64_t y =
            std::clamp<std::int64_t>(whole.y + ty, source.y, source.y + source.height - 1);
        const std::byte* in =
            read.data() + static_cast<std::size_t>((y - source.y) * source.width) * in_size;
        std::byte* out =
            texels.data.data() + static_cast<std::size_t>(ty) * texels.width * out_size;
        if (to_float) {
            for (int tx = 0; tx < texels.width; ++tx) {
                const int sx = std::clamp(tx, left, right - 1) - left;
                const float value =
                    sample_as_float(in + static_cast<std::size_t>(sx) * in_size, type);
                std::memcpy(out + static_cast<std::size_t>(tx) * out_size, &value, sizeof value);
            }
            continue;
        }
        std::memcpy(out + static_cast<std::size_t>(left) * out_size, in,
                    static_cast<std::size_t>(source.width) * in_size);
        for (int tx = 0; tx < left; ++tx) {
            std::memcpy(out + static_cast<std::size_t>(tx) * out_size, in, in_size);
        }
        const std::byte* last = in + static_cast<std::size_t>(source.width - 1) * in_size;
        for (int tx = right; tx < texels.width; ++tx) {
            std::memcpy(out + static_cast<std::size_t>(tx) * out_size, last, in_size);
        }
    }
    return texels;
}

}  // namespace tessera::core
