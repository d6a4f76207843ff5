#include "core/lod/TileScheduler.h"

#include <algorithm>
#include <cmath>

namespace tessera::core {

TileScheduler::TileScheduler(LevelGeometry geometry, int tile_size)
    : m_geometry(geometry), m_tile(std::max(1, tile_size)) {}

std::int64_t TileScheduler::columns(int level) const {
    return (m_geometry.level_width(level) + m_tile - 1) / m_tile;
}

std::int64_t TileScheduler::rows(int level) const {
    return (m_geometry.level_height(level) + m_tile - 1) / m_tile;
}

Rect TileScheduler::level_rect(const TileKey& tile) const {
    const std::int64_t x = tile.column * m_tile;
    const std::int64_t y = tile.row * m_tile;
    return {x, y, std::min<std::int64_t>(m_tile, m_geometry.level_width(tile.level) - x),
            std::min<std::int64_t>(m_tile, m_geometry.level_height(tile.level) - y)};
}

Rect TileScheduler::image_rect(const TileKey& tile) const {
    const Rect r = level_rect(tile);
    const std::int64_t scale = std::int64_t{1} << tile.level;
    const std::int64_t x0 = r.x * scale;
    const std::int64_t y0 = r.y * scale;
    return {x0, y0, std::min(m_geometry.width, (r.x + r.width) * scale) - x0,
            std::min(m_geometry.height, (r.y + r.height) * scale) - y0};
}

int TileScheduler::level_for(const View& view) const {
    return m_geometry.level_for_zoom(1.0 / std::max(view.x_scale, view.y_scale));
}

std::vector<TileKey> TileScheduler::visible(int level, const View& view) const {
    const double scale = static_cast<double>(std::int64_t{1} << level);
    const double x0 = view.x0 / scale;
    const double y0 = view.y0 / scale;
    const double x1 = (view.x0 + view.x_scale * view.width) / scale;
    const double y1 = (view.y0 + view.y_scale * view.height) / scale;
    std::vector<TileKey> tiles;
    if (x1 <= 0 || y1 <= 0 || x0 >= static_cast<double>(m_geometry.level_width(level)) ||
        y0 >= static_cast<double>(m_geometry.level_height(level))) {
        return tiles;
    }
    const auto first_c = std::clamp<std::int64_t>(
        static_cast<std::int64_t>(std::floor(x0 / m_tile)), 0, columns(level) - 1);
    const auto last_c = std::clamp<std::int64_t>(
        static_cast<std::int64_t>(std::ceil(x1 / m_tile)) - 1, 0, columns(level) - 1);
    const auto first_r = std::clamp<std::int64_t>(
        static_cast<std::int64_t>(std::floor(y0 / m_tile)), 0, rows(level) - 1);
    const auto last_r = std::clamp<std::int64_t>(
        static_cast<std::int64_t>(std::ceil(y1 / m_tile)) - 1, 0, rows(level) - 1);
    for (std::int64_t r = first_r; r <= last_r; ++r) {
        for (std::int64_t c = first_c; c <= last_c; ++c) {
            tiles.push_back({level, c, r});
        }
    }
    const double cx = (x0 + x1) / 2.0;
    const double cy = (y0 + y1) / 2.0;
    std::stable_sort(tiles.begin(), tiles.end(), [&](const TileKey& a, const TileKey& b) {
        const auto distance = [&](const TileKey& t) {
            const double dx = (static_cast<double>(t.column) + 0.5) * m_tile - cx;
            const double dy = (static_cast<double>(t.row) + 0.5) * m_tile - cy;
            return dx * dx + dy * dy;
        };
        return distance(a) < distance(b);
    });
    return tiles;
}

bool TileScheduler::touches(const TileKey& tile, const Rect& damage) const {
    // The texture holds a gutter of one level pixel (2^level image pixels) around the content.
    const Rect content = image_rect(tile);
    const std::int64_t gutter = std::int64_t{1} << tile.level;
    const Rect texture{content.x - gutter, content.y - gutter, content.width + 2 * gutter,
                       content.height + 2 * gutter};
    return !intersection(texture, damage).empty();
}

TilePlan TileScheduler::plan(const View& view, const std::function<bool(const TileKey&)>& resident,
                             const PlanOptions& options) const {
    TilePlan plan;
    plan.level =
        options.level >= 0 ? std::min(options.level, m_geometry.levels - 1) : level_for(view);
    const int prefetch_ring = options.prefetch_ring;
    // Coverage first: the coarsest level is cheap and covers everything.
    const int coarsest = options.coverage ? m_geometry.levels - 1 : plan.level;
    for (const TileKey& tile :
         options.coverage ? visible(coarsest, view) : std::vector<TileKey>{}) {
        plan.wanted.insert(tile);
        if (!resident(tile)) {
            plan.requests.push_back(tile);
        }
    }
    const std::vector<TileKey> ideal = visible(plan.level, view);
    for (const TileKey& tile : ideal) {
        plan.wanted.insert(tile);
        if (resident(tile)) {
            plan.draws.push_back({tile, image_rect(tile), true});
            continue;
        }
        if (std::find(plan.requests.begin(), plan.requests.end(), tile) == plan.requests.end()) {
            plan.requests.push_back(tile);
        }
        for (int level = tile.level + 1; level <= coarsest; ++level) {
            const int up = level - tile.level;
            const TileKey ancestor{level, tile.column >> up, tile.row >> up};
            if (resident(ancestor)) {
                plan.draws.push_back({ancestor, image_rect(tile), false});
                plan.wanted.insert(ancestor);
                break;
            }
        }
    }
    // Prefetch: the ring of ideal-level tiles around the visible ones.
    if (prefetch_ring > 0 && !ideal.empty()) {
        std::int64_t c0 = ideal.front().column, c1 = c0, r0 = ideal.front().row, r1 = r0;
        for (const TileKey& t : ideal) {
            c0 = std::min(c0, t.column);
            c1 = std::max(c1, t.column);
            r0 = std::min(r0, t.row);
            r1 = std::max(r1, t.row);
        }
        for (std::int64_t r = r0 - prefetch_ring; r <= r1 + prefetch_ring; ++r) {
            for (std::int64_t c = c0 - prefetch_ring; c <= c1 + prefetch_ring; ++c) {
                const TileKey t{plan.level, c, r};
                if (r < 0 || c < 0 || r >= rows(plan.level) || c >= columns(plan.level) ||
                    plan.wanted.count(t)) {
                    continue;
                }
                plan.wanted.insert(t);
                if (!resident(t)) {
                    plan.requests.push_back(t);
                }
            }
        }
    }
    return plan;
}

}  // namespace tessera::core
