#include "core/CpuPreview.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tessera::core {
namespace {

Result<std::vector<float>> read_channel_as_float(const ImageSource& image, std::size_t channel) {
    const Rect all{0, 0, image.width(), image.height()};
    const SampleType type = image.channels()[channel].type;
    std::vector<std::byte> raw(image.region_bytes(channel, all));
    if (auto read = image.read_region(channel, 0, all, raw); !read) {
        return read.error();
    }
    const std::size_t stride = sample_size(type);
    std::vector<float> values(static_cast<std::size_t>(all.area()));
    for (std::size_t i = 0; i < values.size(); ++i) {
        values[i] = sample_as_float(raw.data() + i * stride, type);
    }
    return values;
}

}  // namespace

std::array<float, 3> default_tint(std::size_t channel, std::size_t channel_count) {
    static constexpr std::array<std::array<float, 3>, 6> kCycle{
        {{0, 1, 1}, {1, 0, 1}, {1, 1, 0}, {0, 0, 1}, {0, 1, 0}, {1, 0, 0}}};
    if (channel_count == 1) {
        return {1, 1, 1};
    }
    if (channel_count == 2) {
        return channel == 0 ? std::array<float, 3>{1, 0, 1} : std::array<float, 3>{0, 1, 0};
    }
    return kCycle[channel % kCycle.size()];
}

Result<std::vector<PreviewChannel>> default_preview_channels(const ImageSource& image) {
    std::vector<PreviewChannel> result;
    for (std::size_t c = 0; c < image.channel_count(); ++c) {
        auto values = read_channel_as_float(image, c);
        if (!values) {
            return values.error();
        }
        float lo = std::numeric_limits<float>::infinity();
        float hi = -lo;
        for (float v : values.value()) {
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
        if (!(lo < hi)) {
            hi = std::isfinite(lo) ? lo + 1.0f : 1.0f;
            lo = std::isfinite(lo) ? lo : 0.0f;
        }
        result.push_back({true, default_tint(c, image.channel_count()), lo, hi});
    }
    return result;
}

Result<RgbaImage> composite_preview(const ImageSource& image,
                                    const std::vector<PreviewChannel>& channels) {
    RgbaImage out(static_cast<int>(image.width()), static_cast<int>(image.height()));
    std::vector<std::array<float, 3>> accum(static_cast<std::size_t>(out.width) * out.height);
    for (std::size_t c = 0; c < channels.size() && c < image.channel_count(); ++c) {
        const PreviewChannel& ch = channels[c];
        if (!ch.visible) {
            continue;
        }
        auto values = read_channel_as_float(image, c);
        if (!values) {
            return values.error();
        }
        const float scale = 1.0f / (ch.hi - ch.lo);
        for (std::size_t i = 0; i < accum.size(); ++i) {
            const float t = std::clamp((values.value()[i] - ch.lo) * scale, 0.0f, 1.0f);
            for (int k = 0; k < 3; ++k) {
                accum[i][k] += t * ch.tint[k];
            }
        }
    }
    for (std::size_t i = 0; i < accum.size(); ++i) {
        for (int k = 0; k < 3; ++k) {
            out.pixels[i * 4 + k] =
                static_cast<std::uint8_t>(std::lround(std::clamp(accum[i][k], 0.0f, 1.0f) * 255));
        }
        out.pixels[i * 4 + 3] = 255;
    }
    return out;
}

}  // namespace tessera::core
