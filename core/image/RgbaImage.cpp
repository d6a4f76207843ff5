#include "core/image/RgbaImage.h"

#include <cstring>

#include <fmt/format.h>
#include <fmt/std.h>

// Debian's libstb carries the stb_image and stb_image_write implementations.
#include <stb_image.h>
#include <stb_image_write.h>

namespace tessera::core {

Result<void> write_png(const RgbaImage& image, const std::filesystem::path& path) {
    if (image.width <= 0 || image.height <= 0) {
        return Error{
            fmt::format("{}: cannot write an empty {}x{} image", path, image.width, image.height)};
    }
    const int ok = stbi_write_png(path.c_str(), image.width, image.height, 4, image.pixels.data(),
                                  image.width * 4);
    if (!ok) {
        return Error{fmt::format("{}: could not write PNG ({})", path, std::strerror(errno))};
    }
    return {};
}

Result<RgbaImage> read_rgba8(const std::filesystem::path& path) {
    int w = 0;
    int h = 0;
    int components = 0;
    stbi_uc* data = stbi_load(path.c_str(), &w, &h, &components, 4);
    if (!data) {
        return Error{fmt::format("{}: cannot read image: {}", path, stbi_failure_reason())};
    }
    RgbaImage image(w, h);
    std::memcpy(image.pixels.data(), data, image.pixels.size());
    stbi_image_free(data);
    return image;
}

}  // namespace tessera::core
