// The display actions a user takes, each written once: keys, panel buttons, scripts (which press
// keys) and the bench's camera path all call these. They change display settings only; a
// channel index outside the settings is ignored.
#pragma once

#include <cstddef>
#include <span>

#include "core/display/DisplaySettings.h"
#include "core/stats/ChannelStatistics.h"

namespace tessera::core {

void set_channel_visible(DisplaySettings& display, std::size_t channel, bool visible);
void toggle_channel(DisplaySettings& display, std::size_t channel);
// Shows only this channel; if it is already the only one shown, shows every channel again.
void solo_channel(DisplaySettings& display, std::size_t channel);
void cycle_colormap(DisplaySettings& display, std::size_t channel);
void set_colormap(DisplaySettings& display, std::size_t channel, Colormap colormap);
// Limits at the 0.1 and 99.9 percentiles (the full range where those coincide).
void auto_contrast(DisplaySettings& display, std::span<const ChannelStatistics> statistics,
                   std::size_t channel);
void auto_contrast_visible(DisplaySettings& display, std::span<const ChannelStatistics> statistics);
// Limits at the minimum and maximum.
void full_range(DisplaySettings& display, std::span<const ChannelStatistics> statistics,
                std::size_t channel);

}  // namespace tessera::core
