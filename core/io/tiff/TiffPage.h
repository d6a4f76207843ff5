// TiffPage: what one TIFF directory (page) holds and how its stored samples become the channels
// Tessera keeps. The rule, documented in the README ("TIFF"):
//   unsigned 1-8 bits -> u8, 9-16 -> u16, 17-32 -> u32 (packed depths such as 1, 2, 4 and 12 bits
//     unpacked, values unchanged); 64 -> f32 (rounded beyond 2^24)
//   signed 8 -> f16 (exact), 16 -> f32 (exact), 32 and 64 -> f32 (exact up to 2^24)
//   float 16 -> f16, 32 -> f32, 64 -> f32 (rounded; beyond the f32 range +-Inf)
//   MinIsWhite unsigned grey is inverted (max - value), so white shows white
//   palette -> R, G, B (u8 by libtiff's rule: 16-bit colormap entries >> 8 unless all are < 256)
//   YCbCr with JPEG compression -> R, G, B (libtiff's JPEG colour conversion)
//   CIELab, YCbCr without JPEG, old-style JPEG -> 8-bit R, G, B (A) through libtiff's RGBA
//     interface, whole page in memory
// Anything else (complex samples, 24-bit floats, compressions this libtiff lacks) is refused
// with a message naming it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/base/Result.h"
#include "core/image/ImageSource.h"

struct tiff;

namespace tessera::core::tiff {

// One output channel: which stored sample feeds it and how.
struct ChannelSource {
    std::string name;
    SampleType type = SampleType::U8;
    std::uint16_t sample = 0;  // index within the pixel
    int palette = -1;          // 0, 1, 2: R, G or B of the colormap; -1: the sample itself
    bool invert = false;       // MinIsWhite grey
};

enum class PageMode : std::uint8_t { Raw, Rgba };

struct TiffPage {
    std::int64_t width = 0;
    std::int64_t height = 0;
    std::uint16_t samples_per_pixel = 1;
    std::uint16_t bits = 1;
    std::uint16_t sample_format = 1;  // SAMPLEFORMAT_*
    std::uint16_t photometric = 1;
    std::uint16_t planar = 1;  // PLANARCONFIG_CONTIG / SEPARATE
    std::uint16_t compression = 1;
    std::uint16_t predictor = 1;
    std::uint16_t fill_order = 1;
    std::uint16_t orientation = 1;  // ORIENTATION_*: applied by core/image/OrientedSource
    std::uint32_t subfile_type = 0;
    bool tiled = false;
    bool byte_swapped = false;
    bool jpeg_rgb = false;  // YCbCr JPEG decoded as RGB (JPEGCOLORMODE_RGB)
    bool has_alpha = false;
    std::int64_t chunk_width = 0;  // tile width, or the image width for strips
    std::int64_t chunk_rows = 0;   // tile height, or rows per strip
    std::vector<ChannelSource> channels;
    std::array<std::vector<std::uint8_t>, 3> colormap;  // palette: R, G, B per index
    PageMode mode = PageMode::Raw;
    std::string description;  // ImageDescription, page 0 only
    // Page 0 only: its descriptive tags by name, as text (for the metadata view and `info`).
    std::vector<std::pair<std::string, std::string>> tags;
    std::uint64_t offset = 0;                    // of this IFD in the file
    std::vector<std::uint64_t> sub_ifd_offsets;  // reduced-resolution levels (OME pyramids)

    // Same size, stored samples and channels (names and types): pages of one stack.
    bool stacks_with(const TiffPage& other) const;
    // The same stored samples and channels, whatever the size: a pyramid level of the page.
    bool same_samples(const TiffPage& other) const;
    // Samples held by one decoded chunk per pixel (1 for separate planes).
    std::uint16_t chunk_samples() const {
        return planar == 2 ? std::uint16_t{1} : samples_per_pixel;
    }
    std::size_t chunk_row_bytes() const;
    std::string compression_name() const;
    std::string layout_text() const;  // "tiles 256x256", "strips of 16 rows"
};

// The page the handle is on; an error naming what Tessera does not support, or what is wrong.
Result<TiffPage> read_page(::tiff* tif, bool read_description);
// Per-handle settings the page needs after every directory change (JPEG colour conversion).
void prepare_handle(::tiff* tif, const TiffPage& page);

// One decoded (or mapped, uncompressed) strip or tile and where it lies in the image.
struct Chunk {
    const std::byte* data = nullptr;
    std::size_t size = 0;
    std::int64_t x = 0;
    std::int64_t y = 0;
    std::int64_t width = 0;
    std::int64_t rows = 0;
};

// Copies the samples of `channel` in `part` (inside both the chunk and `dst_rect`) into `dst`,
// which holds `dst_rect` tightly packed in the channel's type. The chunk must hold `rows` full
// rows of chunk_row_bytes(). `swap`: 16-, 24-, 32- and 64-bit samples are in the other byte
// order (bytes straight from the file; libtiff's decoded chunks are already in ours). Plain
// loops over plain memory (safe inside read_mapped).
void extract(const TiffPage& page, const ChannelSource& channel, const Chunk& chunk, Rect part,
             Rect dst_rect, std::byte* dst, bool swap);

}  // namespace tessera::core::tiff
