// PNG: the structure and every chunk's CRC are checked first (HeaderChecks.h). Non-interlaced 8-
// and 16-bit grey, grey+alpha, RGB and RGBA without a tRNS chunk (what photographs, renders,
// scientific and screenshot PNGs are) are decoded here: the IDAT stream inflated at once by
// libdeflate (Debian's libdeflate-dev, several times faster than zlib or stb_image's inflate),
// the rows unfiltered, and the samples split into planes on every core. Everything else (palette,
// 1/2/4-bit, Adam7-interlaced, tRNS transparency) goes to stb_image (core/io/StbDecoder), with
// the same channels and values either way. The image data must decompress to exactly what the
// header's rows need, as stb_image requires; an unknown row filter is an error naming the row.
#pragma once

#include <memory>
#include <vector>

#include "core/io/ImageLoader.h"

namespace tessera::core {

Result<std::vector<Image>> decode_png(const std::shared_ptr<const MappedFile>& file,
                                      const LoadOptions& options);

}  // namespace tessera::core
