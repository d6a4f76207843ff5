#include "core/display/DisplaySettings.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace tessera::core {
namespace {

constexpr std::array<std::string_view, 4> kBlendNames{"additive", "max", "min", "over"};
constexpr std::size_t kAllVisibleUpTo = 6;
constexpr std::size_t kVisibleOfMany = 4;

Colormap default_colormap(std::size_t channel, std::size_t count) {
    static constexpr std::array<std::string_view, 6> kCycle{"cyan", "magenta", "yellow",
                                                            "blue", "green",   "red"};
    if (count == 1) {
        return named_colormap("gray");
    }
    if (count == 2) {
        return named_colormap(channel == 0 ? "magenta" : "green");
    }
    return named_colormap(kCycle[channel % kCycle.size()]);
}

// The single-hue ramp nearest to a channel's own colour (OME-TIFF's Channel Color): each ramp's
// hue is a corner of the RGB cube; the colour is normalised by its brightest component first,
// so dark and bright greens both choose green. Black and grey choose gray.
Colormap nearest_ramp(const std::array<std::uint8_t, 3>& colour) {
    static constexpr std::array<std::pair<std::string_view, std::array<float, 3>>, 7> kRamps{{
        {"gray", {1, 1, 1}},
        {"red", {1, 0, 0}},
        {"green", {0, 1, 0}},
        {"blue", {0, 0, 1}},
        {"cyan", {0, 1, 1}},
        {"magenta", {1, 0, 1}},
        {"yellow", {1, 1, 0}},
    }};
    const float top = std::max({colour[0], colour[1], colour[2]}) / 255.0f;
    if (top <= 0) {
        return named_colormap("gray");
    }
    std::string_view best = "gray";
    float best_distance = 1e9f;
    for (const auto& [name, ramp] : kRamps) {
        float distance = 0;
        for (int i = 0; i < 3; ++i) {
            const float d = colour[static_cast<std::size_t>(i)] / 255.0f / top -
                            ramp[static_cast<std::size_t>(i)];
            distance += d * d;
        }
        if (distance < best_distance) {
            best_distance = distance;
            best = name;
        }
    }
    return named_colormap(best);
}

double full_range_hi(SampleType type) {
    switch (type) {
        case SampleType::U8:
            return 255.0;
        case SampleType::U16:
            return 65535.0;
        default:
            return 1.0;
    }
}

}  // namespace

std::string_view to_string(BlendMode mode) {
    return kBlendNames[static_cast<std::size_t>(mode)];
}

std::optional<BlendMode> parse_blend_mode(std::string_view name) {
    for (std::size_t i = 0; i < kBlendNames.size(); ++i) {
        if (kBlendNames[i] == name) {
            return static_cast<BlendMode>(i);
        }
    }
    return std::nullopt;
}

float normalisation(SampleType type) {
    switch (type) {
        case SampleType::U8:
            return 255.0f;
        case SampleType::U16:
            return 65535.0f;
        default:
            return 1.0f;
    }
}

DisplaySettings default_display(const std::vector<ChannelInfo>& channels,
                                const std::vector<ChannelStatistics>& statistics,
                                Transfer transfer) {
    DisplaySettings settings;
    int red = -1;
    int green = -1;
    int blue = -1;
    for (std::size_t c = 0; c < channels.size(); ++c) {
        const std::string& name = channels[c].name;
        const int index = static_cast<int>(c);
        red = name == "R" ? index : red;
        green = name == "G" ? index : green;
        blue = name == "B" ? index : blue;
        settings.alpha_channel = name == "A" ? index : settings.alpha_channel;
    }
    settings.colour = red >= 0 && green >= 0 && blue >= 0;
    if (!settings.colour) {
        settings.alpha_channel = -1;
    }
    settings.srgb_input = settings.colour && transfer == Transfer::Srgb;
    for (std::size_t c = 0; c < channels.size(); ++c) {
        ChannelDisplay display;
        const int index = static_cast<int>(c);
        if (settings.colour) {
            display.visible =
                index == red || index == green || index == blue || index == settings.alpha_channel;
            display.colormap = named_colormap(index == red     ? "red"
                                              : index == green ? "green"
                                              : index == blue  ? "blue"
                                                               : "gray");
            display.lo = 0.0;
            display.hi = full_range_hi(channels[c].type);
        } else {
            // Dozens of channels added together saturate to white: show the first few.
            display.visible = channels.size() <= kAllVisibleUpTo || c < kVisibleOfMany;
            display.colormap = channels[c].colour ? nearest_ramp(*channels[c].colour)
                                                  : default_colormap(c, channels.size());
            const ChannelStatistics& s = statistics[c];
            display.lo = s.p0_1;
            display.hi = s.p99_9;
            if (!(display.lo < display.hi)) {
                display.lo = s.min;
                display.hi = s.max > s.min ? s.max : s.min + 1.0;
            }
        }
        settings.channels.push_back(display);
    }
    return settings;
}

Result<void> check_display(const DisplaySettings& settings,
                           const std::vector<ChannelInfo>& channels) {
    if (settings.channels.size() != channels.size()) {
        return Error{fmt::format("display settings describe {} channels, the image has {}",
                                 settings.channels.size(), channels.size())};
    }
    for (std::size_t c = 0; c < channels.size(); ++c) {
        const ChannelDisplay& d = settings.channels[c];
        const std::string& name = channels[c].name;
        if (!(d.lo < d.hi) || !std::isfinite(d.lo) || !std::isfinite(d.hi)) {
            return Error{
                fmt::format("channel {}: the low limit ({}) must be below the high "
                            "limit ({})",
                            name, d.lo, d.hi)};
        }
        if (!(d.gamma > 0) || !std::isfinite(d.gamma)) {
            return Error{fmt::format("channel {}: gamma must be positive, got {}", name, d.gamma)};
        }
        if (!(d.opacity >= 0 && d.opacity <= 1)) {
            return Error{fmt::format("channel {}: opacity must be between 0 and 1, got {}", name,
                                     d.opacity)};
        }
    }
    if (!std::isfinite(settings.exposure) || !std::isfinite(settings.offset)) {
        return Error{"exposure and offset must be finite numbers"};
    }
    return {};
}

std::vector<std::size_t> DisplaySettings::visible_channels() const {
    std::vector<std::size_t> visible;
    for (std::size_t c = 0; c < channels.size(); ++c) {
        if (channels[c].visible) {
            visible.push_back(c);
        }
    }
    return visible;
}

}  // namespace tessera::core
