#include "core/Pyramid.h"

#include <algorithm>
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

void reduce(const std::byte* below, Rect in, SampleType type, std::byte* out, Rect out_rect) {
    switch (type) {
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

PyramidSource::PyramidSource(std::shared_ptr<const ImageSource> base, std::size_t cache_bytes,
                             int tile_size)
    : m_base(std::move(base)),
      m_geometry(LevelGeometry::of(m_base->width(), m_base->height(), tile_size)),
      m_cache_bytes(cache_bytes),
      m_tile(tile_size) {}

std::size_t PyramidSource::cached_bytes() const {
    std::lock_guard lock(m_mutex);
    return m_cached;
}

std::uint64_t PyramidSource::tiles_built() const {
    std::lock_guard lock(m_mutex);
    return m_built;
}

Result<std::shared_ptr<const std::vector<std::byte>>> PyramidSource::tile(std::size_t channel,
                                                                          int level,
                                                                          std::int64_t column,
                                                                          std::int64_t row) const {
    const Key key{channel, level, column, row};
    {
        std::lock_guard lock(m_mutex);
        if (const auto found = m_cache.find(key); found != m_cache.end()) {
            m_lru.splice(m_lru.begin(), m_lru, found->second.second);
            return found->second.first;
        }
    }
    // Built outside the lock from the level below (which may itself be built on the way).
    const SampleType type = channels()[channel].type;
    const std::size_t size = sample_size(type);
    const std::int64_t level_w = m_geometry.level_width(level);
    const std::int64_t level_h = m_geometry.level_height(level);
    const Rect out{column * m_tile, row * m_tile,
                   std::min<std::int64_t>(m_tile, level_w - column * m_tile),
                   std::min<std::int64_t>(m_tile, level_h - row * m_tile)};
    const std::int64_t below_w = m_geometry.level_width(level - 1);
    const std::int64_t below_h = m_geometry.level_height(level - 1);
    const Rect in{out.x * 2, out.y * 2, std::min(out.width * 2, below_w - out.x * 2),
                  std::min(out.height * 2, below_h - out.y * 2)};
    std::vector<std::byte> below(static_cast<std::size_t>(in.area()) * size);
    if (auto ok = read_region(channel, level - 1, in, below); !ok) {
        return ok.error();
    }
    auto data =
        std::make_shared<std::vector<std::byte>>(static_cast<std::size_t>(out.area()) * size);
    reduce(below.data(), in, type, data->data(), out);
    std::lock_guard lock(m_mutex);
    if (const auto found = m_cache.find(key); found != m_cache.end()) {
        return found->second.first;  // another thread built it meanwhile
    }
    m_lru.push_front(key);
    m_cache[key] = {data, m_lru.begin()};
    m_cached += data->size();
    ++m_built;
    while (m_cached > m_cache_bytes && m_lru.size() > 1) {
        const Key victim = m_lru.back();
        m_lru.pop_back();
        m_cached -= m_cache[victim].first->size();
        m_cache.erase(victim);
    }
    return std::shared_ptr<const std::vector<std::byte>>(data);
}

Result<void> PyramidSource::read_region(std::size_t channel, int level, Rect rect,
                                        std::span<std::byte> dst) const {
    if (level == 0) {
        auto ok = m_base->read_region(channel, 0, rect, dst);
        m_base->release_region(channel, rect);  // copied: tiles and textures keep what is shown
        return ok;
    }
    if (channel >= channels().size() || level < 0 || level >= m_geometry.levels || rect.x < 0 ||
        rect.y < 0 || rect.width < 0 || rect.height < 0 ||
        rect.x + rect.width > m_geometry.level_width(level) ||
        rect.y + rect.height > m_geometry.level_height(level) ||
        dst.size() < region_bytes(channel, rect)) {
        return Error{fmt::format("region {}x{}+{}+{} lies outside level {} of the pyramid",
                                 rect.width, rect.height, rect.x, rect.y, level)};
    }
    const std::size_t size = sample_size(channels()[channel].type);
    for (std::int64_t row = rect.y / m_tile; row * m_tile < rect.y + rect.height; ++row) {
        for (std::int64_t column = rect.x / m_tile; column * m_tile < rect.x + rect.width;
             ++column) {
            auto data = tile(channel, level, column, row);
            if (!data) {
                return data.error();
            }
            const std::int64_t tile_w =
                std::min<std::int64_t>(m_tile, m_geometry.level_width(level) - column * m_tile);
            const std::int64_t x0 = std::max(rect.x, column * m_tile);
            const std::int64_t x1 = std::min(rect.x + rect.width, column * m_tile + tile_w);
            const std::int64_t y0 = std::max(rect.y, row * m_tile);
            const std::int64_t y1 = std::min(rect.y + rect.height, (row + 1) * m_tile);
            for (std::int64_t y = y0; y < y1; ++y) {
                std::memcpy(
                    dst.data() +
                        static_cast<std::size_t>((y - rect.y) * rect.width + (x0 - rect.x)) * size,
                    (*data)->data() + static_cast<std::size_t>((y - row * m_tile) * tile_w +
                                                               (x0 - column * m_tile)) *
                                          size,
                    static_cast<std::size_t>(x1 - x0) * size);
            }
        }
    }
    return {};
}

Result<void> PyramidSource::read_region_sampled(std::size_t channel, int level, Rect rect,
                                                std::span<std::byte> dst) const {
    if (level == 0) {
        return read_region(channel, 0, rect, dst);
    }
    const std::size_t size = sample_size(channels()[channel].type);
    const std::int64_t stride = std::int64_t{1} << level;
    std::vector<std::byte> line(static_cast<std::size_t>(m_base->width()) * size);
    for (std::int64_t y = 0; y < rect.height; ++y) {
        const std::int64_t source_y = std::min((rect.y + y) * stride, m_base->height() - 1);
        // One row of level 0 per level row: a small fraction of the file for coarse levels.
        const std::int64_t x_begin = rect.x * stride;
        const std::int64_t x_end =
            std::min(m_base->width(), (rect.x + rect.width - 1) * stride + 1);
        const Rect source_row{x_begin, source_y, x_end - x_begin, 1};
        if (auto ok = m_base->read_region(channel, 0, source_row, line); !ok) {
            return ok.error();
        }
        m_base->release_region(channel, source_row);
        for (std::int64_t x = 0; x < rect.width; ++x) {
            const std::int64_t sx = std::min(x * stride, source_row.width - 1);
            std::memcpy(dst.data() + static_cast<std::size_t>(y * rect.width + x) * size,
                        line.data() + static_cast<std::size_t>(sx) * size, size);
        }
    }
    return {};
}

}  // namespace tessera::core
