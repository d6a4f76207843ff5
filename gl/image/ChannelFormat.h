// The texture format of one channel's tiles: R8, R16, R16F, R32F; u32 has no normalised 32-bit
// format and is uploaded as R32F (core/lod/TileTexels converts it).
#pragma once

#include "core/image/SampleType.h"
#include "gl/objects/Texture2D.h"

namespace tessera::gl {

PixelFormat channel_texture_format(core::SampleType type);

}  // namespace tessera::gl
