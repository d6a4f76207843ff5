#include "core/lod/TileGrid.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace tessera::core {

TileGrid::TileGrid(std::int64_t width, std::int64_t height, int requested_tile_size,
                   int max_texture_size)
    : m_width(width),
      m_height(height),
      m_tile(std::max(1, std::min(requested_tile_size, max_texture_size - 2 * kTileGutter))) {
    assert(width > 0 && height > 0 && "a tile grid needs a non-empty image");
}

Rect TileGrid::content(TileIndex tile) const {
    const std::int64_t x = tile.column * m_tile;
    const std::int64_t y = tile.row * m_tile;
    return {x, y, std::min<std::int64_t>(m_tile, m_width - x),
            std::min<std::int64_t>(m_tile, m_height - y)};
}

Rect TileGrid::texture_source(TileIndex tile) const {
    const Rect c = content(tile);
    const std::int64_t x0 = std::max<std::int64_t>(0, c.x - kTileGutter);
    const std::int64_t y0 = std::max<std::int64_t>(0, c.y - kTileGutter);
    const std::int64_t x1 = std::min(m_width, c.x + c.width + kTileGutter);
    const std::int64_t y1 = std::min(m_height, c.y + c.height + kTileGutter);
    return {x0, y0, x1 - x0, y1 - y0};
}

std::vector<TileIndex> TileGrid::tiles_in(double x0, double y0, double x1, double y1) const {
    std::vector<TileIndex> tiles;
    const auto first_column = std::clamp<std::int64_t>(
        static_cast<std::int64_t>(std::floor(x0 / m_tile)), 0, columns() - 1);
    const auto last_column = std::clamp<std::int64_t>(
        static_cast<std::int64_t>(std::ceil(x1 / m_tile)) - 1, 0, columns() - 1);
    const auto first_row =
        std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor(y0 / m_tile)), 0, rows() - 1);
    const auto last_row = std::clamp<std::int64_t>(
        static_cast<std::int64_t>(std::ceil(y1 / m_tile)) - 1, 0, rows() - 1);
    if (x1 <= 0 || y1 <= 0 || x0 >= static_cast<double>(m_width) ||
        y0 >= static_cast<double>(m_height)) {
        return tiles;
    }
    for (std::int64_t row = first_row; row <= last_row; ++row) {
        for (std::int64_t column = first_column; column <= last_column; ++column) {
            tiles.push_back({column, row});
        }
    }
    return tiles;
}

}  // namespace tessera::core
