// OpenEXR decoder. Files with a part larger than LoadOptions::decode_whole_below decoded are read
// by region (core/io/OpenExrRegion); the others are decoded whole: single- and multi-part,
// scanline and tiled (level 0 of mip/rip maps), half/float/uint channels kept in their types, the
// data window honoured. Headers, offset tables and chunk headers are first validated by
// ExrHeader. NONE, RLE and ZIPS go to tinyexr (without its own threads, so an exception it
// throws reaches the loader, which reports it); ZIP and PIZ to the OpenEXR library, measured
// faster; PXR24, B44, B44A, DWAA, DWAB and subsampled luminance/chroma channels, which tinyexr
// cannot decode correctly, to the OpenEXR library (core/io/OpenExrDecoder). Deep data is refused
// with a message naming it.
#pragma once

#include <memory>
#include <vector>

#include "core/io/ImageLoader.h"

namespace tessera::core {

Result<std::vector<Image>> decode_exr(const std::shared_ptr<const MappedFile>& file,
                                      const LoadOptions& options);

}  // namespace tessera::core
