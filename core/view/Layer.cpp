#include "core/view/Layer.h"

namespace tessera::core {

View Placement::layer_view(const View& view) const {
    View out = view;
    out.x0 = (view.x0 - x) / scale;
    out.y0 = (view.y0 - y) / scale;
    out.x_scale = view.x_scale / scale;
    out.y_scale = view.y_scale / scale;
    // A layer's own pixels magnified stay crisp, as an image's do (ViewController::view).
    if (out.x_scale < 1.0 && scale > 1.0) {
        out.sampling = Sampling::Nearest;
    }
    return out;
}

}  // namespace tessera::core
