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

}  // namespace tessera::testing
