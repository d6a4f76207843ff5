// JPEG through libjpeg-turbo (Debian's libjpeg62-turbo): baseline, extended and progressive,
// 8-bit greyscale, YCbCr (shown as RGB) and Adobe CMYK/YCCK (converted to RGB as stb_image did).
// Every libjpeg error comes back as an error, never an exit; so do the warnings after which
// libjpeg would invent pixels (data that ends early, corrupt entropy-coded data), since a wrong
// pixel is worse than none. The header's size is checked against the file before decoding.
#pragma once

#include <memory>
#include <vector>

#include "core/io/ImageLoader.h"

namespace tessera::core {

Result<std::vector<Image>> decode_jpeg(const std::shared_ptr<const MappedFile>& file,
                                       const LoadOptions& options);

}  // namespace tessera::core
