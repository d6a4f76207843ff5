// Radiance HDR (.hdr, .pic): 32-bit RGBE pixels, flat or run-length encoded scanlines, the
// standard "-Y H +X W" orientation, decoded to three float channels exactly as stb_image does
// (value * 2^(exponent - 136)). The header's size is checked against the file before anything
// is allocated, and every run is checked: a run of length 0 or data that ends early is an
// error, never an endless loop or invented pixels.
#pragma once

#include <memory>
#include <vector>

#include "core/io/ImageLoader.h"

namespace tessera::core {

Result<std::vector<Image>> decode_hdr(const std::shared_ptr<const MappedFile>& file,
                                      const LoadOptions& options);

}  // namespace tessera::core
