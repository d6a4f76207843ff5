// Readback: copies pixels of the bound read framebuffer into an RgbaImage, top row first
// (GL's rows run bottom-up; the flip happens here, once).
#pragma once

#include "core/image/RgbaImage.h"

namespace tessera::gl {

core::RgbaImage read_rgba8(int x, int y, int width, int height);

}  // namespace tessera::gl
