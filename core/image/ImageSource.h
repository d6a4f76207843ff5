// ImageSource: the one abstraction everything pulls pixels from. A source is a stack of 2-D
// planes of one width and height: a plane is one channel at one position on every non-spatial
// axis (Z, T, ...); a 2-D image is the case with no such axes. Channels keep their native sample
// type; pixels are read by region so sources can be tiled, streamed, memory-mapped or computed
// without changing callers. read_region reports I/O failures as errors, never by crashing.
//
// Sources may change (a live image written region by region): such a source counts revisions
// and keeps the damage of each, so that whoever caches its pixels re-reads only what changed.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
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
    bool empty() const { return width <= 0 || height <= 0; }
    bool operator==(const Rect&) const = default;
};

// The common part of two rectangles (empty when they do not meet).
Rect intersection(const Rect& a, const Rect& b);

struct ChannelInfo {
    std::string name;
    SampleType type = SampleType::F32;
    // The colour the file gives the channel (OME-TIFF's Channel Color), if any: the default
    // display shows the channel with the colormap nearest to it.
    std::optional<std::array<std::uint8_t, 3>> colour = std::nullopt;
    // Label ids (a segmentation), not intensities: shown by id (never interpolated), and reduced
    // for the pyramid by the most frequent non-zero id of each 2x2 block (never a mean).
    bool labels = false;
};

// A non-spatial axis: Z, T, or whatever else a file has. Channels are not an axis here.
struct Axis {
    std::string name;
    std::int64_t extent = 1;
};

// One plane of a source: a channel and an index on each of its axes, in the order of axes().
// Indices missing at the end count as 0, so {channel} names a 2-D image's channel (and the
// first plane of a stack).
struct Plane {
    std::size_t channel = 0;
    std::vector<std::int64_t> position;

    auto operator<=>(const Plane&) const = default;
};

// What changed: a level-0 rectangle of some planes. No planes listed: every plane.
struct Damage {
    Rect rect;
    std::vector<Plane> planes;

    bool touches(const Plane& plane) const;
};

// The position of plane number `flat` of a stack with these axes, the last axis varying fastest
// (0 <= flat < the product of their extents).
std::vector<std::int64_t> position_of(const std::vector<Axis>& axes, std::int64_t flat);

class ImageSource;
// Same size, channels (names and types) and axes: one may replace the other in place (a reload).
bool same_shape(const ImageSource& a, const ImageSource& b);
// The same channels and axes, whatever the size: one may be a pyramid level of the other.
bool same_planes(const ImageSource& a, const ImageSource& b);

class ImageSource {
  public:
    virtual ~ImageSource() = default;

    virtual std::int64_t width() const = 0;
    virtual std::int64_t height() const = 0;
    virtual const std::vector<ChannelInfo>& channels() const = 0;
    // The non-spatial axes, outermost first; none for a 2-D image.
    virtual const std::vector<Axis>& axes() const;

    // Copies the samples of `plane` inside `rect` (which must lie inside the image) into `dst`,
    // row by row, tightly packed, in the channel's native type.
    virtual Result<void> read_region(const Plane& plane, Rect rect,
                                     std::span<std::byte> dst) const = 0;

    // A hint after read_region: the caller has copied this region (of every plane it wanted
    // there) and will not read it again soon. Memory-mapped sources hand its pages back at once,
    // so that memory grows with what is shown and cached, not with the file; others ignore it.
    virtual void release_region(const Plane& /*plane*/, Rect /*rect*/) const {}
    // A hint before read_region: this region will be read soon. Memory-mapped sources ask the
    // kernel to start reading it, so that many scattered rows of a file that is not in the page
    // cache arrive together rather than one disk round trip after another.
    virtual void prefetch_region(const Plane& /*plane*/, Rect /*rect*/) const {}

    // Every `step`-th sample of every `step`-th row from (x0, y0), which must lie inside the
    // image: dst's pixel (x, y), for x < columns and y < rows, is the image's pixel
    // (min(x0 + x * step, width - 1), min(y0 + y * step, height - 1)), tightly packed in the
    // channel's native type. Default: each row's span read whole and every step-th sample kept
    // (with the prefetch and release hints); sources in memory pick the samples alone.
    virtual Result<void> read_strided(const Plane& plane, std::int64_t x0, std::int64_t y0,
                                      std::int64_t step, std::int64_t columns, std::int64_t rows,
                                      std::span<std::byte> dst) const;

    // The unit this source decodes at once (a compressed tile or strip), as a rectangle at the
    // origin: sampled statistics read whole units spread over the image rather than every n-th
    // row, which would decode every unit it crosses. Default: one row (rows are cheap).
    virtual Rect read_unit() const { return {0, 0, width(), 1}; }

    // Changing sources: the current revision (0 for sources that never change), and what
    // changed after revision `since` (everything, as one whole-image damage, when the source no
    // longer remembers that far back). Safe to call from any thread.
    virtual std::uint64_t revision() const { return 0; }
    virtual std::vector<Damage> damage_since(std::uint64_t /*since*/) const { return {}; }

    // A reduced-resolution copy of every plane the file itself stores (an OME-TIFF's SubIFD
    // pyramid): level k of ceil(W / 2^k) x ceil(H / 2^k) pixels, or nullptr. The pyramid reads
    // such levels instead of building them.
    virtual std::shared_ptr<const ImageSource> stored_level(int /*level*/) const { return nullptr; }

    std::size_t channel_count() const { return channels().size(); }
    // Planes per channel: the product of the axes' extents (1 for a 2-D image).
    std::int64_t planes_per_channel() const;
    // The plane with every missing index filled in with 0; an error naming what is out of range.
    Result<Plane> complete(const Plane& plane) const;
    // The plane is valid, the rectangle lies inside the image and `dst` holds it.
    Result<void> check_read(const Plane& plane, Rect rect, std::size_t dst_bytes) const;
    // The same for read_strided.
    Result<void> check_strided(const Plane& plane, std::int64_t x0, std::int64_t y0,
                               std::int64_t step, std::int64_t columns, std::int64_t rows,
                               std::size_t dst_bytes) const;
    std::size_t region_bytes(std::size_t channel, Rect rect) const {
        return static_cast<std::size_t>(rect.area()) * sample_size(channels()[channel].type);
    }
    Rect bounds() const { return {0, 0, width(), height()}; }
};

// The reduced-resolution levels a file stores (level k of ceil(W / 2^k) x ceil(H / 2^k)), held by
// a source for its stored_level(): levels 1, 2, ... in order, nullptr where the file has none.
class StoredLevels {
  public:
    void set(std::vector<std::shared_ptr<const ImageSource>> levels) {
        m_levels = std::move(levels);
    }
    std::shared_ptr<const ImageSource> level(int level) const {
        return level >= 1 && level <= static_cast<int>(m_levels.size())
                   ? m_levels[static_cast<std::size_t>(level - 1)]
                   : nullptr;
    }

  private:
    std::vector<std::shared_ptr<const ImageSource>> m_levels;
};

}  // namespace tessera::core
