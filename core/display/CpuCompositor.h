// CpuCompositor: the reference implementation of the compositing contract (CompositeMath.h) on
// the CPU. It is the specification the GPU path is tested against, and a fallback for exports
// (`tessera render --cpu`). Reads only the part of each visible channel that the view needs.
#pragma once

#include "core/display/DisplaySettings.h"
#include "core/image/ImageSource.h"
#include "core/image/RgbaImage.h"
#include "core/view/Layer.h"
#include "core/view/View.h"

namespace tessera::core {

// One layer of a view (gl/composite/Compositor's LayerDraw): a plane of a source, its settings
// and where it lies over the view's image space.
struct CpuLayer {
    const ImageSource* source = nullptr;
    const DisplaySettings* settings = nullptr;
    Placement placement;
    std::vector<std::int64_t> position;
};

// Layers, bottom first, as the GPU draws them: every layer's visible channels accumulate (each
// with its own blend mode and settings) inside its own rectangle, over the first layer's image
// only, and the sum is resolved once with the first layer's settings.
Result<RgbaImage> composite_layers_cpu(std::span<const CpuLayer> layers, const View& view);

// `position`: the plane of a stack (an index per axis; missing ones are 0).
Result<RgbaImage> composite_cpu(const ImageSource& image, const DisplaySettings& settings,
                                const View& view, const std::vector<std::int64_t>& position = {});

}  // namespace tessera::core
