// GLSL of the composite: a pass shader that adds up to kChannelsPerPass channels of one tile to
// an accumulation buffer, and a resolve shader that turns the accumulation into display colour.
// Every function mirrors core/CompositeMath.h in the same order of operations.
#pragma once

#include <string>

namespace tessera::gl {

inline constexpr int kChannelsPerPass = 8;
// Texture units: channels use 0..7, the colormap tables 8, the previous accumulation 9.
inline constexpr int kLutUnit = kChannelsPerPass;
inline constexpr int kPreviousUnit = kChannelsPerPass + 1;
// Comparing against a reference, each slot also samples the reference's channel, on units
// 10.. : 6 slots keep a pass within the 16 texture units every GL 3.3 implementation has.
inline constexpr int kComparePerPass = 6;
inline constexpr int kReferenceUnit = kChannelsPerPass + 2;

std::string composite_vertex_shader();
// A pass over exactly `channels` channels (0 to kChannelsPerPass), fully unrolled: each slot
// samples its own sampler, with no loop or switch for the JIT to execute for every case.
// With `compare`, each slot shows an error metric (u_metric: core::ErrorMetric's order) of its
// channel against the reference's (both scaled back to data units), at most kComparePerPass.
std::string composite_pass_fragment_shader(int channels, bool compare = false);
std::string composite_resolve_fragment_shader();

}  // namespace tessera::gl
