#include "core/CpuPreview.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tessera::core {
namespace {

bool is_colour(const std::vector<ChannelInfo>& channels) {
    std::string names;
    for (const auto& channel : channels) {
        names += channel.name;
    }
    return names == "RGB" || names == "RGBA" || names == "BGR" || names == "ABGR";
}

// Reads every stride-th sample of every stride-th row of a channel, as floats.
Result<std::vector<float>> read_channel_as_float(const ImageSource& image, std::size_t channel,
                                                 std::int64_t stride, int out_width,
                                                 int out_height) {
    const SampleType type = image.channels()[channel].type;
    const std::size_t size = sample_size(type);
    std::vector<std::byte> row(static_cast<std::size_t>(image.width()) * size);
    std::vector<float> values(static_cast<std::size_t>(out_width) * out_height);
    for (int y = 0; y < out_height; ++y) {
        const Rect line{0, y * stride, image.width(), 1};
        if (auto read = image.read_region(channel, 0, line, row); !read) {
            return read.error();
        }
        for (int x = 0; x < out_width; ++x) {
            values[static_cast<std::size_t>(y) * out_width + x] =
                sample_as_float(row.data() + static_cast<std::size_t>(x * stride) * size, type);
        }
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

std::vector<PreviewChannel> default_preview_channels(
    const std::vector<ChannelInfo>& channels, const std::vector<ChannelStatistics>& statistics) {
    std::vector<PreviewChannel> result;
    const bool colour = is_colour(channels);
    for (std::size_t c = 0; c < channels.size(); ++c) {
        const ChannelStatistics& s = statistics[c];
        PreviewChannel preview;
        preview.tint = default_tint(c, channels.size());
        if (colour) {
            const char name = channels[c].name[0];
            preview.tint = {name == 'R' ? 1.0f : 0.0f, name == 'G' ? 1.0f : 0.0f,
                            name == 'B' ? 1.0f : 0.0f};
            preview.visible = name != 'A';
        }
        double lo = s.p0_1;
        double hi = s.p99_9;
        if (!(lo < hi)) {
            lo = s.min;
            hi = s.max > s.min ? s.max : s.min + 1.0;
        }
        preview.lo = static_cast<float>(lo);
        preview.hi = static_cast<float>(hi);
        result.push_back(preview);
    }
    return result;
}

std::int64_t preview_stride(const ImageSource& image, std::int64_t max_side) {
    const std::int64_t side = std::max(image.width(), image.height());
    return std::max<std::int64_t>(1, (side + max_side - 1) / max_side);
}

Result<RgbaImage> composite_preview(const ImageSource& image,
                                    const std::vector<PreviewChannel>& channels,
                                    std::int64_t max_side) {
    const std::int64_t stride = preview_stride(image, max_side);
    RgbaImage out(static_cast<int>((image.width() + stride - 1) / stride),
                  static_cast<int>((image.height() + stride - 1) / stride));
    std::vector<std::array<float, 3>> accum(static_cast<std::size_t>(out.width) * out.height);
    for (std::size_t c = 0; c < channels.size() && c < image.channel_count(); ++c) {
        const PreviewChannel& ch = channels[c];
        if (!ch.visible) {
            continue;
        }
        auto values = read_channel_as_float(image, c, stride, out.width, out.height);
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
