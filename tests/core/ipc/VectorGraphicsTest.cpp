// tev's drawing commands become shapes: paths in image coordinates with their colours, widths
// and text, as nanovg would draw them.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "core/ipc/VectorGraphics.h"

namespace tessera::core::ipc {
namespace {

VgCommand cmd(VgCommandType type, std::vector<float> values = {}, std::string text = {}) {
    return {type, std::move(values), std::move(text)};
}

TEST(VectorGraphics, ARectStrokedIsAClosedPathThroughItsCorners) {
    const auto shapes = interpret(std::vector<VgCommand>{
        cmd(VgCommandType::StrokeColor, {1, 0, 0, 1}), cmd(VgCommandType::BeginPath),
        cmd(VgCommandType::Rect, {10, 20, 30, 40}), cmd(VgCommandType::Stroke)});
    ASSERT_EQ(shapes.size(), 1u);
    EXPECT_EQ(shapes[0].kind, VgShape::Kind::Stroke);
    EXPECT_EQ(shapes[0].colour, (VgColour{1, 0, 0, 1}));
    EXPECT_EQ(shapes[0].size, 3.0f);
    EXPECT_TRUE(shapes[0].screen);
    ASSERT_EQ(shapes[0].paths.size(), 1u);
    EXPECT_TRUE(shapes[0].paths[0].closed);
    EXPECT_EQ(shapes[0].paths[0].points,
              (std::vector<VgPoint>{{10, 20}, {40, 20}, {40, 60}, {10, 60}}));
}

TEST(VectorGraphics, CirclesAndCurvesAreFlattenedOntoTheirShape) {
    const auto shapes = interpret(std::vector<VgCommand>{
        cmd(VgCommandType::BeginPath), cmd(VgCommandType::Circle, {50, 60, 10}),
        cmd(VgCommandType::Fill), cmd(VgCommandType::BeginPath), cmd(VgCommandType::MoveTo, {0, 0}),
        cmd(VgCommandType::BezierTo, {0, 10, 10, 10, 10, 0}), cmd(VgCommandType::Stroke)});
    ASSERT_EQ(shapes.size(), 2u);
    EXPECT_EQ(shapes[0].kind, VgShape::Kind::Fill);
    for (const VgPoint& p : shapes[0].paths[0].points) {
        EXPECT_NEAR(std::hypot(p[0] - 50, p[1] - 60), 10.0f, 1e-4f);
    }
    const auto& curve = shapes[1].paths.at(0).points;
    EXPECT_EQ(curve.front(), (VgPoint{0, 0}));
    EXPECT_NEAR(curve.back()[0], 10.0f, 1e-5f);
    EXPECT_NEAR(curve.back()[1], 0.0f, 1e-5f);
    EXPECT_NEAR(curve[curve.size() / 2][1], 7.5f, 1e-4f) << "the cubic's midpoint";
}

TEST(VectorGraphics, SaveRestoreKeepStyleAndAnUnbalancedRestoreIsIgnored) {
    const auto shapes = interpret(std::vector<VgCommand>{
        cmd(VgCommandType::Restore), cmd(VgCommandType::FillColor, {0, 1, 0, 1}),
        cmd(VgCommandType::Save), cmd(VgCommandType::FillColor, {0, 0, 1, 1}),
        cmd(VgCommandType::FontSize, {12, 0}), cmd(VgCommandType::TextAlign, {2 | 16}),
        cmd(VgCommandType::Text, {5, 6}, "inside"), cmd(VgCommandType::Restore),
        cmd(VgCommandType::Text, {7, 8}, "after"), cmd(VgCommandType::StrokeWidth, {2, 0}),
        cmd(VgCommandType::BeginPath), cmd(VgCommandType::MoveTo, {0, 0}),
        cmd(VgCommandType::LineTo, {1, 1}), cmd(VgCommandType::Stroke)});
    ASSERT_EQ(shapes.size(), 3u);
    EXPECT_EQ(shapes[0].text, "inside");
    EXPECT_EQ(shapes[0].colour, (VgColour{0, 0, 1, 1}));
    EXPECT_EQ(shapes[0].size, 12.0f);
    EXPECT_FALSE(shapes[0].screen) << "font size 0: relative, scaled with the zoom";
    EXPECT_EQ(shapes[0].align, kAlignCenter | kAlignMiddle);
    EXPECT_EQ(shapes[1].text, "after");
    EXPECT_EQ(shapes[1].colour, (VgColour{0, 1, 0, 1}));
    EXPECT_EQ(shapes[1].size, 20.0f);
    EXPECT_EQ(shapes[1].at, (VgPoint{7, 8}));
    EXPECT_EQ(shapes[2].size, 2.0f);
    EXPECT_FALSE(shapes[2].screen);
    EXPECT_FALSE(shapes[2].paths[0].closed);
}

TEST(VectorGraphics, ArcsGoTheWayTheirDirectionSays) {
    const float pi = 3.14159265f;
    // Clockwise (2) from 0 to pi/2 in y-down coordinates passes below the centre (y > 0).
    const auto cw = interpret(std::vector<VgCommand>{
        cmd(VgCommandType::BeginPath), cmd(VgCommandType::Arc, {0, 0, 10, 0, pi / 2, 2}),
        cmd(VgCommandType::Stroke)});
    const auto& points = cw.at(0).paths.at(0).points;
    EXPECT_NEAR(points.front()[0], 10.0f, 1e-4f);
    EXPECT_NEAR(points.back()[1], 10.0f, 1e-4f);
    EXPECT_GT(points[points.size() / 2][1], 0.0f);
    // Counter-clockwise (1) over the same ends goes the long way, through negative y.
    const auto ccw = interpret(std::vector<VgCommand>{
        cmd(VgCommandType::BeginPath), cmd(VgCommandType::Arc, {0, 0, 10, 0, pi / 2, 1}),
        cmd(VgCommandType::Stroke)});
    EXPECT_LT(ccw.at(0).paths.at(0).points[4][1], 0.0f);
}

TEST(VectorGraphics, NonFiniteAndHugeValuesFromAClientAreDrawnOrDroppedNeverUndefined) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    // Found by the libFuzzer target: an arc direction of 6e31 was converted to int.
    const auto shapes = interpret(std::vector<VgCommand>{
        cmd(VgCommandType::BeginPath), cmd(VgCommandType::Arc, {0, 0, 10, 0, 1, 6.07e31f}),
        cmd(VgCommandType::Arc, {0, 0, 10, nan, 1, nan}),
        cmd(VgCommandType::Arc, {0, 0, 10, -inf, inf, 2}), cmd(VgCommandType::TextAlign, {-inf}),
        cmd(VgCommandType::Text, {1, 1}, "t"), cmd(VgCommandType::Stroke)});
    ASSERT_EQ(shapes.size(), 2u);
    EXPECT_EQ(shapes[0].align, 0);
    EXPECT_LE(shapes[1].paths.at(0).points.size(), 3u * 721u) << "steps stay bounded";
}

}  // namespace
}  // namespace tessera::core::ipc
