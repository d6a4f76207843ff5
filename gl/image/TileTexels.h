// The texels of one tile's texture for one channel: the tile's content plus a 1-pixel gutter on
// every side (repeating the edge where the gutter falls outside the level), in the texture's
// client format. TiledImage and StreamingImage both build tiles this way, so tiles join without
// seams wherever they come from.
#pragma once

#include <cstddef>
#include <vector>

#include "core/image/ImageSource.h"
#include "gl/objects/Texture2D.h"

namespace tessera::gl {

// R8, R16, R16F, R32F; u32 has no normalised 32-bit format and is uploaded as R32F.
PixelFormat channel_texture_format(core::SampleType type);

// The level rectangle a tile's texture reads: content grown by the gutter, clamped to the level.
core::Rect gutter_source(const core::Rect& content, std::int64_t level_width,
                         std::int64_t level_height);

struct TileTexels {
    std::vector<std::byte> data;
    int width = 0;  // content + gutter
    int height = 0;
};

// `read` holds the samples of gutter_source(content, ...) in the channel's native type.
TileTexels gutter_texels(const std::vector<std::byte>& read, const core::Rect& source,
                         const core::Rect& content, core::SampleType type);

}  // namespace tessera::gl
