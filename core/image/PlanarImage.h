// PlanarImage: an ImageSource that holds every channel decoded in memory, one contiguous plane
// per channel in its native sample type. Decoders and procedural generators fill it once.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/image/ImageSource.h"

namespace tessera::core {

class PlanarImage final : public ImageSource {
  public:
    PlanarImage(std::int64_t width, std::int64_t height);

    // Adds a zero-filled channel and returns its index.
    std::size_t add_channel(std::string name, SampleType type);

    std::int64_t width() const override { return m_width; }
    std::int64_t height() const override { return m_height; }
    const std::vector<ChannelInfo>& channels() const override { return m_channels; }
    Result<void> read_region(std::size_t channel, int level, Rect rect,
                             std::span<std::byte> dst) const override;

    std::span<std::byte> plane(std::size_t channel) { return m_planes[channel]; }
    std::span<const std::byte> plane(std::size_t channel) const { return m_planes[channel]; }

    // Typed view of a plane; T must match the channel's sample type in size.
    template <typename T>
    std::span<T> samples(std::size_t channel) {
        assert(sizeof(T) == sample_size(m_channels[channel].type) && "sample type mismatch");
        auto bytes = plane(channel);
        return {reinterpret_cast<T*>(bytes.data()), bytes.size() / sizeof(T)};
    }
    template <typename T>
    std::span<const T> samples(std::size_t channel) const {
        assert(sizeof(T) == sample_size(m_channels[channel].type) && "sample type mismatch");
        auto bytes = plane(channel);
        return {reinterpret_cast<const T*>(bytes.data()), bytes.size() / sizeof(T)};
    }

  private:
    std::int64_t m_width;
    std::int64_t m_height;
    std::vector<ChannelInfo> m_channels;
    std::vector<std::vector<std::byte>> m_planes;
};

}  // namespace tessera::core
