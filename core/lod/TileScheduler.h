// TileScheduler: which pyramid tiles a view needs and what to draw meanwhile. For a view it picks
// the level (the finest with at least one data pixel per screen pixel), the visible tiles of that
// level, and for each tile either the tile itself (final) or, while it is missing, the nearest
// resident coarser ancestor scaled up (coverage: never an empty screen, never stale data shown as
// final). Requests come coarse first (the coarsest level's visible tiles), then the ideal tiles
// nearest the view's centre first, then a prefetch ring. ResidencyBudget is the LRU that decides
// which tiles leave when a budget is reached, never evicting tiles the current view wants.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <list>
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
                  int prefetch_ring = 1) const;

  private:
    LevelGeometry m_geometry;
    int m_tile;
};

class ResidencyBudget {
  public:
    void insert(const TileKey& tile, std::size_t bytes);
    void touch(const TileKey& tile);
    void erase(const TileKey& tile);
    bool contains(const TileKey& tile) const { return m_entries.count(tile) != 0; }
    std::size_t bytes() const { return m_bytes; }
    std::size_t size() const { return m_entries.size(); }

    // Least recently used tiles to evict so that `incoming` more bytes fit within `budget`,
    // skipping protected tiles. Empty with room to spare; may not free enough if protected tiles
    // alone exceed the budget (the caller then refuses the new tile).
    std::vector<TileKey> victims(std::size_t incoming, std::size_t budget,
                                 const std::set<TileKey>& protect) const;

  private:
    std::list<TileKey> m_order;  // most recent first
    std::map<TileKey, std::pair<std::size_t, std::list<TileKey>::iterator>> m_entries;
    std::size_t m_bytes = 0;
};

}  // namespace tessera::core
