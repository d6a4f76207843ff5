// TileScheduler: which pyramid tiles a view needs and what to draw meanwhile. For a view it picks
// the level (the finest with at least one data pixel per screen pixel), the visible tiles of that
// level, and for each tile either the tile itself (final) or, while it is missing, the nearest
// resident coarser ancestor scaled up (coverage: never an empty screen, never stale data shown as
// final). Requests come coarse first (the coarsest level's visible tiles), then the ideal tiles
// nearest the view's centre first, then a prefetch ring. Tile keys name a tile of one level;
// the planes a tile is wanted for are the caller's business.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <vector>

#include "core/lod/Pyramid.h"
#include "core/view/View.h"

namespace tessera::core {

struct TileKey {
    int level = 0;
    std::int64_t column = 0;
    std::int64_t row = 0;
    auto operator<=>(const TileKey&) const = default;
};

struct DrawItem {
    TileKey tile;  // what to draw: the ideal tile, or a coarser ancestor standing in for it
    Rect clip;     // the level-0 image rectangle this draw fills (the ideal tile's)
    bool final = true;
};

struct PlanOptions {
    int prefetch_ring = 1;  // tiles around the view read ahead (0: none)
    bool coverage = true;   // the coarsest level's tiles first, drawn scaled up meanwhile
    int level = -1;         // the level to show; -1: the finest sufficient one for the view
};

struct TilePlan {
    int level = 0;
    std::vector<DrawItem> draws;
    std::vector<TileKey> requests;  // missing tiles, most urgent first
    std::set<TileKey> wanted;       // everything the view uses or asked for
};

class TileScheduler {
  public:
    TileScheduler(LevelGeometry geometry, int tile_size);

    const LevelGeometry& geometry() const { return m_geometry; }
    int tile_size() const { return m_tile; }
    std::int64_t columns(int level) const;
    std::int64_t rows(int level) const;
    Rect level_rect(const TileKey& tile) const;  // in the tile's level
    Rect image_rect(const TileKey& tile) const;  // in level-0 pixels, clamped to the image

    int level_for(const View& view) const;
    std::vector<TileKey> visible(int level, const View& view) const;  // nearest the centre first
    TilePlan plan(const View& view, const std::function<bool(const TileKey&)>& resident,
                  const PlanOptions& options = {}) const;
    // Whether a change of the source inside `damage` (level-0 pixels) changes the tile's texture:
    // its content or the gutter of one level pixel around it.
    bool touches(const TileKey& tile, const Rect& damage) const;

  private:
    LevelGeometry m_geometry;
    int m_tile;
};

}  // namespace tessera::core
