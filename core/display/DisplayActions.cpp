#include "core/display/DisplayActions.h"

#include "core/display/Colormap.h"

namespace tessera::core {

void set_channel_visible(DisplaySettings& display, std::size_t channel, bool visible) {
    if (channel < display.channels.size()) {
        display.channels[channel].visible = visible;
    }
}

void toggle_channel(DisplaySettings& display, std::size_t channel) {
    if (channel < display.channels.size()) {
        display.channels[channel].visible = !display.channels[channel].visible;
    }
}

void solo_channel(DisplaySettings& display, std::size_t channel) {
    auto& channels = display.channels;
    if (channel >= channels.size()) {
        return;
    }
    bool already_solo = channels[channel].visible;
    for (std::size_t c = 0; c < channels.size(); ++c) {
        already_solo = already_solo && (c == channel || !channels[c].visible);
    }
    for (std::size_t c = 0; c < channels.size(); ++c) {
        channels[c].visible = already_solo || c == channel;
    }
}

void cycle_colormap(DisplaySettings& display, std::size_t channel) {
    if (channel < display.channels.size()) {
        Colormap& colormap = display.channels[channel].colormap;
        colormap.index = static_cast<std::uint8_t>((colormap.index + 1) % colormap_names().size());
    }
}

void set_colormap(DisplaySettings& display, std::size_t channel, Colormap colormap) {
    if (channel < display.channels.size()) {
        display.colour = false;  // a colormap is a per-channel composite
        display.channels[channel].colormap = colormap;
    }
}

void full_range(DisplaySettings& display, std::span<const ChannelStatistics> statistics,
                std::size_t channel) {
    if (channel >= display.channels.size() || channel >= statistics.size()) {
        return;
    }
    const ChannelStatistics& s = statistics[channel];
    ChannelDisplay& d = display.channels[channel];
    d.lo = s.min;
    d.hi = s.max > s.min ? s.max : s.min + 1.0;
}

void auto_contrast(DisplaySettings& display, std::span<const ChannelStatistics> statistics,
                   std::size_t channel) {
    if (channel >= display.channels.size() || channel >= statistics.size()) {
        return;
    }
    const ChannelStatistics& s = statistics[channel];
    if (s.p0_1 < s.p99_9) {
        display.channels[channel].lo = s.p0_1;
        display.channels[channel].hi = s.p99_9;
    } else {
        full_range(display, statistics, channel);
    }
}

void auto_contrast_visible(DisplaySettings& display,
                           std::span<const ChannelStatistics> statistics) {
    for (std::size_t c = 0; c < display.channels.size(); ++c) {
        if (display.channels[c].visible) {
            auto_contrast(display, statistics, c);
        }
    }
}

}  // namespace tessera::core
