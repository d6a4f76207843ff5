// Decoders built on stb_image (Debian's libstb): PNG, JPEG, BMP, TGA, GIF (first frame), PSD
// (composite) and Radiance HDR. 16-bit PNG/PSD stay 16-bit, HDR stays float; 8/16-bit data is
// marked sRGB-encoded. stb_image does not check PNG chunk CRCs, so PNG structure and checksums
// are verified here first, refusing what libpng would refuse.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "core/ImageLoader.h"

namespace tessera::core {

Result<std::vector<Image>> decode_stb(const std::shared_ptr<const MappedFile>& file,
                                      const LoadOptions& options);

// TGA has no signature: this asks stb_image whether the header is a plausible TGA header.
bool sniff_tga(std::span<const std::byte> bytes);

// Walks the chunks of a PNG: each must lie inside the file with a matching CRC-32, IHDR first,
// at least one IDAT, and IEND present.
Result<void> verify_png_structure(std::span<const std::byte> bytes);

}  // namespace tessera::core
