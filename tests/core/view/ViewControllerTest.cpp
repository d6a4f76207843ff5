#include <gtest/gtest.h>

#include "core/view/ViewController.h"

namespace tessera::core {
namespace {

ViewController make(std::int64_t w, std::int64_t h, int vw, int vh) {
    ViewController controller;
    controller.set_viewport(vw, vh);
    controller.set_image_size(w, h);
    return controller;
}

TEST(ViewController, FitShowsTheWholeImageCentred) {
    const ViewController c = make(2000, 1000, 500, 500);
    EXPECT_DOUBLE_EQ(c.zoom(), 0.25);
    const View v = c.view();
    EXPECT_DOUBLE_EQ(v.x0, 0.0);
    EXPECT_DOUBLE_EQ(v.y0, -500.0);  // letterboxed above and below
    EXPECT_EQ(v.sampling, Sampling::Linear);
}

TEST(ViewController, ZoomKeepsThePointUnderTheCursorFixed) {
    ViewController c = make(1000, 800, 640, 480);
    const auto before = c.image_from_output(123.0, 321.0);
    for (double steps : {1.0, 3.0, -2.0, 0.5, 7.0}) {
        c.zoom_steps(steps, 123.0, 321.0);
        const auto after = c.image_from_output(123.0, 321.0);
        EXPECT_NEAR(after[0], before[0], 1e-9);
        EXPECT_NEAR(after[1], before[1], 1e-9);
    }
    EXPECT_FALSE(c.fitted());
}

TEST(ViewController, PanMovesTheImageWithThePointer) {
    ViewController c = make(1000, 800, 640, 480);
    const auto grabbed = c.image_from_output(100, 100);
    c.pan_by(30, -20);
    const auto now = c.image_from_output(130, 80);
    EXPECT_NEAR(now[0], grabbed[0], 1e-9);
    EXPECT_NEAR(now[1], grabbed[1], 1e-9);
}

TEST(ViewController, OneToOneMapsOneImagePixelToOneOutputPixel) {
    ViewController c = make(5000, 5000, 800, 600);
    c.one_to_one();
    const auto a = c.output_from_image(1000, 1000);
    const auto b = c.output_from_image(1001, 1001);
    EXPECT_DOUBLE_EQ(b[0] - a[0], 1.0);
    EXPECT_DOUBLE_EQ(b[1] - a[1], 1.0);
    EXPECT_EQ(c.view().sampling, Sampling::Nearest) << "1:1 shows each pixel as it is";
    c.zoom_steps(2, 400, 300);  // 2x: magnified pixels stay crisp
    EXPECT_EQ(c.view().sampling, Sampling::Nearest);
    c.zoom_steps(-3, 400, 300);  // reduced: filtered
    EXPECT_EQ(c.view().sampling, Sampling::Linear);
}

TEST(ViewController, AFittedViewRefitsOnResizeAndAZoomedOneDoesNot) {
    ViewController c = make(1000, 1000, 500, 500);
    c.set_viewport(1000, 1000);
    EXPECT_DOUBLE_EQ(c.zoom(), 1.0);
    c.zoom_steps(2, 10, 10);
    const double zoom = c.zoom();
    c.set_viewport(200, 200);
    EXPECT_DOUBLE_EQ(c.zoom(), zoom);
}

TEST(ViewController, ZoomIsClampedToSaneLimits) {
    ViewController c = make(10, 10, 100, 100);
    c.zoom_steps(1000, 50, 50);
    EXPECT_DOUBLE_EQ(c.zoom(), ViewController::kMaxZoom);
    c.zoom_steps(-5000, 50, 50);
    EXPECT_DOUBLE_EQ(c.zoom(), ViewController::kMinZoom);
}

}  // namespace
}  // namespace tessera::core
