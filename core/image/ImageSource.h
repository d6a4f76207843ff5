// ImageSource: the one abstraction the renderer pulls pixels from. Channels keep their native
// sample type; pixels are read by region so sources can be tiled, streamed or memory-mapped
// without changing callers. read_region reports I/O failures as errors, never by crashing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/base/Result.h"
#include "core/image/SampleType.h"

namespace tessera::core {

// A rectangle in pixel coordinates of one level: x, y of the top-left corner, then its size.
struct Rect {
    std::int64_t x = 0;
    std::int64_t y = 0;
    std::int64_t width = 0;
    std::int64_t height = 0;

    std::int64_t area() const { return width * height; }
    bool operator==(const Rect&) const = default;
};

struct ChannelInfo {
    std::string name;
    SampleType type = SampleType::F32;
};

class ImageSource {
  public:
    virtual ~ImageSource() = default;

    virtual std::int64_t width() const = 0;
    virtual std::int64_t height() const = 0;
    virtual const std::vector<ChannelInfo>& channels() const = 0;
    // Sources with a level-of-detail pyramid serve levels 1.. (each half the size of the one
    // below); others only level 0.
    virtual int level_count() const { return 1; }

    // Copies the samples of `channel` inside `rect` (which must lie inside the level) into
    // `dst`, row by row, tightly packed, in the channel's native type.
    virtual Result<void> read_region(std::size_t channel, int level, Rect rect,
                                     std::span<std::byte> dst) const = 0;

    // A hint after read_region: the caller has copied this level-0 region and will not read it
    // again soon. Memory-mapped sources let its pages leave the resident set, so that memory
    // grows with what is shown and cached, not with the file; others ignore it.
    virtual void release_region(std::size_t /*channel*/, Rect /*rect*/) const {}
    // A hint before read_region: this level-0 region will be read soon. Memory-mapped sources ask
    // the kernel to start reading it, so that many scattered rows of a file that is not in the
    // page cache arrive together rather than one disk round trip after another.
    virtual void prefetch_region(std::size_t /*channel*/, Rect /*rect*/) const {}

    std::size_t channel_count() const { return channels().size(); }
    std::size_t region_bytes(std::size_t channel, Rect rect) const {
        return static_cast<std::size_t>(rect.area()) * sample_size(channels()[channel].type);
    }
};

}  // namespace tessera::core
