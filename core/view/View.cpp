#include "core/view/View.h"

#include <algorithm>

namespace tessera::core {

View View::fit(std::int64_t image_width, std::int64_t image_height, int width, int height) {
    return fit_rect(0, 0, static_cast<double>(image_width), static_cast<double>(image_height),
                    width, height);
}

View View::fit_rect(double x0, double y0, double x1, double y1, int width, int height) {
    const double scale = std::max((x1 - x0) / width, (y1 - y0) / height);
    View view;
    view.width = width;
    view.height = height;
    view.x_scale = scale;
    view.y_scale = scale;
    view.x0 = (x0 + x1 - scale * width) / 2.0;
    view.y0 = (y0 + y1 - scale * height) / 2.0;
    return view;
}

View View::of_rect(double x0, double y0, double x1, double y1, int width, int height) {
    View view;
    view.width = width;
    view.height = height;
    view.x0 = x0;
    view.y0 = y0;
    view.x_scale = (x1 - x0) / width;
    view.y_scale = (y1 - y0) / height;
    return view;
}

}  // namespace tessera::core
