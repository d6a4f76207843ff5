// Level-of-detail pyramid. Level k is ceil(W / 2^k) x ceil(H / 2^k); each of its pixels is the
// mean of the finite values of a 2x2 block of level k-1 (blocks at the right and bottom edges use
// the pixels that exist; a block with no finite value keeps its first value, so NaN stays
// visible). Integer channels round to nearest and keep their type; f16 stays f16. Levels are
// per plane. Pyramid builds level tiles lazily on whichever thread asks (from the level below
// where its tiles are cached, otherwise straight from level 0 strip by strip, with the same
// result) and keeps them in an LRU TileCache within a byte budget; read_region_sampled gives a
// quick provisional approximation of any level by point-sampling level 0 at stride 2^k (every
// 2^k-th row touches a small fraction of a memory-mapped file). Levels the source stores itself
// (ImageSource::stored_level, of exactly this geometry and the same channels and axes) are read
// from it instead.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/image/ImageSource.h"
#include "core/lod/TileCache.h"

namespace tessera::core {

struct LevelGeometry {
    std::int64_t width = 1;
    std::int64_t height = 1;
    int levels = 1;

    // Levels down to the first whose longer side is at most `smallest` pixels.
    static LevelGeometry of(std::int64_t width, std::int64_t height, std::int64_t smallest = 256);
    std::int64_t level_width(int level) const;
    std::int64_t level_height(int level) const;
    // The finest level that still has at least one data pixel per screen pixel, for a zoom of
    // `zoom` screen pixels per level-0 pixel. Zoomed in (zoom >= 1) this is always level 0.
    int level_for_zoom(double zoom) const;
};

// A source's levels. Level 0 is the source itself; coarser levels are built tile by tile on
// whichever thread asks and kept in a TileCache (the session's, shared with other images, or
// one of its own).
class Pyramid {
  public:
    Pyramid(std::shared_ptr<const ImageSource> base, std::shared_ptr<TileCache> cache,
            int tile_size = 256);
    // With a cache of its own of `cache_bytes`.
    explicit Pyramid(std::shared_ptr<const ImageSource> base,
                     std::size_t cache_bytes = std::size_t{256} << 20, int tile_size = 256);
    ~Pyramid();
    Pyramid(const Pyramid&) = delete;
    Pyramid& operator=(const Pyramid&) = delete;

    int level_count() const { return m_geometry.levels; }
    const LevelGeometry& geometry() const { return m_geometry; }
    const ImageSource& base() const { return *m_base; }
    const std::shared_ptr<const ImageSource>& base_pointer() const { return m_base; }
    const std::vector<ChannelInfo>& channels() const { return m_base->channels(); }
    std::size_t region_bytes(std::size_t channel, Rect rect) const {
        return m_base->region_bytes(channel, rect);
    }

    // Copies `rect` of one plane at `level` (which must lie inside that level) into `dst`.
    Result<void> read_region(const Plane& plane, int level, Rect rect,
                             std::span<std::byte> dst) const;
    // Several planes of one region at once: tiles missing from the cache are built for all of
    // them together, so an interleaved source is read once per region, not once per channel.
    Result<void> read_regions(std::span<const Plane> planes, int level, Rect rect,
                              std::span<const std::span<std::byte>> dsts) const;
    // Point samples of level 0 at stride 2^level: fast, approximate, for provisional tiles.
    Result<void> read_region_sampled(const Plane& plane, int level, Rect rect,
                                     std::span<std::byte> dst) const;

    // Forgets the cached tiles (of every level) that a change of the source touches. A tile
    // being built while this runs is returned to its reader but not cached.
    void invalidate(const Damage& damage);

    std::size_t cached_bytes() const { return m_cache->bytes_of(m_owner); }  // this pyramid's
    std::uint64_t tiles_built() const { return m_built.load(); }

  private:
    using TileData = TileCache::Data;

    Rect tile_rect(int level, std::int64_t column, std::int64_t row) const;
    TileCache::Key key(const Plane& plane, int level, std::int64_t column, std::int64_t row) const {
        return {m_owner, plane, level, column, row};
    }
    Result<std::vector<TileData>> tiles(std::span<const Plane> planes, int level,
                                        std::int64_t column, std::int64_t row) const;
    Result<void> build_from_base(std::span<const Plane> planes, int level, Rect out,
                                 std::vector<std::vector<std::byte>>& built) const;
    Result<std::vector<Plane>> complete(std::span<const Plane> planes) const;

    // Reads `rect` of stored level `level` (ImageSource::stored_level) in bands of rows.
    Result<void> read_stored(const ImageSource& level_source, std::span<const Plane> planes,
                             Rect rect, std::span<const std::span<std::byte>> dsts) const;

    std::shared_ptr<const ImageSource> m_base;
    // Per level, the copy the source stores (nullptr: built here); level 0 is the base.
    std::vector<std::shared_ptr<const ImageSource>> m_stored;
    std::shared_ptr<TileCache> m_cache;
    std::uint64_t m_owner;
    LevelGeometry m_geometry;
    int m_tile;
    mutable std::atomic<std::uint64_t> m_built{0};
    std::atomic<std::uint64_t> m_invalidations{0};
};

}  // namespace tessera::core
