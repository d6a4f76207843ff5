// OpenEXR files tinyexr cannot decode, through the OpenEXR library (Debian's libopenexr-dev):
// PXR24, B44, B44A, DWAA and DWAB compression, and luminance/chroma files with subsampled
// channels (Y, RY, BY), which become R, G, B (and A) as OpenEXR's RGBA interface converts them,
// with the file's chromaticities. Every part at full resolution, channels in their stored type
// (half, float, uint). The header has been validated by scan_exr first (core/io/ExrHeader), so
// nothing impossible reaches the library; its exceptions become errors.
#pragma once

#include <span>
#include <vector>

#include "core/image/Image.h"
#include "core/io/ExrHeader.h"

namespace tessera::core {

Result<std::vector<Image>> decode_exr_openexr(std::span<const std::byte> bytes,
                                              const std::vector<ExrPart>& parts);

}  // namespace tessera::core
