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

#include "core/display/DisplaySettings.h"

namespace tessera::core {

struct ChannelUniforms {
    float lo = 0;         // in normalised units (data / normalisation(type))
    float inv_range = 1;  // 1 / (hi - lo), normalised units
    float gamma = 1;
    float opacity = 1;
    Colormap colormap;
    bool is_alpha = false;  // colour mode's A channel: stored, not blended
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
};

inline ChannelUniforms channel_uniforms(const ChannelDisplay& display, SampleType type,
                                        bool is_alpha) {
    const float scale = normalisation(type);
    const float lo = static_cast<float>(display.lo) / scale;
    const float hi = static_cast<float>(display.hi) / scale;
    return {lo, 1.0f / (hi - lo), display.gamma, display.opacity, display.colormap, is_alpha};
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
    const std::array<float, 3> lut = sample_colormap(c.colormap, t);
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
