// Decoders built on stb_image (Debian's libstb): PNG, BMP, TGA and GIF (first frame).
// 16-bit PNGs stay 16-bit; 8/16-bit data is
// marked sRGB-encoded. stb_image does not check PNG chunk CRCs, so PNG structure and checksums
// are verified here first, refusing what libpng would refuse; nor does it check claimed sizes
// against the data, which HeaderChecks does for every format first.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "core/io/ImageLoader.h"

namespace tessera::core {

// One entry per format: each checks its header against the file (HeaderChecks.h) before
// stb_image allocates, then decodes with stb_image. PNGs come here from core/io/PngDecoder
// (palette, 1/2/4-bit, interlaced, tRNS), `checked` when it has checked the file already.
Result<std::vector<Image>> decode_png_stb(const std::shared_ptr<const MappedFile>& file,
                                          const LoadOptions& options, bool checked);
Result<std::vector<Image>> decode_bmp(const std::shared_ptr<const MappedFile>& file,
                                      const LoadOptions& options);
Result<std::vector<Image>> decode_gif(const std::shared_ptr<const MappedFile>& file,
                                      const LoadOptions& options);
Result<std::vector<Image>> decode_tga(const std::shared_ptr<const MappedFile>& file,
                                      const LoadOptions& options);

// TGA has no signature: a plausible 18-byte TGA header (HeaderChecks.h). Such a header can never
// carry another format's signature, so stb_image decodes it as TGA and nothing else.
bool sniff_tga(std::span<const std::byte> bytes);

// Names of interleaved channels by their count: Y, Y A, R G B, R G B A.
const char* interleaved_channel_name(int channel, int channel_count);

}  // namespace tessera::core
