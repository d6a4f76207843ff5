// The compositing contract, in plain C++: for every visible channel with normalised sample n,
//   t = clamp((n - lo) / (hi - lo), 0, 1);  t = pow(t, gamma);  rgb = LUT(t) * opacity
// combined by the blend mode; colour mode decodes sRGB input, applies exposure and offset before
// the clamp, composites alpha over a checkerboard and encodes the result as sRGB. A non-finite
// sample in any visible channel shows the NaN colour. gl/CompositeShader.cpp mirrors every
// function here in GLSL, in the same order of operations: change both together.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "core/display/DisplaySettings.h"

namespace tessera::core {

struct ChannelUniforms {
    float lo = 0;         // in normalised units (data / normalisation(type))
    float inv_range = 1;  // 1 / (hi - lo), normalised units
    float gamma = 1;
    float opacity = 1;
    Colormap colormap;
    bool is_alpha = false;  // colour mode's A channel: stored, not blended
    bool labels = false;    // ids, drawn by label_colour (never interpolated)
    float scale = 1;        // data units per normalised unit (ids of u8 / u16 textures)
};

struct ImageUniforms {
    BlendMode blend = BlendMode::Additive;
    bool colour = false;
    bool srgb_input = false;
    bool premultiplied = true;  // colour alpha: premultiplied for linear data (EXR), else straight
    bool has_alpha = false;
    float exposure_scale = 1;  // 2^exposure
    float offset = 0;
    std::array<float, 3> nan_colour{};
    std::array<float, 3> background{};
    LabelStyle labels;
};

inline ChannelUniforms channel_uniforms(const ChannelDisplay& display, SampleType type,
                                        bool is_alpha, bool labels = false) {
    const float scale = normalisation(type);
    const float lo = static_cast<float>(display.lo) / scale;
    const float hi = static_cast<float>(display.hi) / scale;
    return {lo,       1.0f / (hi - lo), display.gamma, display.opacity, display.colormap,
            is_alpha, labels,           scale};
}

// A label's colour: hue from a hash of the id and the seed, saturation and value from more of its
// bits (so neighbours rarely look alike), as HSV. Integer maths the shader repeats exactly.
inline std::uint32_t label_hash(std::uint32_t id, std::uint32_t seed) {
    std::uint32_t h = id * 0x9E3779B1u ^ (seed * 0x85EBCA77u + 0x27D4EB2Fu);
    h ^= h >> 15;
    h *= 0x2C1B3C6Du;
    h ^= h >> 12;
    h *= 0x297A2D39u;
    h ^= h >> 15;
    return h;
}

inline std::array<float, 3> label_colour(std::uint32_t id, std::uint32_t seed) {
    const std::uint32_t h = label_hash(id, seed);
    const float hue = static_cast<float>(h & 0xFFFFu) / 65536.0f * 6.0f;
    const float saturation = (h & 0x10000u) != 0 ? 0.55f : 0.85f;
    const float value = (h & 0x20000u) != 0 ? 0.8f : 1.0f;
    const float sector = std::floor(hue);
    const float f = hue - sector;
    const float p = value * (1.0f - saturation);
    const float q = value * (1.0f - saturation * f);
    const float t = value * (1.0f - saturation * (1.0f - f));
    switch (static_cast<int>(sector)) {
        case 0:
            return {value, t, p};
        case 1:
            return {q, value, p};
        case 2:
            return {p, value, t};
        case 3:
            return {p, q, value};
        case 4:
            return {t, p, value};
        default:
            return {value, p, q};
    }
}

// The id a label texel holds (normalised u8 / u16 texels scaled back).
inline float label_id(float n, const ChannelUniforms& c) {
    return std::round(n * c.scale);
}

inline ImageUniforms image_uniforms(const DisplaySettings& settings) {
    ImageUniforms u;
    u.colour = settings.colour;
    // Colour mode always adds its red, green and blue ramps.
    u.blend = settings.colour ? BlendMode::Additive : settings.blend;
    u.srgb_input = settings.colour && settings.srgb_input;
    u.premultiplied = !u.srgb_input;
    u.has_alpha = settings.colour && settings.alpha_channel >= 0 &&
                  settings.channels[static_cast<std::size_t>(settings.alpha_channel)].visible;
    u.exposure_scale = std::exp2(settings.exposure);
    u.offset = settings.offset;
    u.nan_colour = settings.nan_colour;
    u.background = settings.background;
    u.labels = settings.labels;
    return u;
}

inline float srgb_to_linear(float c) {
    return c <= 0.04045f ? c / 12.92f : std::pow((c + 0.055f) / 1.055f, 2.4f);
}

inline float linear_to_srgb(float c) {
    return c <= 0.0031308f ? c * 12.92f : 1.055f * std::pow(c, 1.0f / 2.4f) - 0.055f;
}

struct Accumulator {
    std::array<float, 3> rgb{};
    float alpha = 1;
    bool non_finite = false;
};

inline Accumulator begin_accumulator(const ImageUniforms& image) {
    Accumulator acc;
    acc.rgb = image.blend == BlendMode::Min ? std::array<float, 3>{1, 1, 1} : image.background;
    return acc;
}

// Adds a channel's colour by the blend mode.
inline void blend(Accumulator& acc, const std::array<float, 3>& lut, const ChannelUniforms& c,
                  const ImageUniforms& image) {
    for (std::size_t k = 0; k < 3; ++k) {
        const float v = lut[k] * c.opacity;
        switch (image.blend) {
            case BlendMode::Additive:
                acc.rgb[k] += v;
                break;
            case BlendMode::Max:
                acc.rgb[k] = std::max(acc.rgb[k], v);
                break;
            case BlendMode::Min:
                acc.rgb[k] = std::min(acc.rgb[k], v);
                break;
            case BlendMode::Over:
                acc.rgb[k] = v + acc.rgb[k] * (1.0f - c.opacity);
                break;
        }
    }
}

inline void accumulate(Accumulator& acc, float n, const ChannelUniforms& c,
                       const ImageUniforms& image) {
    if (!std::isfinite(n)) {
        acc.non_finite = true;
        return;
    }
    float t = (n - c.lo) * c.inv_range;
    if (image.colour) {
        if (image.srgb_input) {
            t = srgb_to_linear(std::clamp(t, 0.0f, 1.0f));
        }
        t = t * image.exposure_scale + image.offset;
    }
    t = std::clamp(t, 0.0f, 1.0f);
    if (c.is_alpha) {
        acc.alpha = t;
        return;
    }
    if (c.gamma != 1.0f) {
        t = std::pow(t, c.gamma);
    }
    blend(acc, sample_colormap(c.colormap, t), c, image);
}

// A label pixel at fraction (fx, fy) of it, `px` x `py` output pixels large, with the ids left,
// right, above and below it: id 0 adds nothing; a selected id other than this one is dimmed;
// contours keep only what lies within `contour` output pixels of an edge shared with another id.
inline void accumulate_label(Accumulator& acc, float id, const std::array<float, 4>& neighbours,
                             float fx, float fy, float px, float py, const ChannelUniforms& c,
                             const ImageUniforms& image) {
    if (!std::isfinite(id)) {
        acc.non_finite = true;
        return;
    }
    if (id == 0.0f) {
        return;
    }
    if (image.labels.contour > 0) {
        const auto w = static_cast<float>(image.labels.contour);
        const bool edge =
            (fx * px < w && neighbours[0] != id) || ((1.0f - fx) * px < w && neighbours[1] != id) ||
            (fy * py < w && neighbours[2] != id) || ((1.0f - fy) * py < w && neighbours[3] != id);
        if (!edge) {
            return;
        }
    }
    std::array<float, 3> colour = label_colour(static_cast<std::uint32_t>(id), image.labels.seed);
    if (image.labels.selected >= 0 && static_cast<float>(image.labels.selected) != id) {
        for (float& v : colour) {
            v *= 0.3f;
        }
    }
    blend(acc, colour, c, image);
}

// Colour mode: the value (data units, for a channel with limits lo and hi) that exposure and
// offset bring to full brightness (1 after them), and the exposure that brings `value` there.
inline double colour_white_point(double lo, double hi, float exposure, float offset,
                                 bool srgb_input) {
    double t = (1.0 - offset) / std::exp2(static_cast<double>(exposure));
    if (srgb_input) {  // sRGB input is clamped to [0, 1] before the exposure
        if (t > 1.0) {
            return std::numeric_limits<double>::infinity();  // nothing reaches full brightness
        }
        t = linear_to_srgb(static_cast<float>(std::max(0.0, t)));
    }
    return lo + t * (hi - lo);
}
inline float exposure_for_white(double value, double lo, double hi, float offset, bool srgb_input) {
    double t = (value - lo) / (hi - lo);
    if (srgb_input) {
        t = srgb_to_linear(static_cast<float>(std::clamp(t, 0.0, 1.0)));
    }
    if (!(t > 0) || !(1.0 - offset > 0)) {
        return 10.0f;
    }
    return static_cast<float>(std::clamp(std::log2((1.0 - offset) / t), -10.0, 10.0));
}

// Light and dark squares of 8 output pixels, behind transparent colour images.
inline float checkerboard(int x, int y) {
    return ((x / 8 + y / 8) & 1) ? 0.6f : 0.4f;
}

// The displayed colour in [0, 1]; the caller quantises (round to nearest) to 8 bits.
inline std::array<float, 3> resolve(const Accumulator& acc, const ImageUniforms& image, int x,
                                    int y) {
    if (acc.non_finite) {
        return image.nan_colour;
    }
    std::array<float, 3> rgb = acc.rgb;
    if (image.colour) {
        if (image.has_alpha) {
            const float checker = srgb_to_linear(checkerboard(x, y));
            for (float& c : rgb) {
                c = image.premultiplied ? c + checker * (1.0f - acc.alpha)
                                        : c * acc.alpha + checker * (1.0f - acc.alpha);
            }
        }
        for (float& c : rgb) {
            c = linear_to_srgb(std::clamp(c, 0.0f, 1.0f));
        }
    }
    for (float& c : rgb) {
        c = std::clamp(c, 0.0f, 1.0f);
    }
    return rgb;
}

}  // namespace tessera::core
