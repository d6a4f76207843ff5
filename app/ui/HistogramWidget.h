// A channel's histogram with its contrast limits drawn over it: drag the low or high handle (or
// the shaded range between them) to change the limits. Counts are drawn on a log scale so that
// sparse bright pixels stay visible. Returns true when the limits changed.
#pragma once

#include <array>

#include <imgui.h>

#include "core/stats/ChannelStatistics.h"

namespace tessera::app {

bool histogram_limits(const char* id, const core::ChannelStatistics& statistics, double& lo,
                      double& hi, std::array<float, 3> colour, float height = 48.0f);

}  // namespace tessera::app
