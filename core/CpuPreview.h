// CpuPreview: an additive, per-channel tinted composite of a whole ImageSource into RGBA8, on
// the CPU. It gives the window and tests a picture before the GPU compositor exists; limits
// default to each channel's full min..max range.
#pragma once

#include <array>
#include <vector>

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

Result<std::vector<PreviewChannel>> default_preview_channels(const ImageSource& image);

Result<RgbaImage> composite_preview(const ImageSource& image,
                                    const std::vector<PreviewChannel>& channels);

}  // namespace tessera::core
