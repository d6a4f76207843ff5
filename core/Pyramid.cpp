#include "core/Pyramid.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

namespace tessera::core {
namespace {

// The mean of the finite values among `count` samples; rounded to nearest for integer types.
void average(const std::byte* const* samples, int count, SampleType type, std::byte* out) {
    double sum = 0;
    int finite = 0;
    for (int i = 0; i < count; ++i) {
        const double v = sample_as_float(samples[i], type);
        if (std::isfinite(v)) {
            sum += v;
            ++finite;
        }
    }
    if (finite == 0) {
        std::memcpy(out, samples[0], sample_size(type));  // NaN or Inf stays visible
        return;
    }
    const double mean = sum / finite;
    switch (type) {
        case SampleType::U8: {
            const auto v = static_cast<std::uint8_t>(std::lround(mean));
            std::memcpy(out, &v, 1);
            break;
        }
        case SampleType::U16: {
            const auto v = static_cast<std::uint16_t>(std::lround(mean));
            std::memcpy(out, &v, 2);
            break;
        }
        case SampleType::U32: {
            const auto v = static_cast<std::uint32_t>(std::llround(mean));
            std::memcpy(out, &v, 4);
            break;
        }
        case SampleType::F16: {
            const std::uint16_t v = float_to_half(static_cast<float>(mean));
            std::memcpy(out, &v, 2);
            break;
        }
        case SampleType::F32: {
            const auto v = static_cast<float>(mean);
            std::memcpy(out, &v, 4);
            break;
        }
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
    for (std::int64_t y = 0; y < out.height; ++y) {
        for (std::int64_t x = 0; x < out.width; ++x) {
            const std::byte* samples[4];
            int count = 0;
            for (std::int64_t dy = 0; dy < 2; ++dy) {
                for (std::int64_t dx = 0; dx < 2; ++dx) {
                    const std::int64_t sx = x * 2 + dx;
                    const std::int64_t sy = y * 2 + dy;
                    if (sx < in.width && sy < in.height) {
                        samples[count++] =
                            below.data() + static_cast<std::size_t>(sy * in.width + sx) * size;
                    }
                }
            }
            average(samples, count, type,
                    data->data() + static_cast<std::size_t>(y * out.width + x) * size);
        }
    }
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
        return m_base->read_region(channel, 0, rect, dst);
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
        return m_base->read_region(channel, 0, rect, dst);
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
        for (std::int64_t x = 0; x < rect.width; ++x) {
            const std::int64_t sx = std::min(x * stride, source_row.width - 1);
            std::memcpy(dst.data() + static_cast<std::size_t>(y * rect.width + x) * size,
                        line.data() + static_cast<std::size_t>(sx) * size, size);
        }
    }
    return {};
}

}  // namespace tessera::core
