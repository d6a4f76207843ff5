#include "core/lod/Pyramid.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

namespace tessera::core {
namespace {

// One level from the one below: each output pixel is the mean of its 2x2 block (1 or 2 pixels at
// the right and bottom edges). Integers: the exact mean rounded to nearest, halves away from zero.
// Floats: the mean of the finite values in double; a block with none keeps its first value (NaN
// and Inf stay visible).
template <typename T, typename ToFloat, typename FromFloat>
void reduce_float(const std::byte* below, Rect in, std::byte* out, Rect out_rect, ToFloat to_float,
                  FromFloat from_float) {
    const auto* src = reinterpret_cast<const T*>(below);
    auto* dst = reinterpret_cast<T*>(out);
    for (std::int64_t y = 0; y < out_rect.height; ++y) {
        const T* rows[2] = {src + 2 * y * in.width,
                            2 * y + 1 < in.height ? src + (2 * y + 1) * in.width : nullptr};
        for (std::int64_t x = 0; x < out_rect.width; ++x) {
            const bool right = 2 * x + 1 < in.width;
            double sum = 0;
            int finite = 0;
            for (const T* row : rows) {
                if (row == nullptr) {
                    continue;
                }
                for (int dx = 0; dx < (right ? 2 : 1); ++dx) {
                    const double v = to_float(row[2 * x + dx]);
                    if (std::isfinite(v)) {
                        sum += v;
                        ++finite;
                    }
                }
            }
            dst[y * out_rect.width + x] = finite == 0 ? rows[0][2 * x] : from_float(sum / finite);
        }
    }
}

template <typename T>
void reduce_integer(const std::byte* below, Rect in, std::byte* out, Rect out_rect) {
    const auto* src = reinterpret_cast<const T*>(below);
    auto* dst = reinterpret_cast<T*>(out);
    for (std::int64_t y = 0; y < out_rect.height; ++y) {
        const T* top = src + 2 * y * in.width;
        const bool has_bottom = 2 * y + 1 < in.height;
        const T* bottom = has_bottom ? top + in.width : top;
        const std::int64_t pairs = std::min(out_rect.width, in.width / 2);  // full 2-wide blocks
        T* row_out = dst + y * out_rect.width;
        if (has_bottom) {
            for (std::int64_t x = 0; x < pairs; ++x) {
                const std::uint64_t sum =
                    std::uint64_t{top[2 * x]} + top[2 * x + 1] + bottom[2 * x] + bottom[2 * x + 1];
                row_out[x] = static_cast<T>((sum + 2) / 4);
            }
        } else {
            for (std::int64_t x = 0; x < pairs; ++x) {
                const std::uint64_t sum = std::uint64_t{top[2 * x]} + top[2 * x + 1];
                row_out[x] = static_cast<T>((sum + 1) / 2);
            }
        }
        for (std::int64_t x = pairs; x < out_rect.width; ++x) {  // a 1-wide block at the edge
            const std::uint64_t sum = std::uint64_t{top[2 * x]} + (has_bottom ? bottom[2 * x] : 0);
            const std::uint64_t count = has_bottom ? 2 : 1;
            row_out[x] = static_cast<T>((sum + count / 2) / count);
        }
    }
}

// Labels: each output pixel is the most frequent non-zero id of its block (ties: the first in
// reading order, so the result never depends on anything but the block), 0 if it has none.
template <typename T>
void reduce_labels(const std::byte* below, Rect in, std::byte* out, Rect out_rect) {
    const auto* src = reinterpret_cast<const T*>(below);
    auto* dst = reinterpret_cast<T*>(out);
    for (std::int64_t y = 0; y < out_rect.height; ++y) {
        for (std::int64_t x = 0; x < out_rect.width; ++x) {
            std::array<T, 4> ids{};
            int n = 0;
            for (std::int64_t dy = 0; dy < 2 && 2 * y + dy < in.height; ++dy) {
                for (std::int64_t dx = 0; dx < 2 && 2 * x + dx < in.width; ++dx) {
                    const T id = src[(2 * y + dy) * in.width + 2 * x + dx];
                    if (id != 0) {
                        ids[static_cast<std::size_t>(n++)] = id;
                    }
                }
            }
            T best = 0;
            int best_count = 0;
            for (int i = 0; i < n; ++i) {
                const int count = static_cast<int>(
                    std::count(ids.begin(), ids.begin() + n, ids[static_cast<std::size_t>(i)]));
                if (count > best_count) {
                    best = ids[static_cast<std::size_t>(i)];
                    best_count = count;
                }
            }
            dst[y * out_rect.width + x] = best;
        }
    }
}

void reduce(const std::byte* below, Rect in, const ChannelInfo& channel, std::byte* out,
            Rect out_rect) {
    if (channel.labels) {
        switch (channel.type) {
            case SampleType::U8:
                return reduce_labels<std::uint8_t>(below, in, out, out_rect);
            case SampleType::U16:
                return reduce_labels<std::uint16_t>(below, in, out, out_rect);
            case SampleType::U32:
                return reduce_labels<std::uint32_t>(below, in, out, out_rect);
            case SampleType::F16:
            case SampleType::F32:
                break;  // floating point is never shown as labels
        }
    }
    switch (channel.type) {
        case SampleType::U8:
            return reduce_integer<std::uint8_t>(below, in, out, out_rect);
        case SampleType::U16:
            return reduce_integer<std::uint16_t>(below, in, out, out_rect);
        case SampleType::U32:
            return reduce_integer<std::uint32_t>(below, in, out, out_rect);
        case SampleType::F16:
            return reduce_float<std::uint16_t>(
                below, in, out, out_rect, [](std::uint16_t h) { return half_to_float(h); },
                [](double mean) { return float_to_half(static_cast<float>(mean)); });
        case SampleType::F32:
            return reduce_float<float>(
                below, in, out, out_rect, [](float v) { return v; },
                [](double mean) { return static_cast<float>(mean); });
    }
}

}  // namespace

LevelGeometry LevelGeometry::of(std::int64_t width, std::int64_t height, std::int64_t smallest) {
    LevelGeometry g{width, height, 1};
    while (std::max(g.level_width(g.levels - 1), g.level_height(g.levels - 1)) > smallest) {
        ++g.levels;
    }
    return g;
}

std::int64_t LevelGeometry::level_width(int level) const {
    return std::max<std::int64_t>(1, (width + (std::int64_t{1} << level) - 1) >> level);
}

std::int64_t LevelGeometry::level_height(int level) const {
    return std::max<std::int64_t>(1, (height + (std::int64_t{1} << level) - 1) >> level);
}

int LevelGeometry::level_for_zoom(double zoom) const {
    if (!(zoom > 0) || zoom >= 1.0) {
        return 0;
    }
    // 2^level level-0 pixels per level pixel; keep at least one level pixel per screen pixel.
    const int level = static_cast<int>(std::floor(std::log2(1.0 / zoom) + 1e-9));
    return std::clamp(level, 0, levels - 1);
}

Pyramid::Pyramid(std::shared_ptr<const ImageSource> base, std::shared_ptr<TileCache> cache,
                 int tile_size)
    : m_base(std::move(base)),
      m_cache(std::move(cache)),
      m_owner(TileCache::new_owner()),
      m_geometry(LevelGeometry::of(m_base->width(), m_base->height(), tile_size)),
      m_tile(tile_size) {
    m_stored.resize(static_cast<std::size_t>(m_geometry.levels));
    for (int level = 1; level < m_geometry.levels; ++level) {
        auto stored = m_base->stored_level(level);
        if (stored && stored->width() == m_geometry.level_width(level) &&
            stored->height() == m_geometry.level_height(level) && same_planes(*stored, *m_base)) {
            m_stored[static_cast<std::size_t>(level)] = std::move(stored);
        }
    }
}

Pyramid::Pyramid(std::shared_ptr<const ImageSource> base, std::size_t cache_bytes, int tile_size)
    : Pyramid(std::move(base), std::make_shared<TileCache>(cache_bytes), tile_size) {}

Pyramid::~Pyramid() {
    m_cache->erase(m_owner);
}

Rect Pyramid::tile_rect(int level, std::int64_t column, std::int64_t row) const {
    return {column * m_tile, row * m_tile,
            std::min<std::int64_t>(m_tile, m_geometry.level_width(level) - column * m_tile),
            std::min<std::int64_t>(m_tile, m_geometry.level_height(level) - row * m_tile)};
}

void Pyramid::invalidate(const Damage& damage) {
    ++m_invalidations;
    m_cache->erase(m_owner, [&](const TileCache::Key& key) {
        if (!damage.touches(key.plane)) {
            return false;
        }
        // The tile's level-0 footprint.
        const Rect tile = tile_rect(key.level, key.column, key.row);
        const std::int64_t scale = std::int64_t{1} << key.level;
        const Rect footprint{tile.x * scale, tile.y * scale, tile.width * scale,
                             tile.height * scale};
        return !intersection(footprint, damage.rect).empty();
    });
}

Result<std::vector<Plane>> Pyramid::complete(std::span<const Plane> planes) const {
    std::vector<Plane> out;
    for (const Plane& plane : planes) {
        auto full = m_base->complete(plane);
        if (!full) {
            return full.error();
        }
        out.push_back(std::move(*full));
    }
    return out;
}

Result<void> Pyramid::build_from_base(std::span<const Plane> planes, int level, Rect out,
                                      std::vector<std::vector<std::byte>>& built) const {
    // One output row at a time: its 2^level rows of level 0, reduced level by level exactly as
    // the tiles of each level would be (every level's region is aligned to the output's blocks,
    // and clipped at that level's own edge), all planes while the strip is in the cache.
    const std::int64_t scale = std::int64_t{1} << level;
    const std::int64_t x0 = out.x * scale;
    const std::int64_t x1 = std::min(m_base->width(), (out.x + out.width) * scale);
    std::vector<std::byte> a;
    std::vector<std::byte> b;
    const std::int64_t kStripsPerRelease = std::max<std::int64_t>(1, 256 >> level);
    const auto strip_of = [&](std::int64_t y) {
        const std::int64_t y0 = (out.y + y) * scale;
        return Rect{x0, y0, x1 - x0, std::min(m_base->height(), y0 + scale) - y0};
    };
    for (std::int64_t y = 0; y < out.height; ++y) {
        const Rect strip = strip_of(y);
        if (y + 1 < out.height) {
            for (const Plane& plane : planes) {  // the disk reads ahead while this one reduces
                m_base->prefetch_region(plane, strip_of(y + 1));
            }
        }
        for (std::size_t k = 0; k < planes.size(); ++k) {
            const SampleType type = channels()[planes[k].channel].type;
            const std::size_t size = sample_size(type);
            a.resize(static_cast<std::size_t>(strip.area()) * size);
            if (auto ok = m_base->read_region(planes[k], strip, a); !ok) {
                return ok.error();
            }
            // Every plane of a group of strips read: their pages go back, one hint per group
            // (each hint can interrupt the other cores; a strip is only 2^level rows).
            const bool group_done = (y + 1) % kStripsPerRelease == 0 || y + 1 == out.height;
            if (k + 1 == planes.size() && group_done) {
                const Rect first = strip_of(y - y % kStripsPerRelease);
                for (const Plane& plane : planes) {
                    m_base->release_region(
                        plane, {first.x, first.y, first.width, strip.y + strip.height - first.y});
                }
            }
            Rect current{0, 0, strip.width, strip.height};
            for (int j = 1; j <= level; ++j) {
                const Rect next{0, 0, (current.width + 1) / 2, (current.height + 1) / 2};
                b.resize(static_cast<std::size_t>(next.area()) * size);
                reduce(a.data(), current, channels()[planes[k].channel], b.data(), next);
                std::swap(a, b);
                current = next;
            }
            std::memcpy(built[k].data() + static_cast<std::size_t>(y * out.width) * size, a.data(),
                        static_cast<std::size_t>(out.width) * size);
        }
    }
    return {};
}

Result<std::vector<Pyramid::TileData>> Pyramid::tiles(std::span<const Plane> planes, int level,
                                                      std::int64_t column, std::int64_t row) const {
    std::vector<TileData> result(planes.size());
    std::vector<Plane> missing;
    std::vector<std::size_t> missing_index;  // into `planes`
    for (std::size_t k = 0; k < planes.size(); ++k) {
        result[k] = m_cache->find(key(planes[k], level, column, row));
        if (!result[k]) {
            missing.push_back(planes[k]);
            missing_index.push_back(k);
        }
    }
    if (missing.empty()) {
        return result;
    }
    const std::uint64_t invalidations = m_invalidations.load();
    // Built outside any lock: from the level below where its tiles are cached (zooming out),
    // otherwise straight from level 0, which reads each source pixel once.
    const Rect out = tile_rect(level, column, row);
    const std::int64_t below_w = m_geometry.level_width(level - 1);
    const std::int64_t below_h = m_geometry.level_height(level - 1);
    const Rect in{out.x * 2, out.y * 2, std::min(out.width * 2, below_w - out.x * 2),
                  std::min(out.height * 2, below_h - out.y * 2)};
    bool below_cached = true;
    for (std::int64_t r = row * 2; below_cached && r * m_tile < in.y + in.height; ++r) {
        for (std::int64_t c = column * 2; below_cached && c * m_tile < in.x + in.width; ++c) {
            for (const Plane& plane : missing) {
                below_cached = below_cached && m_cache->contains(key(plane, level - 1, c, r));
            }
        }
    }
    std::vector<std::vector<std::byte>> built(missing.size());
    for (std::size_t k = 0; k < built.size(); ++k) {
        built[k].resize(region_bytes(missing[k].channel, out));
    }
    if (level == 1 || below_cached) {
        std::vector<std::vector<std::byte>> below(missing.size());
        std::vector<std::span<std::byte>> spans;
        for (std::size_t k = 0; k < below.size(); ++k) {
            below[k].resize(region_bytes(missing[k].channel, in));
            spans.emplace_back(below[k]);
        }
        if (auto ok = read_regions(missing, level - 1, in, spans); !ok) {
            return ok.error();
        }
        for (std::size_t k = 0; k < below.size(); ++k) {
            reduce(below[k].data(), in, channels()[missing[k].channel], built[k].data(), out);
        }
    } else if (auto ok = build_from_base(missing, level, out, built); !ok) {
        return ok.error();
    }
    // A change of the source meanwhile may have made these stale: used once, never cached.
    const bool cacheable = m_invalidations.load() == invalidations;
    for (std::size_t i = 0; i < missing.size(); ++i) {
        auto data = std::make_shared<const std::vector<std::byte>>(std::move(built[i]));
        result[missing_index[i]] =
            cacheable ? m_cache->store(key(missing[i], level, column, row), data) : data;
        ++m_built;
    }
    return result;
}

Result<void> Pyramid::read_region(const Plane& plane, int level, Rect rect,
                                  std::span<std::byte> dst) const {
    const Plane planes[] = {plane};
    const std::span<std::byte> dsts[] = {dst};
    return read_regions(planes, level, rect, dsts);
}

Result<void> Pyramid::read_regions(std::span<const Plane> requested, int level, Rect rect,
                                   std::span<const std::span<std::byte>> dsts) const {
    auto planes = complete(requested);
    if (!planes) {
        return planes.error();
    }
    bool valid = planes->size() == dsts.size() && level >= 0 && level < m_geometry.levels &&
                 rect.x >= 0 && rect.y >= 0 && rect.width >= 0 && rect.height >= 0 &&
                 rect.x + rect.width <= m_geometry.level_width(level) &&
                 rect.y + rect.height <= m_geometry.level_height(level);
    for (std::size_t k = 0; valid && k < planes->size(); ++k) {
        valid = dsts[k].size() >= region_bytes((*planes)[k].channel, rect);
    }
    if (!valid) {
        return Error{fmt::format("region {}x{}+{}+{} lies outside level {} of the pyramid",
                                 rect.width, rect.height, rect.x, rect.y, level)};
    }
    if (level == 0) {
        return read_stored(*m_base, *planes, rect, dsts);
    }
    if (const auto& stored = m_stored[static_cast<std::size_t>(level)]) {
        return read_stored(*stored, *planes, rect, dsts);
    }
    for (std::int64_t row = rect.y / m_tile; row * m_tile < rect.y + rect.height; ++row) {
        for (std::int64_t column = rect.x / m_tile; column * m_tile < rect.x + rect.width;
             ++column) {
            auto data = tiles(*planes, level, column, row);
            if (!data) {
                return data.error();
            }
            const Rect tile = tile_rect(level, column, row);
            const Rect part = intersection(tile, rect);
            for (std::size_t k = 0; k < planes->size(); ++k) {
                const std::size_t size = sample_size(channels()[(*planes)[k].channel].type);
                for (std::int64_t y = part.y; y < part.y + part.height; ++y) {
                    std::memcpy(
                        dsts[k].data() + static_cast<std::size_t>((y - rect.y) * rect.width +
                                                                  (part.x - rect.x)) *
                                             size,
                        (*data)[k]->data() + static_cast<std::size_t>((y - tile.y) * tile.width +
                                                                      (part.x - tile.x)) *
                                                 size,
                        static_cast<std::size_t>(part.width) * size);
                }
            }
        }
    }
    return {};
}

Result<void> Pyramid::read_stored(const ImageSource& source, std::span<const Plane> planes,
                                  Rect rect, std::span<const std::span<std::byte>> dsts) const {
    // In bands of rows, every plane of a band read before its pages are handed back: tiles and
    // textures keep what is shown, not the mapped file, and an interleaved file's pages are
    // mapped once for all its channels.
    constexpr std::int64_t kBandRows = 128;
    for (std::int64_t y = 0; y < rect.height; y += kBandRows) {
        const Rect band{rect.x, rect.y + y, rect.width, std::min(kBandRows, rect.height - y)};
        for (std::size_t k = 0; k < planes.size(); ++k) {
            const std::size_t offset = static_cast<std::size_t>(y * rect.width) *
                                       sample_size(channels()[planes[k].channel].type);
            if (auto ok = source.read_region(planes[k], band, dsts[k].subspan(offset)); !ok) {
                return ok.error();
            }
        }
        for (const Plane& plane : planes) {
            source.release_region(plane, band);
        }
    }
    return {};
}

Result<void> Pyramid::read_region_sampled(const Plane& requested, int level, Rect rect,
                                          std::span<std::byte> dst) const {
    if (level == 0 ||
        (level > 0 && level < m_geometry.levels && m_stored[static_cast<std::size_t>(level)])) {
        return read_region(requested, level, rect, dst);  // exact, and as cheap
    }
    auto plane = m_base->complete(requested);
    if (!plane) {
        return plane.error();
    }
    if (level < 0 || level >= m_geometry.levels || rect.x < 0 || rect.y < 0 || rect.width <= 0 ||
        rect.height <= 0 || rect.x + rect.width > m_geometry.level_width(level) ||
        rect.y + rect.height > m_geometry.level_height(level) ||
        dst.size() < region_bytes(plane->channel, rect)) {
        return Error{fmt::format("region {}x{}+{}+{} lies outside level {} of the pyramid",
                                 rect.width, rect.height, rect.x, rect.y, level)};
    }
    const std::int64_t stride = std::int64_t{1} << level;
    return m_base->read_strided(*plane, rect.x * stride,
                                std::min(rect.y * stride, m_base->height() - 1), stride, rect.width,
                                rect.height, dst);
}

}  // namespace tessera::core
