// PNM decoder (PBM, PGM, PPM; ASCII P1-P3 and binary P4-P6). stb_image reads only P5/P6, so
// Tessera parses all six itself. Samples keep their stored values: maxval <= 255 gives u8,
// larger gives u16 (not rescaled). Bitmaps (P1/P4) become u8 with 1 (black) as 0 and 0 as 255.
#pragma once

#include <memory>
#include <vector>

#include "core/io/ImageLoader.h"

namespace tessera::core {

Result<std::vector<Image>> decode_pnm(const std::shared_ptr<const MappedFile>& file,
                                      const LoadOptions& options);

}  // namespace tessera::core
