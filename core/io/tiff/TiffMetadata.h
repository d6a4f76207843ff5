// What TIFF writers put in the first page's ImageDescription about how pages form a stack:
// ImageJ's hyperstack header ("ImageJ=1.53\nimages=14\nchannels=2\nslices=7\n...") and
// OME-TIFF's OME-XML (the first Image's Pixels: sizes, DimensionOrder, channels with names and
// colours, physical pixel sizes, and TiffData: which IFD holds which plane). Plain text in,
// plain values out: no libtiff here, and nothing in the text is trusted (sizes are bounded,
// malformed XML is an error naming what is wrong).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/Result.h"

namespace tessera::core::tiff {

struct ImageJInfo {
    std::int64_t images = 1;
    std::int64_t channels = 1;
    std::int64_t slices = 1;
    std::int64_t frames = 1;
};

// nullopt unless the text starts with "ImageJ=". Missing counts are 1; images defaults to
// channels * slices * frames.
std::optional<ImageJInfo> parse_imagej(std::string_view description);

struct OmeChannel {
    std::string name;
    std::optional<std::array<std::uint8_t, 3>> colour;  // from the signed RGBA integer Color
    std::int64_t samples_per_pixel = 1;
};

struct OmeTiffData {
    std::optional<std::int64_t> ifd;
    std::int64_t first_z = 0;
    std::int64_t first_c = 0;
    std::int64_t first_t = 0;
    std::optional<std::int64_t> plane_count;
    std::string file_name;  // the UUID element's FileName: planes kept in another file
};

struct OmePixels {
    std::string dimension_order = "XYZCT";
    std::int64_t size_x = 0;
    std::int64_t size_y = 0;
    std::int64_t size_z = 1;
    std::int64_t size_c = 1;
    std::int64_t size_t = 1;
    std::string type;  // "uint16", "float", ...
    std::optional<double> physical_x, physical_y, physical_z;
    std::string unit_x = "µm", unit_y = "µm", unit_z = "µm";
    std::vector<OmeChannel> channels;
    std::vector<OmeTiffData> tiff_data;
    std::int64_t image_count = 1;  // Image elements in the document (series)
};

// The first Image's Pixels of an OME-XML document; an error when there is none or its sizes are
// missing, not positive or absurd.
Result<OmePixels> parse_ome(std::string_view xml);

// How many planes a page holds of the C axis: 1, or the samples per pixel when the channels are
// the samples of each page (an RGB OME-TIFF has SizeC 3 and one Channel of 3 samples).
std::int64_t ome_pages_per_c(const OmePixels& pixels, std::int64_t samples_per_pixel);

// The IFD of every plane, indexed c + C * (z + Z * t) with C = size_c / samples_per_pixel;
// an error naming the plane that no TiffData places in this file (own_name: its file name) or
// that points past the last IFD.
Result<std::vector<std::int64_t>> ome_plane_ifds(const OmePixels& pixels,
                                                 std::int64_t samples_per_pixel,
                                                 std::int64_t ifd_count, std::string_view own_name);

}  // namespace tessera::core::tiff
