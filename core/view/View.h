// View: which part of an image an output of width x height pixels shows. Spaces: "image" is
// pixel coordinates of the image (level 0), x right, y down, pixel (i, j) covering [i, i+1) x
// [j, j+1); "output" is pixels of the render target, origin at its top-left corner. Output pixel
// (i, j) samples the image at image_from_output(i + 0.5, j + 0.5).
#pragma once

#include <array>
#include <cstdint>

#include "core/display/DisplaySettings.h"

namespace tessera::core {

struct View {
    double x0 = 0;  // image coordinates of the output's top-left corner
    double y0 = 0;
    double x_scale = 1;  // image pixels per output pixel
    double y_scale = 1;
    int width = 0;  // output size
    int height = 0;
    Sampling sampling = Sampling::Linear;

    bool operator==(const View&) const = default;

    // The whole image, aspect kept, centred in the output.
    static View fit(std::int64_t image_width, std::int64_t image_height, int width, int height);
    // The image rectangle [x0, x1) x [y0, y1), aspect kept, centred in the output.
    static View fit_rect(double x0, double y0, double x1, double y1, int width, int height);
    // The image rectangle [x0, x1) x [y0, y1) stretched over the output.
    static View of_rect(double x0, double y0, double x1, double y1, int width, int height);

    // In float, as the shader computes it, so that CPU and GPU sample the same points.
    std::array<float, 2> image_from_output(float x, float y) const {
        return {static_cast<float>(x0) + x * static_cast<float>(x_scale),
                static_cast<float>(y0) + y * static_cast<float>(y_scale)};
    }
    std::array<double, 2> output_from_image(double x, double y) const {
        return {(x - x0) / x_scale, (y - y0) / y_scale};
    }
};

// How a view at `scale` image pixels per output pixel samples unless told otherwise: reduced
// images are filtered (bilinear); magnified ones, and 1:1, show each pixel as it is (nearest).
// At 1:1 bilinear would blur a half-pixel offset, and where it is aligned it gives the same
// values from four texel fetches instead of one, and mixes in a NaN neighbour of weight zero.
constexpr Sampling default_sampling(double scale) {
    return scale <= 1.0 ? Sampling::Nearest : Sampling::Linear;
}

}  // namespace tessera::core
