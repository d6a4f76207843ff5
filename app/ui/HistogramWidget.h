// A channel's histogram with its contrast limits drawn over it: drag the low or high handle (or
// the shaded range between them) to change the limits. Counts are drawn on a log scale so that
// sparse bright pixels stay visible. Returns true when the limits changed.
#pragma once

#include <array>
#include <vector>

#include <imgui.h>

#include "core/stats/ChannelStatistics.h"

namespace tessera::app {

bool histogram_limits(const char* id, const core::ChannelStatistics& statistics, double& lo,
                      double& hi, std::array<float, 3> colour, float height = 48.0f);

// A colour image's histogram: its colour channels overlaid, each in its colour, over one axis,
// with the white point the exposure sets (the value shown at full brightness; brighter values
// clip, shaded) as a line: drag it to set the exposure. Returns true when the exposure changed.
struct HistogramChannel {
    const core::ChannelStatistics* statistics = nullptr;
    std::array<float, 3> colour{};
};
bool colour_histogram(const char* id, const std::vector<HistogramChannel>& channels, double lo,
                      double hi, float& exposure, float offset, bool srgb_input,
                      float height = 64.0f);

}  // namespace tessera::app
