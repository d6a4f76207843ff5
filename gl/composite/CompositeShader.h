// GLSL of the composite: a pass shader that adds up to kChannelsPerPass channels of one tile to
// an accumulation buffer (or, for a view that takes one pass, turns them straight into display
// colour), and a resolve shader that turns the accumulation into display colour. Every function
// mirrors core/CompositeMath.h in the same order of operations.
//
// Shaders are specialised: the settings that choose a code path (blend mode, sampling, colour,
// which slots hold alpha, labels or a gamma) are constants of the program, not uniforms. A SIMD
// software rasteriser such as llvmpipe runs both sides of every branch whose condition it cannot
// prove uniform, so an uber-shader pays for every path on every pixel.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
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

// What a slot of a pass does with its channel's value.
enum class SlotKind : std::uint8_t {
    Plain,  // limits, colormap, blend
    Gamma,  // the same with a gamma other than 1
    Alpha,  // the image's alpha
    Label,  // label ids, coloured by hash
};

// How the output of a frame is resolved into display colour: the first layer's settings.
struct ResolveVariant {
    bool colour = false;
    bool has_alpha = false;
    bool premultiplied = false;
    auto operator<=>(const ResolveVariant&) const = default;
};

// Everything a pass program is specialised for.
struct PassVariant {
    int channels = 0;        // 0 to kChannelsPerPass (kComparePerPass when comparing)
    bool compare = false;    // each slot shows an error metric against the reference's channel
    int metric = 0;          // compare: core::ErrorMetric's order
    bool first = true;       // nothing accumulated before this pass
    bool direct = false;     // the only pass: resolved into the target, no accumulation
    ResolveVariant resolve;  // direct: how
    bool linear = false;     // bilinear sampling
    int blend = 0;           // 0 additive, 1 max, 2 min, 3 over
    bool colour = false;
    bool srgb_input = false;
    bool contour = false;  // label slots draw boundaries only
    std::array<SlotKind, kChannelsPerPass> slots{};
    // Plain and gamma slots whose colormap is a ramp (core::colormap_ramp): colour times t, no
    // table lookup.
    std::array<bool, kChannelsPerPass> ramp{};
    auto operator<=>(const PassVariant&) const = default;
};

std::string composite_vertex_shader();
// A pass over exactly `variant.channels` channels, fully unrolled: each slot samples its own
// sampler and runs only its own kind's code.
std::string composite_pass_fragment_shader(const PassVariant& variant);
std::string composite_resolve_fragment_shader(const ResolveVariant& variant);

}  // namespace tessera::gl
