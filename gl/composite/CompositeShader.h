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

std::string composite_vertex_shader();
// A pass over exactly `channels` channels (0 to kChannelsPerPass), fully unrolled: each slot
// samples its own sampler, with no loop or switch for the JIT to execute for every case.
std::string composite_pass_fragment_shader(int channels);
std::string composite_resolve_fragment_shader();

}  // namespace tessera::gl
