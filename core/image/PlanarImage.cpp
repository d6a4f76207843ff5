#include "core/image/PlanarImage.h"

#include <cstring>

#include <fmt/format.h>

namespace tessera::core {

PlanarImage::PlanarImage(std::int64_t width, std::int64_t height)
    : m_width(width), m_height(height) {
    assert(width > 0 && height > 0 && "PlanarImage needs a positive size");
}

std::size_t PlanarImage::add_channel(std::string name, SampleType type) {
    m_channels.push_back({std::move(name), type});
    m_planes.emplace_back(static_cast<std::size_t>(m_width * m_height) * sample_size(type));
    return m_channels.size() - 1;
}

Result<void> PlanarImage::read_region(std::size_t channel, int level, Rect rect,
                                      std::span<std::byte> dst) const {
    if (channel >= m_channels.size() || level != 0) {
        return Error{fmt::format("no channel {} at level {} (image has {} channels, 1 level)",
                                 channel, level, m_channels.size())};
    }
    if (rect.x < 0 || rect.y < 0 || rect.width < 0 || rect.height < 0 ||
        rect.x + rect.width > m_width || rect.y + rect.height > m_height) {
        return Error{fmt::format("region {}x{}+{}+{} lies outside the {}x{} image", rect.width,
                                 rect.height, rect.x, rect.y, m_width, m_height)};
    }
    const std::size_t sample = sample_size(m_channels[channel].type);
    const std::size_t row_bytes = static_cast<std::size_t>(rect.width) * sample;
    if (dst.size() < row_bytes * static_cast<std::size_t>(rect.height)) {
        return Error{fmt::format("destination holds {} bytes, region needs {}", dst.size(),
                                 row_bytes * static_cast<std::size_t>(rect.height))};
    }
    const std::byte* src = m_planes[channel].data();
    for (std::int64_t row = 0; row < rect.height; ++row) {
        const std::size_t offset =
            (static_cast<std::size_t>(rect.y + row) * static_cast<std::size_t>(m_width) +
             static_cast<std::size_t>(rect.x)) *
            sample;
        std::memcpy(dst.data() + static_cast<std::size_t>(row) * row_bytes, src + offset,
                    row_bytes);
    }
    return {};
}

}  // namespace tessera::core
