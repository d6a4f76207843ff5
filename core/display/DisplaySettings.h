// DisplaySettings: how an image's channels become colour. Per channel: visible, colormap,
// contrast limits in the channel's own data units, gamma, opacity. Per image: blend mode,
// colour mode (R,G,B[,A] photographs and HDR: red/green/blue ramps, exposure in stops, offset,
// sRGB output, alpha over a checkerboard), the colour of non-finite samples and the background.
// Changing any of it touches shader uniforms only, never pixels.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "core/display/Colormap.h"
#include "core/image/Image.h"
#include "core/stats/ChannelStatistics.h"

namespace tessera::core {

enum class BlendMode : std::uint8_t { Additive, Max, Min, Over };
enum class Sampling : std::uint8_t { Nearest, Linear };

std::string_view to_string(BlendMode mode);
std::optional<BlendMode> parse_blend_mode(std::string_view name);  // additive|max|min|over

struct ChannelDisplay {
    bool visible = true;
    Colormap colormap;
    double lo = 0;  // data units: stored integers for u8/u16/u32, values for f16/f32
    double hi = 1;
    float gamma = 1;
    float opacity = 1;
    bool operator==(const ChannelDisplay&) const = default;
};

// How label channels (ChannelInfo::labels) are drawn: each id's colour comes from a hash of the
// id and the seed (a shuffle picks another seed), 0 is transparent, a selected id is drawn at
// full strength and the others dimmed, and contour > 0 draws only the boundaries between ids,
// that many screen pixels wide.
struct LabelStyle {
    std::uint32_t seed = 0;
    std::int64_t selected = -1;  // none
    int contour = 0;             // 0: filled
    bool operator==(const LabelStyle&) const = default;
};

struct DisplaySettings {
    std::vector<ChannelDisplay> channels;
    LabelStyle labels;
    BlendMode blend = BlendMode::Additive;
    bool colour = false;      // colour mode: see the header comment
    int alpha_channel = -1;   // colour mode: the A channel, composited over a checkerboard
    bool srgb_input = false;  // colour mode: values are sRGB-encoded, decoded before exposure
    float exposure = 0;       // colour mode: stops (values scaled by 2^exposure)
    float offset = 0;         // colour mode: added after exposure
    std::array<float, 3> nan_colour{1.0f, 0.0f, 0.5f};  // NaN, +Inf, -Inf in a visible channel
    std::array<float, 3> background{0.0f, 0.0f, 0.0f};
    bool operator==(const DisplaySettings&) const = default;

    std::vector<std::size_t> visible_channels() const;  // indices, in order
};

// What napari and Fiji users expect: one channel gray; two magenta and green; more cycle cyan,
// magenta, yellow, blue, green, red; limits at the 0.1 and 99.9 percentiles; with more than six
// channels only the first four are visible; a channel with its own colour (ChannelInfo::colour,
// from OME-TIFF) gets the nearest single-hue ramp instead. Images with R, G and B channels in
// their root layer open in colour mode (other channels hidden).
DisplaySettings default_display(const std::vector<ChannelInfo>& channels,
                                const std::vector<ChannelStatistics>& statistics,
                                Transfer transfer);

// Bad values a user could type: lo >= hi, gamma <= 0, opacity outside [0, 1], a size mismatch.
Result<void> check_display(const DisplaySettings& settings,
                           const std::vector<ChannelInfo>& channels);

// Textures of u8/u16 are normalised by the GPU (value / 255 or / 65535); limits are converted
// by the same factor so the data is never rescaled. 1 for every other type.
float normalisation(SampleType type);

}  // namespace tessera::core
