// OpenEXR decoder on tinyexr: single- and multi-part, scanline and tiled (level 0 of mip/rip
// maps), NONE/RLE/ZIPS/ZIP/PIZ, half/float/uint channels kept in their types, the data window
// honoured. Headers, offset tables and chunk headers are first validated by ExrHeader, so that
// tinyexr only sees files it decodes completely and correctly; what it cannot decode (PXR24,
// B44, B44A, DWAA, DWAB; deep data; subsampled luminance/chroma channels) is refused with a
// message naming the feature, never shown with wrong pixels. tinyexr runs without its own
// threads, so an exception it throws reaches the loader, which reports it.
#pragma once

#include <memory>
#include <vector>

#include "core/io/ImageLoader.h"

namespace tessera::core {

Result<std::vector<Image>> decode_exr(const std::shared_ptr<const MappedFile>& file,
                                      const LoadOptions& options);

}  // namespace tessera::core
