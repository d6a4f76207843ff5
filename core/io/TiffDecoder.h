// TIFF, BigTIFF, ImageJ hyperstacks and OME-TIFF through libtiff. The file is memory-mapped;
// pages become planes and channels by the file's own description:
//   OME-TIFF      the first Image's Pixels: Z and T axes, C from pages (channel names and colours
//                 from its Channels), physical pixel size; TiffData says which IFD holds which
//                 plane
//   ImageJ        channels, slices and frames of the hyperstack header (pages C fastest, then
//                 Z, then T)
//   otherwise     consecutive pages of one size and sample layout form a Z stack; a page that
//                 differs starts another part (as the parts of a multi-part EXR); reduced-
//                 resolution pages (thumbnails, pyramid levels) are skipped
// How samples become channels: core/io/tiff/TiffPage.h. Pages whose decoded size is at most
// LoadOptions::decode_whole_below are decoded at once on every core (a damaged strip is an error
// at open); larger ones are read by region, decoding only the strips or tiles a region touches
// on the reading thread (uncompressed ones are copied straight from the map).
#pragma once

#include <memory>
#include <vector>

#include "core/io/ImageLoader.h"

namespace tessera::core {

Result<std::vector<Image>> decode_tiff(const std::shared_ptr<const MappedFile>& file,
                                       const LoadOptions& options);

}  // namespace tessera::core
