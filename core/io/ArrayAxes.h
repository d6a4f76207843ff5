// Which axis of an N-D array (NumPy today) is what: T, Z, C (channels), Y and X. One letter per
// array axis, outermost first, e.g. "TZCYX". The default rule, documented in the README:
//   2-D   YX
//   3-D   YXC when the last extent is small (at most 6) and below the first: (H, W, 3);
//         CYX when the first is small: (3, H, W); otherwise ZYX: (30, H, W) is a Z-stack
//   4-D   ZYXC when the last extent is at most 4 and below the second (an RGB stack);
//         ZCYX when the second is small, CZYX when the first is, otherwise TZYX
//   5-D   TZYXC when the last extent is at most 4 and below the third; otherwise TZCYX
// (napari's and Fiji's order is T, Z, C, Y, X; C is recognised by its small extent). Leading
// axes of extent 1 are dropped first unless the axes are given. A requested string overrides the
// rule; ChannelAxis First/Last (the older --channel-axis) chooses C among the first and last.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/base/Result.h"
#include "core/io/ImageLoader.h"

namespace tessera::core {

// The largest extent the default rule takes for channels.
inline constexpr std::uint64_t kSmallExtent = 6;

// Checks a requested axes string (letters T, Z, C, Y, X, each at most once, Y and X required,
// Y before X) against an array of `rank` dimensions; the error says what is wrong.
Result<void> check_axes(std::string_view axes, std::size_t rank);

// The axes of an array of this shape: `requested` when not empty (checked), else the rule.
Result<std::string> choose_axes(std::span<const std::uint64_t> shape, std::string_view requested,
                                ChannelAxis channel_axis = ChannelAxis::Auto);

}  // namespace tessera::core
