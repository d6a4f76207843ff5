// OrientedSource: a source shown as its file's orientation tag says (TIFF/EXIF Orientation 1-8),
// read by region like any other: a region of the shown image reads the stored region under it
// and moves its samples into place. 2-4 mirror and turn by 180 degrees; 5-8 also swap rows and
// columns, so the shown image is height x width of the stored one. The file's own reduced levels
// and its damage are oriented the same way.
#pragma once

#include <memory>

#include "core/image/ImageSource.h"

namespace tessera::core {

// Where the stored image's row 0 and column 0 are shown (TIFF's names): 1 top-left (as stored),
// 2 top-right, 3 bottom-right, 4 bottom-left, 5 left-top, 6 right-top, 7 right-bottom,
// 8 left-bottom.
bool valid_orientation(int orientation);

// `orientation` 1 returns `base` itself; others a source that reorients it.
std::shared_ptr<const ImageSource> oriented(std::shared_ptr<const ImageSource> base,
                                            int orientation);

}  // namespace tessera::core
