// PlanarImage: an ImageSource that holds every plane in memory, one contiguous block per channel
// (its planes one after another, the last axis varying fastest) in the channel's native sample
// type. Decoders and procedural generators fill it once through plane()/samples(); live sources
// change it through write_region(), which records the damage, while readers on other threads
// see either the old or the new pixels of a region, never a torn row.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "core/image/DamageLog.h"
#include "core/image/ImageSource.h"

namespace tessera::core {

class PlanarImage final : public ImageSource {
  public:
    PlanarImage(std::int64_t width, std::int64_t height, std::vector<Axis> axes = {});

    // Adds a zero-filled channel (every plane of it) and returns its index.
    std::size_t add_channel(std::string name, SampleType type);
    // The colour the file gives a channel (ChannelInfo::colour).
    void set_channel_colour(std::size_t channel,
                            std::optional<std::array<std::uint8_t, 3>> colour) {
        m_channels[channel].colour = colour;
    }

    std::int64_t width() const override { return m_width; }
    std::int64_t height() const override { return m_height; }
    const std::vector<ChannelInfo>& channels() const override { return m_channels; }
    const std::vector<Axis>& axes() const override { return m_axes; }
    Result<void> read_region(const Plane& plane, Rect rect,
                             std::span<std::byte> dst) const override;
    Result<void> read_strided(const Plane& plane, std::int64_t x0, std::int64_t y0,
                              std::int64_t step, std::int64_t columns, std::int64_t rows,
                              std::span<std::byte> dst) const override;

    // Copies `src` (tightly packed rows in the channel's type) into `rect` of `plane` and records
    // the damage. Safe while other threads read.
    Result<void> write_region(const Plane& plane, Rect rect, std::span<const std::byte> src);
    std::uint64_t revision() const override { return m_sync->damage.revision(); }
    std::vector<Damage> damage_since(std::uint64_t since) const override {
        return m_sync->damage.since(since, bounds());
    }

    // A channel's block, zero-filled by calloc: a large block is fresh pages from the kernel,
    // zero already, so it costs nothing until written, and its pages are touched by whichever
    // threads write them (decoders, derived images' workers) instead of in one zero-filling pass.
    class ZeroedBlock {
      public:
        explicit ZeroedBlock(std::size_t size);  // std::bad_alloc when there is no memory
        std::span<std::byte> bytes() { return {m_data.get(), m_size}; }
        std::span<const std::byte> bytes() const { return {m_data.get(), m_size}; }
        std::size_t size() const { return m_size; }

      private:
        struct Free {
            void operator()(std::byte* data) const;
        };
        std::unique_ptr<std::byte[], Free> m_data;
        std::size_t m_size;
    };
    // Whole channels of a 2-D image written without a copy: take_storage(c) hands out storage
    // the size of channel c (a spare one when there is one, holding whatever it held) for the
    // caller to fill; replace_channels puts filled storage in place of the channels' pixels, all
    // of them at once as one change (one revision, whole-image damage), and keeps the storage it
    // replaces as the spares. Safe while other threads read.
    ZeroedBlock take_storage(std::size_t channel);
    bool has_spare(std::size_t channel) const;
    std::uint64_t spare_bytes() const;  // of every channel's spare
    Result<void> replace_channels(std::vector<std::pair<std::size_t, ZeroedBlock>> filled);

    // Every plane of a channel, one after another (for a 2-D image: the channel's only plane).
    // For filling the image before it is shared; not synchronised with write_region.
    std::span<std::byte> plane(std::size_t channel) { return m_planes[channel].bytes(); }
    std::span<const std::byte> plane(std::size_t channel) const {
        return m_planes[channel].bytes();
    }
    // One plane (which must be valid).
    std::span<std::byte> plane(const Plane& plane);

    // Typed view of a channel's planes; T must match the channel's sample type in size.
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
    std::size_t plane_offset(const Plane& complete) const;  // bytes into the channel's block

    std::int64_t m_width;
    std::int64_t m_height;
    std::vector<Axis> m_axes;
    std::vector<ChannelInfo> m_channels;
    std::vector<ZeroedBlock> m_planes;
    struct Sync {
        std::shared_mutex lock;  // write_region against readers
        DamageLog damage;
        std::mutex spares_lock;
        std::vector<std::optional<ZeroedBlock>> spares;  // per channel
    };
    std::unique_ptr<Sync> m_sync = std::make_unique<Sync>();  // the image stays movable
};

}  // namespace tessera::core
