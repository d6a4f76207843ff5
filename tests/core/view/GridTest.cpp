// Grid maths: the automatic shape, cells in whole pixels that never overlap and stay inside the
// area, the cell under a point, and linked views.
#include <cmath>

#include <gtest/gtest.h>

#include "core/view/Grid.h"

namespace tessera::core {
namespace {

TEST(Grid, TheAutomaticShapeMakesTheCellsLargest) {
    EXPECT_EQ(grid_shape(4, 1600, 1000, 1.0), (GridShape{2, 2}));
    EXPECT_EQ(grid_shape(1, 1600, 1000, 1.0), (GridShape{1, 1}));
    // Wide images in a tall area stack; tall ones in a wide area line up.
    EXPECT_EQ(grid_shape(3, 500, 1500, 3.0), (GridShape{3, 1}));
    EXPECT_EQ(grid_shape(3, 1500, 500, 0.33), (GridShape{1, 3}));
    EXPECT_EQ(grid_shape(5, 1600, 800, 1.5), (GridShape{2, 3}));
    // Columns asked for: the rows needed, never more columns than images.
    EXPECT_EQ(grid_shape(5, 1200, 800, 1.5, 1), (GridShape{5, 1}));
    EXPECT_EQ(grid_shape(2, 1200, 800, 1.5, 4), (GridShape{1, 2}));
    EXPECT_EQ(grid_shape(0, 1200, 800), (GridShape{1, 1}));
}

TEST(Grid, CellsAreWholePixelsInsideTheAreaAndNeverOverlap) {
    const WindowRect area{340, 0, 941, 777};
    for (int columns = 1; columns <= 4; ++columns) {
        for (std::size_t count = 1; count <= 7; ++count) {
            const GridShape shape = grid_shape(count, area.width, area.height, 1.3, columns);
            const auto cells = grid_cells(area, count, shape, 2);
            ASSERT_EQ(cells.size(), count);
            for (std::size_t i = 0; i < cells.size(); ++i) {
                const WindowRect& a = cells[i];
                EXPECT_EQ(a.x, std::floor(a.x));
                EXPECT_EQ(a.width, std::floor(a.width));
                EXPECT_GE(a.x, area.x);
                EXPECT_GE(a.y, area.y);
                EXPECT_LE(a.x + a.width, area.x + area.width);
                EXPECT_LE(a.y + a.height, area.y + area.height);
                for (std::size_t j = i + 1; j < cells.size(); ++j) {
                    const WindowRect& b = cells[j];
                    const bool apart = a.x + a.width + 2 <= b.x || b.x + b.width + 2 <= a.x ||
                                       a.y + a.height + 2 <= b.y || b.y + b.height + 2 <= a.y;
                    EXPECT_TRUE(apart) << "cells " << i << " and " << j << " of " << count;
                }
            }
        }
    }
    // Reading order: the second cell is right of the first.
    const auto two = grid_cells({0, 0, 100, 50}, 2, {1, 2}, 2);
    EXPECT_EQ(two[0].x, 0);
    EXPECT_EQ(two[0].width, 49);
    EXPECT_EQ(two[1].x, 51);
    EXPECT_EQ(two[1].width, 49);
    EXPECT_EQ(cell_at(two, 10, 10), 0);
    EXPECT_EQ(cell_at(two, 50, 10), -1);  // the gap
    EXPECT_EQ(cell_at(two, 99, 49), 1);
    EXPECT_EQ(cell_at(two, 100, 10), -1);
}

TEST(Grid, ALinkedViewShowsTheLeadersPointAtItsZoomOrIsFittedWithIt) {
    ViewController leader;
    leader.set_image_size(1000, 800);
    leader.set_viewport(400, 300);
    ViewController follower;
    follower.set_image_size(500, 400);
    follower.set_viewport(400, 300);
    leader.zoom_steps(3, 100, 50);
    follow(follower, leader);
    EXPECT_FALSE(follower.fitted());
    EXPECT_EQ(follower.zoom(), leader.zoom());
    EXPECT_EQ(follower.centre(), leader.centre());
    // The same image point under the same output point.
    const auto a = leader.image_from_output(123, 45);
    const auto b = follower.image_from_output(123, 45);
    EXPECT_DOUBLE_EQ(a[0], b[0]);
    EXPECT_DOUBLE_EQ(a[1], b[1]);
    leader.fit();
    follow(follower, leader);
    EXPECT_TRUE(follower.fitted());
    EXPECT_DOUBLE_EQ(follower.zoom(), follower.fit_zoom());
}

}  // namespace
}  // namespace tessera::core
