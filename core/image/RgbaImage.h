// RgbaImage: 8-bit RGBA pixels, top row first. What renders, screenshots and thumbnails produce;
// written to and read from PNG with errors that name the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "core/base/Result.h"

namespace tessera::core {

struct RgbaImage {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels;  // width * height * 4 bytes, row-major, top row first

    RgbaImage() = default;
    RgbaImage(int w, int h) : width(w), height(h), pixels(static_cast<std::size_t>(w) * h * 4) {}

    std::uint8_t* at(int x, int y) {
        return &pixels[(static_cast<std::size_t>(y) * width + x) * 4];
    }
    const std::uint8_t* at(int x, int y) const {
        return &pixels[(static_cast<std::size_t>(y) * width + x) * 4];
    }
};

Result<void> write_png(const RgbaImage& image, const std::filesystem::path& path);

// Reads any image stb_image understands as 8-bit RGBA (for tests and tools, not the viewer's
// loaders, which keep native types).
Result<RgbaImage> read_rgba8(const std::filesystem::path& path);

}  // namespace tessera::core
