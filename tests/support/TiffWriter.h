// Writes TIFF files with libtiff for tests and fuzz seeds: every sample type and bit depth,
// strips or tiles, contiguous or separate planes, any compression, byte order and BigTIFF,
// several pages, a description, extra samples and a palette; each sample's value from a function.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <tiffio.h>

namespace tessera::testing {

struct TiffSpec {
    std::uint32_t width = 37;
    std::uint32_t height = 29;
    std::uint16_t spp = 1;
    std::uint16_t bits = 8;
    std::uint16_t format = SAMPLEFORMAT_UINT;
    std::uint16_t photometric = PHOTOMETRIC_MINISBLACK;
    std::uint16_t planar = PLANARCONFIG_CONTIG;
    std::uint16_t compression = COMPRESSION_NONE;
    std::uint16_t predictor = PREDICTOR_NONE;
    bool tiled = false;
    std::uint32_t tile = 16;
    std::uint32_t rows_per_strip = 7;
    std::string mode = "w";   // "wb": big-endian, "w8": BigTIFF
    std::string description;  // page 0's ImageDescription
    int pages = 1;
    std::uint16_t orientation = 0;                       // 0: no Orientation tag
    std::vector<std::uint16_t> extra;                    // ExtraSamples
    std::array<std::vector<std::uint16_t>, 3> colormap;  // palette: R, G, B, 2^bits entries each
};

// The stored value of sample s at (x, y) of page p, within the type's range.
using TiffValue = std::function<double(int page, int sample, std::uint32_t x, std::uint32_t y)>;

// The tags of one page (size, samples, layout, compression, palette, description when given);
// YCbCr JPEG pages take RGB samples (JPEGCOLORMODE_RGB).
void set_tiff_fields(TIFF* tif, const TiffSpec& spec, bool first_page);

// Writes the file row by row through TIFFWriteScanline or tile by tile; false if libtiff fails.
bool write_tiff(const std::filesystem::path& path, const TiffSpec& spec, const TiffValue& value);

}  // namespace tessera::testing
