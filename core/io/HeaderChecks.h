// Header plausibility checks for the formats stb_image decodes and for JPEG, run before a decoder
// allocates anything. stb_image trusts a header's width and height and fills whatever the data does
// not cover with zeros, so an 18-byte file can "be" a gigabyte image. Each check here compares what
// the header claims with what the bytes after it can hold: uncompressed data must be present in
// full; compressed data is held to its format's largest possible expansion, so it cannot invent
// pixels past its end. Each failure says what the header claims and what the file holds.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "core/base/Result.h"

namespace tessera::core {

struct ImageClaim {
    std::uint64_t width = 0;
    std::uint64_t height = 0;
};

// PNG: chunks inside the file with matching CRC-32s, IHDR first (13 bytes), at least one IDAT,
// IEND present; IHDR's size within `max_pixels`; then the raw scanlines IHDR implies must fit
// zlib's largest expansion (1032:1) of the IDAT bytes.
Result<void> check_png(std::span<const std::byte> bytes, std::uint64_t max_pixels);

// JPEG: the frame holds at most 512 pixels per byte of the file (one bit per 8x8 block).
Result<void> check_jpeg(std::span<const std::byte> bytes, ImageClaim claim);

// BMP: a header stb_image reads (sizes 12, 40, 56, 108, 124; 1-32 bits; uncompressed or
// bit fields) whose pixel rows lie inside the file.
Result<void> check_bmp(std::span<const std::byte> bytes);

// GIF: the logical screen holds at most 32768 pixels per byte of the file (LZW's expansion).
Result<void> check_gif(std::span<const std::byte> bytes, ImageClaim claim);

// TGA (no signature): the 18-byte header of a colour-mapped, true-colour or grey image, raw or
// run-length encoded, with plausible depths. nullopt when the bytes are not such a header.
struct TgaHeader {
    std::uint64_t width = 0;
    std::uint64_t height = 0;
    std::uint64_t data_offset = 0;  // after the ID field and the colour map
    unsigned bits_per_pixel = 0;
    bool run_length = false;
};
std::optional<TgaHeader> parse_tga_header(std::span<const std::byte> bytes);
// The header's pixels fit in the bytes after it (raw), or in PackBits-like packets (RLE).
Result<void> check_tga(std::span<const std::byte> bytes);

}  // namespace tessera::core
