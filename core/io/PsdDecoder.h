// Photoshop PSD: the flattened composite image (not the layers), 8/16-bit integer or 32-bit
// float samples, greyscale, RGB or multichannel, raw or PackBits (RLE). Every channel is kept as
// stored, alpha and extra channels included (no matte is removed). Sizes are checked against
// the file before anything is allocated, and every RLE row must decode to exactly one row.
#pragma once

#include <memory>
#include <vector>

#include "core/io/ImageLoader.h"

namespace tessera::core {

Result<std::vector<Image>> decode_psd(const std::shared_ptr<const MappedFile>& file,
                                      const LoadOptions& options);

}  // namespace tessera::core
