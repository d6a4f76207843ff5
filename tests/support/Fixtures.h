// Writers for test fixtures generated in code (so a wrong pixel is obvious): NumPy .npy files
// with any header, 16-bit PNGs (stb_image_write only writes 8-bit), and raw bytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace tessera::testing {

std::filesystem::path temp_path(const std::string& name);  // unique per test process

void write_bytes(const std::filesystem::path& path, std::span<const std::byte> bytes);
void write_text(const std::filesystem::path& path, const std::string& text);
std::vector<std::byte> read_bytes(const std::filesystem::path& path);

struct NpyHeader {
    std::string descr;  // e.g. "<f4"
    std::vector<std::uint64_t> shape;
    bool fortran_order = false;
    int version = 1;
};
// The .npy header bytes (magic, version, padded dict), to which the caller appends data.
std::vector<std::byte> npy_header(const NpyHeader& header);
void write_npy(const std::filesystem::path& path, const NpyHeader& header,
               std::span<const std::byte> data);

// A PNG with 16-bit samples, colour type 0 (gray, 1 channel) or 2 (RGB, 3 channels); samples
// are interleaved, native-endian, row-major. width/height are written as given, so a test can
// claim absurd dimensions with tiny data.
std::vector<std::byte> png16(std::uint32_t width, std::uint32_t height, int channels,
                             std::span<const std::uint16_t> samples);

// A PNG of the given bit depth and colour type whose image data is `raw` (rows already filtered,
// each with its filter byte), deflated and split into IDAT chunks of at most `idat_size` bytes.
std::vector<std::byte> png_from_rows(std::uint32_t width, std::uint32_t height, int depth,
                                     int colour, std::span<const std::uint8_t> raw,
                                     std::size_t idat_size);

// One part of an EXR with a single channel "Y" of `pixel_type` (TINYEXR_PIXELTYPE_*); `samples`
// holds width * height values in that type.
struct ExrPart {
    std::string name;  // needed for multi-part files
    int width = 0;
    int height = 0;
    int pixel_type = 2;   // TINYEXR_PIXELTYPE_FLOAT
    int compression = 0;  // TINYEXR_COMPRESSIONTYPE_NONE
    std::vector<std::byte> samples;
};
// Writes a single-part (one part) or multi-part EXR; returns tinyexr's error, empty on success.
std::string write_exr(const std::filesystem::path& path, const std::vector<ExrPart>& parts);

template <typename T>
std::vector<std::byte> bytes_of(const std::vector<T>& values) {
    const auto view = std::as_bytes(std::span(values));
    return {view.begin(), view.end()};
}

}  // namespace tessera::testing
