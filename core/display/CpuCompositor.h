// CpuCompositor: the reference implementation of the compositing contract (CompositeMath.h) on
// the CPU. It is the specification the GPU path is tested against, and a fallback for exports
// (`tessera render --cpu`). Reads only the part of each visible channel that the view needs.
#pragma once

#include "core/display/DisplaySettings.h"
#include "core/image/ImageSource.h"
#include "core/image/RgbaImage.h"
#include "core/view/View.h"

namespace tessera::core {

// `position`: the plane of a stack (an index per axis; missing ones are 0).
Result<RgbaImage> composite_cpu(const ImageSource& image, const DisplaySettings& settings,
                                const View& view, const std::vector<std::int64_t>& position = {});

}  // namespace tessera::core
