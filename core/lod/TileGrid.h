// TileGrid: splits an image into tiles whose textures (content plus a 1-pixel gutter on every
// side, so linear filtering has no seams) fit within the GPU's texture size limit.
#pragma once

#include <cstdint>
#include <vector>

#include "core/image/ImageSource.h"

namespace tessera::core {

inline constexpr int kTileGutter = 1;

struct TileIndex {
    std::int64_t column = 0;
    std::int64_t row = 0;
    bool operator==(const TileIndex&) const = default;
};

class TileGrid {
  public:
    // Content tiles of min(requested_tile_size, max_texture_size - 2 * gutter) pixels.
    TileGrid(std::int64_t width, std::int64_t height, int requested_tile_size,
             int max_texture_size);

    std::int64_t columns() const { return (m_width + m_tile - 1) / m_tile; }
    std::int64_t rows() const { return (m_height + m_tile - 1) / m_tile; }
    int tile_size() const { return m_tile; }
    std::int64_t width() const { return m_width; }
    std::int64_t height() const { return m_height; }

    Rect content(TileIndex tile) const;         // the image pixels the tile owns
    Rect texture_source(TileIndex tile) const;  // content grown by the gutter, clamped to image

    // Tiles whose content intersects the image rectangle [x0, x1) x [y0, y1).
    std::vector<TileIndex> tiles_in(double x0, double y0, double x1, double y1) const;

  private:
    std::int64_t m_width;
    std::int64_t m_height;
    int m_tile;
};

}  // namespace tessera::core
