#include "core/image/PlanarImage.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>

#include <fmt/format.h>
#include <sys/mman.h>

namespace tessera::core {
namespace {

// Where row `row` of `rect` starts in a plane of rows of `plane_width` samples, in bytes.
std::size_t row_offset(Rect rect, std::int64_t row, std::int64_t plane_width, std::size_t sample) {
    return (static_cast<std::size_t>(rect.y + row) * static_cast<std::size_t>(plane_width) +
            static_cast<std::size_t>(rect.x)) *
           sample;
}

}  // namespace

PlanarImage::ZeroedBlock::ZeroedBlock(std::size_t size)
    : m_data(static_cast<std::byte*>(std::calloc(std::max<std::size_t>(size, 1), 1))),
      m_size(size) {
    if (!m_data) {
        throw std::bad_alloc();
    }
    // Large blocks in huge pages where the system allows it: a page fault per 2 MB instead of
    // per 4 KB when the block is first written (a hint; ignored elsewhere).
    constexpr std::size_t kHugePage = std::size_t{2} << 20;
    if (size >= 4 * kHugePage) {
        const auto begin =
            (reinterpret_cast<std::uintptr_t>(m_data.get()) + kHugePage - 1) & ~(kHugePage - 1);
        const auto end = (reinterpret_cast<std::uintptr_t>(m_data.get()) + size) & ~(kHugePage - 1);
        ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
    }
}

void PlanarImage::ZeroedBlock::Free::operator()(std::byte* data) const {
    std::free(data);
}

PlanarImage::PlanarImage(std::int64_t width, std::int64_t height, std::vector<Axis> axes)
    : m_width(width), m_height(height), m_axes(std::move(axes)) {
    assert(width > 0 && height > 0 && "PlanarImage needs a positive size");
}

std::size_t PlanarImage::add_channel(std::string name, SampleType type) {
    m_channels.push_back({std::move(name), type});
    m_planes.emplace_back(static_cast<std::size_t>(m_width * m_height * planes_per_channel()) *
                          sample_size(type));
    return m_channels.size() - 1;
}

std::size_t PlanarImage::plane_offset(const Plane& complete) const {
    std::int64_t index = 0;
    for (std::size_t i = 0; i < m_axes.size(); ++i) {
        index = index * m_axes[i].extent + complete.position[i];
    }
    return static_cast<std::size_t>(index * m_width * m_height) *
           sample_size(m_channels[complete.channel].type);
}

std::span<std::byte> PlanarImage::plane(const Plane& plane) {
    auto full = complete(plane);
    assert(full && "PlanarImage::plane: no such plane");
    const std::size_t bytes =
        static_cast<std::size_t>(m_width * m_height) * sample_size(m_channels[plane.channel].type);
    return m_planes[plane.channel].bytes().subspan(plane_offset(*full), bytes);
}

Result<void> PlanarImage::read_region(const Plane& plane, Rect rect,
                                      std::span<std::byte> dst) const {
    if (auto ok = check_read(plane, rect, dst.size()); !ok) {
        return ok;
    }
    const std::size_t sample = sample_size(m_channels[plane.channel].type);
    const std::size_t row_bytes = static_cast<std::size_t>(rect.width) * sample;
    std::shared_lock lock(m_sync->lock);
    const std::byte* src = m_planes[plane.channel].bytes().data() + plane_offset(*complete(plane));
    for (std::int64_t row = 0; row < rect.height; ++row) {
        std::memcpy(dst.data() + static_cast<std::size_t>(row) * row_bytes,
                    src + row_offset(rect, row, m_width, sample), row_bytes);
    }
    return {};
}

Result<void> PlanarImage::read_strided(const Plane& plane, std::int64_t x0, std::int64_t y0,
                                       std::int64_t step, std::int64_t columns, std::int64_t rows,
                                       std::span<std::byte> dst) const {
    if (auto ok = check_strided(plane, x0, y0, step, columns, rows, dst.size()); !ok) {
        return ok;
    }
    const std::size_t sample = sample_size(m_channels[plane.channel].type);
    std::shared_lock lock(m_sync->lock);
    const std::byte* src = m_planes[plane.channel].bytes().data() + plane_offset(*complete(plane));
    // Samples picked one by one, in the type's size (the compiler turns each copy into a move).
    const auto pick = [&]<std::size_t Size>() {
        for (std::int64_t y = 0; y < rows; ++y) {
            const std::int64_t sy = std::min(y0 + y * step, m_height - 1);
            const std::byte* row = src + static_cast<std::size_t>(sy * m_width) * Size;
            std::byte* out = dst.data() + static_cast<std::size_t>(y * columns) * Size;
            for (std::int64_t x = 0; x < columns; ++x) {
                const std::int64_t sx = std::min(x0 + x * step, m_width - 1);
                std::memcpy(out + static_cast<std::size_t>(x) * Size,
                            row + static_cast<std::size_t>(sx) * Size, Size);
            }
        }
    };
    switch (sample) {
        case 1:
            pick.operator()<1>();
            break;
        case 2:
            pick.operator()<2>();
            break;
        default:
            pick.operator()<4>();
            break;
    }
    return {};
}

PlanarImage::ZeroedBlock PlanarImage::take_storage(std::size_t channel) {
    assert(channel < m_planes.size() && "take_storage: no such channel");
    {
        std::lock_guard lock(m_sync->spares_lock);
        if (channel < m_sync->spares.size() && m_sync->spares[channel]) {
            ZeroedBlock spare = std::move(*m_sync->spares[channel]);
            m_sync->spares[channel].reset();
            return spare;
        }
    }
    return ZeroedBlock(m_planes[channel].size());
}

bool PlanarImage::has_spare(std::size_t channel) const {
    std::lock_guard lock(m_sync->spares_lock);
    return channel < m_sync->spares.size() && m_sync->spares[channel].has_value();
}

std::uint64_t PlanarImage::spare_bytes() const {
    std::lock_guard lock(m_sync->spares_lock);
    std::uint64_t bytes = 0;
    for (const auto& spare : m_sync->spares) {
        bytes += spare ? spare->size() : 0;
    }
    return bytes;
}

Result<void> PlanarImage::replace_channels(
    std::vector<std::pair<std::size_t, ZeroedBlock>> filled) {
    if (!m_axes.empty()) {
        return Error{"whole channels of a stack are not replaced at once"};
    }
    std::vector<Plane> planes;
    for (std::size_t i = 0; i < filled.size(); ++i) {
        const auto& [channel, block] = filled[i];
        if (channel >= m_planes.size() || block.size() != m_planes[channel].size()) {
            return Error{
                fmt::format("storage of {} bytes does not fit channel {}", block.size(), channel)};
        }
        for (std::size_t j = 0; j < i; ++j) {
            if (filled[j].first == channel) {
                return Error{fmt::format("channel {} is replaced twice at once", channel)};
            }
        }
        planes.push_back({channel, {}});
    }
    {
        std::unique_lock lock(m_sync->lock);
        for (auto& [channel, block] : filled) {
            std::swap(m_planes[channel], block);  // `block` is the replaced storage now
        }
    }
    m_sync->damage.record({bounds(), std::move(planes)});
    std::lock_guard lock(m_sync->spares_lock);
    m_sync->spares.resize(m_planes.size());
    for (auto& [channel, block] : filled) {
        m_sync->spares[channel] = std::move(block);
    }
    return {};
}

Result<void> PlanarImage::write_region(const Plane& plane, Rect rect,
                                       std::span<const std::byte> src) {
    if (auto ok = check_read(plane, rect, src.size()); !ok) {
        return ok;
    }
    const Plane full = *complete(plane);
    const std::size_t sample = sample_size(m_channels[plane.channel].type);
    const std::size_t row_bytes = static_cast<std::size_t>(rect.width) * sample;
    std::byte* out = m_planes[plane.channel].bytes().data() + plane_offset(full);
    {
        std::unique_lock lock(m_sync->lock);
        for (std::int64_t row = 0; row < rect.height; ++row) {
            std::memcpy(out + row_offset(rect, row, m_width, sample),
                        src.data() + static_cast<std::size_t>(row) * row_bytes, row_bytes);
        }
    }
    m_sync->damage.record({rect, {full}});
    return {};
}

}  // namespace tessera::core
