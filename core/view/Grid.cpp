#include "core/view/Grid.h"

#include <algorithm>
#include <cmath>

namespace tessera::core {

GridShape grid_shape(std::size_t count, double area_width, double area_height, double image_aspect,
                     int columns) {
    const int n = static_cast<int>(std::max<std::size_t>(count, 1));
    if (columns > 0) {
        const int c = std::min(columns, n);
        return {(n + c - 1) / c, c};
    }
    GridShape best;
    double best_scale = -1;
    for (int c = 1; c <= n; ++c) {
        const int r = (n + c - 1) / c;
        const double cell_w = area_width / c;
        const double cell_h = area_height / r;
        // The zoom that fits an image of this aspect in the cell.
        const double scale = std::min(cell_w / std::max(image_aspect, 1e-9), cell_h);
        if (scale > best_scale * (1 + 1e-9)) {
            best_scale = scale;
            best = {r, c};
        }
    }
    return best;
}

std::vector<WindowRect> grid_cells(const WindowRect& area, std::size_t count, GridShape shape,
                                   int gap) {
    std::vector<WindowRect> cells;
    const int columns = std::max(shape.columns, 1);
    const int rows = std::max(shape.rows, 1);
    // Whole-pixel edges: cell k spans [edge(k) + gap/2, edge(k + 1) - gap/2) on each axis.
    const auto edge = [](double origin, double length, int k, int parts) {
        return std::floor(origin + length * k / parts);
    };
    for (std::size_t i = 0; i < count && static_cast<int>(i) < rows * columns; ++i) {
        const int row = static_cast<int>(i) / columns;
        const int column = static_cast<int>(i) % columns;
        const double x0 = edge(area.x, area.width, column, columns) + (column > 0 ? gap / 2 : 0);
        const double x1 = edge(area.x, area.width, column + 1, columns) -
                          (column + 1 < columns ? gap - gap / 2 : 0);
        const double y0 = edge(area.y, area.height, row, rows) + (row > 0 ? gap / 2 : 0);
        const double y1 =
            edge(area.y, area.height, row + 1, rows) - (row + 1 < rows ? gap - gap / 2 : 0);
        cells.push_back({x0, y0, std::max(1.0, x1 - x0), std::max(1.0, y1 - y0)});
    }
    return cells;
}

int cell_at(const std::vector<WindowRect>& cells, double x, double y) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const WindowRect& c = cells[i];
        if (x >= c.x && y >= c.y && x < c.x + c.width && y < c.y + c.height) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

void follow(ViewController& follower, const ViewController& leader) {
    if (leader.fitted()) {
        if (!follower.fitted()) {
            follower.fit();
        }
        return;
    }
    const auto centre = leader.centre();
    follower.look_at(centre[0], centre[1], leader.zoom());
}

}  // namespace tessera::core
