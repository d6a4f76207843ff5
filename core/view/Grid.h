// Grid: several images side by side, each in its own cell of the viewport with its own view
// (napari's grid mode). The cells are whole pixels with a gap between them, so that no cell's
// composite (drawn into exactly its rectangle) can reach a neighbour's. Linked views show the
// same image point at the same zoom in every cell.
#pragma once

#include <cstddef>
#include <vector>

#include "core/view/Spaces.h"
#include "core/view/ViewController.h"

namespace tessera::core {

struct GridShape {
    int rows = 1;
    int columns = 1;
    bool operator==(const GridShape&) const = default;
};

// `columns` > 0: that many columns and the rows needed; 0: the shape that makes the cells of
// images of this aspect (width / height) largest in an area of this size.
GridShape grid_shape(std::size_t count, double area_width, double area_height,
                     double image_aspect = 1.0, int columns = 0);

// The cells of `count` images in reading order, in whole pixels, `gap` pixels apart; the last
// row may be partly empty. Every cell lies inside `area` and no two overlap.
std::vector<WindowRect> grid_cells(const WindowRect& area, std::size_t count, GridShape shape,
                                   int gap = 2);

// The cell that holds a point, or -1 (a gap, or outside).
int cell_at(const std::vector<WindowRect>& cells, double x, double y);

// `follower` shows what `leader` shows: fitted when the leader is fitted, otherwise the same
// image point at its centre at the same zoom.
void follow(ViewController& follower, const ViewController& leader);

}  // namespace tessera::core
