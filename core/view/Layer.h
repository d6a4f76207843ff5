// What a view draws: a list of layers, bottom first, each a dataset with its display settings and
// its placement over the view's image space. One layer is an image shown alone; more lie over it
// (a mask over the image it was computed from, a 2x downsampled overlay on full resolution).
#pragma once

#include <memory>

#include "core/dataset/Dataset.h"
#include "core/display/DisplaySettings.h"
#include "core/view/View.h"

namespace tessera::core {

// Where a layer lies: its pixel (i, j) covers [x + i * scale, x + (i + 1) * scale) x [y + j *
// scale, ...) of the view's image space (the first layer's pixels).
struct Placement {
    double x = 0;
    double y = 0;
    double scale = 1;

    bool operator==(const Placement&) const = default;
    // The view of this layer's own pixels that shows the same output as `view` of image space.
    View layer_view(const View& view) const;
};

struct ViewLayer {
    std::shared_ptr<const Dataset> dataset;
    DisplaySettings display;
    Placement placement;
    bool visible = true;
};

}  // namespace tessera::core
