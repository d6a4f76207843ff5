// CpuPreview: an additive, per-channel tinted composite of a whole ImageSource into RGBA8, on
// the CPU. It gives the window and tests a picture before the GPU compositor exists. Limits
// default to each channel's 0.1 and 99.9 percentiles; images larger than max_side on a side
// are previewed at a stride (the caller says so on screen).
#pragma once

#include <array>
#include <vector>

#include "core/ChannelStatistics.h"
#include "core/ImageSource.h"
#include "core/RgbaImage.h"

namespace tessera::core {

struct PreviewChannel {
    bool visible = true;
    std::array<float, 3> tint{1.0f, 1.0f, 1.0f};
    float lo = 0.0f;
    float hi = 1.0f;
};

// One gray channel; two: magenta, green; more: cyan, magenta, yellow, blue, green, red cycling.
std::array<float, 3> default_tint(std::size_t channel, std::size_t channel_count);

// Colour images (channels named R, G, B, optionally A) get red, green and blue with alpha
// hidden; others get default_tint. Limits are the 0.1 and 99.9 percentiles (min..max when the
// percentiles coincide).
std::vector<PreviewChannel> default_preview_channels(
    const std::vector<ChannelInfo>& channels, const std::vector<ChannelStatistics>& statistics);

// The stride composite_preview uses for an image: 1 up to max_side pixels on the longer side.
std::int64_t preview_stride(const ImageSource& image, std::int64_t max_side);

Result<RgbaImage> composite_preview(const ImageSource& image,
                                    const std::vector<PreviewChannel>& channels,
                                    std::int64_t max_side = 8192);

}  // namespace tessera::core
