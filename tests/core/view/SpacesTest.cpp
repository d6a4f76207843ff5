// Window, framebuffer (output) and image coordinates: round trips at framebuffer scale 1 and 2,
// and the pointer over a pixel names that pixel whatever the scale.
#include <gtest/gtest.h>

#include "core/view/Spaces.h"

namespace tessera::core {
namespace {

class SpacesTest : public ::testing::TestWithParam<double> {};

TEST_P(SpacesTest, EveryConversionRoundTrips) {
    const double scale = GetParam();
    const Spaces spaces({340, 0, 660, 680}, scale);
    EXPECT_EQ(spaces.output_width(), static_cast<int>(660 * scale));
    ViewController view;
    view.set_image_size(768, 512);
    view.set_viewport(spaces.output_width(), spaces.output_height());
    view.zoom_about(3.7, 100 * scale, 50 * scale);
    for (const auto& [x, y] : {std::pair{340.0, 0.0}, std::pair{512.25, 333.5}, {999.0, 679.0}}) {
        const auto output = spaces.output_from_window(x, y);
        const auto back = spaces.window_from_output(output[0], output[1]);
        EXPECT_NEAR(back[0], x, 1e-9);
        EXPECT_NEAR(back[1], y, 1e-9);
        const auto image = spaces.image_from_window(view, x, y);
        const auto window = spaces.window_from_image(view, image[0], image[1]);
        EXPECT_NEAR(window[0], x, 1e-9);
        EXPECT_NEAR(window[1], y, 1e-9);
    }
}

TEST_P(SpacesTest, ThePointerAndTheDrawnImageAgreeAtAnyScale) {
    // The view fitted to the viewport: the viewport's centre in window pixels is the image's
    // centre, and its corners are the image's corners, at scale 1 as on a HiDPI display.
    const double scale = GetParam();
    const Spaces spaces({300, 20, 400, 200}, scale);
    ViewController view;
    view.set_image_size(800, 400);
    view.set_viewport(spaces.output_width(), spaces.output_height());
    view.fit();
    const auto centre = spaces.image_from_window(view, 500, 120);
    EXPECT_NEAR(centre[0], 400, 1e-9);
    EXPECT_NEAR(centre[1], 200, 1e-9);
    const auto corner = spaces.window_from_image(view, 800, 400);
    EXPECT_NEAR(corner[0], 700, 1e-9);
    EXPECT_NEAR(corner[1], 220, 1e-9);
    // A drag of 10 window pixels moves the image by 10 window pixels.
    const auto before = spaces.window_from_image(view, 100, 100);
    view.pan_by(spaces.output_length(10), spaces.output_length(-4));
    const auto after = spaces.window_from_image(view, 100, 100);
    EXPECT_NEAR(after[0] - before[0], 10, 1e-9);
    EXPECT_NEAR(after[1] - before[1], -4, 1e-9);
}

TEST_P(SpacesTest, TheGlRectangleIsTheViewportInFramebufferPixelsFromTheBottom) {
    const double scale = GetParam();
    const Spaces spaces({340, 0, 660, 680}, scale);
    const int framebuffer_height = static_cast<int>(700 * scale);
    const auto [x, y, w, h] = spaces.gl_rect(framebuffer_height);
    EXPECT_EQ(x, static_cast<int>(340 * scale));
    EXPECT_EQ(y, static_cast<int>(20 * scale));  // 20 window pixels of status bar below it
    EXPECT_EQ(w, spaces.output_width());
    EXPECT_EQ(h, spaces.output_height());
}

INSTANTIATE_TEST_SUITE_P(Scales, SpacesTest, ::testing::Values(1.0, 2.0),
                         [](const auto& scale) { return scale.param == 1.0 ? "x1" : "x2"; });

}  // namespace
}  // namespace tessera::core
