// The texels of one tile's texture for one channel: the tile's content plus a 1-pixel gutter on
// every side (repeating the edge where the gutter falls outside the level), in the texture's
// client format: native samples, except u32, which GPUs have no normalised 32-bit format for,
// as f32 (exact up to 2^24). Every tile is built this way, so tiles join without seams wherever
// they come from.
#pragma once

#include <cstddef>
#include <vector>

#include "core/image/ImageSource.h"

namespace tessera::core {

inline constexpr int kTileGutter = 1;

// The level rectangle a tile's texture reads: content grown by the gutter, clamped to the level.
Rect gutter_source(const Rect& content, std::int64_t level_width, std::int64_t level_height);

struct TileTexels {
    std::vector<std::byte> data;
    int width = 0;  // content + gutter
    int height = 0;
};

// `read` holds the samples of gutter_source(content, ...) in the channel's native type. A tile
// whose gutter lies wholly inside the level has its texels read already: `read` becomes them.
TileTexels gutter_texels(std::vector<std::byte> read, const Rect& source, const Rect& content,
                         SampleType type);

}  // namespace tessera::core
