// ExrHeader: reads and validates everything in an OpenEXR file that tinyexr would trust, before
// tinyexr sees the file. Each attribute tinyexr interprets must appear once, with its expected
// type and size; required attributes must be present; the tile description, level mode, data
// window, chunk count and offset tables must be consistent; and the chunks must cover every
// block of the data window exactly once, so that a decode can never leave pixels unwritten. What
// tinyexr cannot decode correctly (PXR24, B44, B44A, DWAA, DWAB, deep data, subsampled channels)
// is refused with a message that says "does not support" and names the feature.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/base/Result.h"
#include "core/image/Image.h"

namespace tessera::core {

struct ExrChannel {
    std::string name;
    int pixel_type = 0;  // 0 uint, 1 half, 2 float
    int x_sampling = 1;  // > 1: subsampled (luminance/chroma files)
    int y_sampling = 1;
};

struct ExrTiles {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    int level_mode = 0;     // 0 one level, 1 mip-map, 2 rip-map
    int rounding_mode = 0;  // 0 down, 1 up
};

struct ExrPart {
    std::string name;
    std::string type;
    int compression = 0;
    std::vector<ExrChannel> channels;
    Box2i data_window;
    Box2i display_window;
    std::optional<ExrTiles> tiles;
    std::uint64_t chunk_count = 0;  // computed from the header; the file's attribute agrees
    // Every attribute of the header as text, in file order ("owner", "\"Tessera\""), for the
    // metadata view and `info`.
    std::vector<std::pair<std::string, std::string>> attributes;
    std::size_t offset_table = 0;  // where this part's chunk offsets start in the file
};

// Scanlines per chunk of a scanline part (NONE, RLE, ZIPS: 1; ZIP, PXR24: 16; PIZ, B44, B44A,
// DWAA: 32; DWAB: 256).
int exr_lines_per_block(int compression);
// "NONE", "ZIP", ..., "DWAB", or "unknown compression N".
std::string exr_compression_name(int code);
// tinyexr decodes NONE, RLE, ZIPS, ZIP and PIZ of full-resolution channels; PXR24, B44, B44A,
// DWAA, DWAB and subsampled channels go to the OpenEXR library (core/io/OpenExrDecoder).
bool exr_needs_openexr(const ExrPart& part);

// The image of a decoded part: its planes with the part's name, windows and compression.
Image exr_image(std::shared_ptr<const ImageSource> planes, const ExrPart& part, std::size_t index,
                std::size_t count, std::string storage);

struct ExrLimits {
    std::uint64_t max_pixels = 0;
};

// The parts of a valid, supported file. Errors carry the reason (the loader adds the path).
Result<std::vector<ExrPart>> scan_exr(std::span<const std::byte> bytes, ExrLimits limits);

// Decoded samples can be at most this many times the file's size (the largest expansion of
// RLE, ZIP and PIZ is far below it), so a small file cannot claim a huge image.
inline constexpr std::uint64_t kExrMaxExpansion = 4096;

}  // namespace tessera::core
