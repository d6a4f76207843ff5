// Level-of-detail pyramid. Level k is ceil(W / 2^k) x ceil(H / 2^k); each of its pixels is the
// mean of the finite values of a 2x2 block of level k-1 (blocks at the right and bottom edges use
// the pixels that exist; a block with no finite value keeps its first value, so NaN stays
// visible). Integer channels round to nearest and keep their type; f16 stays f16. PyramidSource
// builds level tiles lazily on whichever thread asks (from the level below where its tiles are
// cached, otherwise straight from level 0 strip by strip, with the same result) and keeps them in
// an LRU cache within a byte budget; read_region_sampled gives a quick provisional approximation of
// any level by point-sampling level 0 at stride 2^k (every 2^k-th row touches a small fraction of
// a memory-mapped file).
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <vector>

#include "core/image/ImageSource.h"

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

class PyramidSource final : public ImageSource {
  public:
    PyramidSource(std::shared_ptr<const ImageSource> base,
                  std::size_t cache_bytes = std::size_t{256} << 20, int tile_size = 256);

    std::int64_t width() const override { return m_base->width(); }
    std::int64_t height() const override { return m_base->height(); }
    const std::vector<ChannelInfo>& channels() const override { return m_base->channels(); }
    int level_count() const override { return m_geometry.levels; }
    Result<void> read_region(std::size_t channel, int level, Rect rect,
                             std::span<std::byte> dst) const override;

    // Point samples of level 0 at stride 2^level: fast, approximate, for provisional tiles.
    Result<void> read_region_sampled(std::size_t channel, int level, Rect rect,
                                     std::span<std::byte> dst) const;

    const LevelGeometry& geometry() const { return m_geometry; }
    const ImageSource& base() const { return *m_base; }
    std::size_t cached_bytes() const;
    std::uint64_t tiles_built() const;

    // Several channels of one region at once: tiles missing from the cache are built for all of
    // them together, so an interleaved source is read once per region, not once per channel.
    Result<void> read_regions(std::span<const std::size_t> channels, int level, Rect rect,
                              std::span<const std::span<std::byte>> dsts) const;

  private:
    using Key =
        std::tuple<std::size_t, int, std::int64_t, std::int64_t>;  // channel, level, col, row
    using TileData = std::shared_ptr<const std::vector<std::byte>>;

    Rect tile_rect(int level, std::int64_t column, std::int64_t row) const;
    TileData cached(const Key& key) const;  // null when absent
    TileData store(const Key& key, TileData data) const;
    Result<std::vector<TileData>> tiles(std::span<const std::size_t> channels, int level,
                                        std::int64_t column, std::int64_t row) const;
    Result<void> build_from_base(std::span<const std::size_t> channels, int level, Rect out,
                                 std::vector<std::vector<std::byte>>& built) const;

    std::shared_ptr<const ImageSource> m_base;
    LevelGeometry m_geometry;
    std::size_t m_cache_bytes;
    int m_tile;
    mutable std::mutex m_mutex;
    mutable std::map<
        Key, std::pair<std::shared_ptr<const std::vector<std::byte>>, std::list<Key>::iterator>>
        m_cache;
    mutable std::list<Key> m_lru;  // most recent first
    mutable std::size_t m_cached = 0;
    mutable std::uint64_t m_built = 0;
};

}  // namespace tessera::core
