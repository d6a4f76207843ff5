#include "gl/composite/CompositeShader.h"

#include <fmt/format.h>

namespace tessera::gl {

std::string composite_vertex_shader() {
    return R"(#version 330 core
// A quad over one tile's content (or the whole output for the resolve pass), in image
// coordinates, projected through the view onto the output.
// The quad is grown by half an output pixel: which tile owns a pixel is decided exactly in the
// fragment shader (the same half-open test as the CPU), never by rasterisation rules.
uniform vec4 u_rect;         // image x0, y0, x1, y1
uniform vec4 u_view;         // image x0, y0 of the output's top-left corner; x, y scale
uniform vec2 u_output_size;  // output pixels
void main() {
    vec2 corner = vec2(gl_VertexID & 1, gl_VertexID >> 1);
    vec2 image = mix(u_rect.xy, u_rect.zw, corner);
    vec2 output_pixel = (image - u_view.xy) / u_view.zw + (corner - 0.5);
    gl_Position = vec4(output_pixel.x / u_output_size.x * 2.0 - 1.0,
                       1.0 - output_pixel.y / u_output_size.y * 2.0, 0.0, 1.0);
}
)";
}

namespace {

int flag(bool value) {
    return value ? 1 : 0;
}

std::string int_array(const PassVariant& variant, SlotKind kind) {
    std::string values;
    for (int slot = 0; slot < kChannelsPerPass; ++slot) {
        values += fmt::format("{}{}", slot > 0 ? ", " : "",
                              flag(variant.slots[static_cast<std::size_t>(slot)] == kind));
    }
    return fmt::format("int[SLOTS]({})", values);
}

std::string int_array(const std::array<bool, kChannelsPerPass>& flags) {
    std::string values;
    for (std::size_t slot = 0; slot < flags.size(); ++slot) {
        values += fmt::format("{}{}", slot > 0 ? ", " : "", flag(flags[slot]));
    }
    return fmt::format("int[SLOTS]({})", values);
}

// The resolve as a function of a pixel's accumulated colour, alpha and non-finite flag, shared
// by the resolve shader and a pass resolved directly. `p` is the pixel's position in the target,
// from its lower-left corner.
std::string display_colour_source(const ResolveVariant& variant) {
    return fmt::format(R"(const int u_colour_resolve = {colour};
const int u_has_alpha = {has_alpha};
const int u_premultiplied = {premultiplied};
uniform vec3 u_nan_colour;

float resolve_srgb_to_linear(float c) {{
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}}
float linear_to_srgb(float c) {{
    return c <= 0.0031308 ? c * 12.92 : 1.055 * pow(c, 1.0 / 2.4) - 0.055;
}}

vec3 display_colour(vec3 rgb, float alpha, bool non_finite, ivec2 p) {{
    if (non_finite) {{
        return u_nan_colour;
    }}
    if (u_colour_resolve != 0) {{
        if (u_has_alpha != 0) {{
            int x = p.x;
            int y = int(u_output_size.y) - 1 - p.y;
            float checker = resolve_srgb_to_linear(((x / 8 + y / 8) & 1) != 0 ? 0.6 : 0.4);
            rgb = u_premultiplied != 0 ? rgb + checker * (1.0 - alpha)
                                       : rgb * alpha + checker * (1.0 - alpha);
        }}
        rgb = clamp(rgb, 0.0, 1.0);
        rgb = vec3(linear_to_srgb(rgb.r), linear_to_srgb(rgb.g), linear_to_srgb(rgb.b));
    }}
    return clamp(rgb, 0.0, 1.0);
}}
)",
                       fmt::arg("colour", flag(variant.colour)),
                       fmt::arg("has_alpha", flag(variant.has_alpha)),
                       fmt::arg("premultiplied", flag(variant.premultiplied)));
}

}  // namespace

std::string composite_pass_fragment_shader(const PassVariant& variant) {
    std::string samplers;
    std::string slots;
    for (int slot = 0; slot < variant.channels; ++slot) {
        samplers += fmt::format("uniform sampler2D u_channel{};\n", slot);
        if (variant.compare) {
            samplers += fmt::format("uniform sampler2D u_reference{};\n", slot);
            slots += fmt::format(
                "    accumulate_error({0}, sample_channel(u_channel{0}, level) * u_scale[{0}],\n"
                "                     sample_channel(u_reference{0}, level) * "
                "u_reference_scale[{0}], rgb, alpha, non_finite);\n",
                slot);
        } else if (variant.slots[static_cast<std::size_t>(slot)] == SlotKind::Label) {
            slots += fmt::format(
                "    accumulate_label({0}, u_channel{0}, level, rgb, alpha, non_finite);\n", slot);
        } else {
            slots += fmt::format(
                "    accumulate({0}, sample_channel(u_channel{0}, level), rgb, alpha, "
                "non_finite);\n",
                slot);
        }
    }
    const std::string output =
        variant.direct
            ? "    o_output = vec4(display_colour(rgb, alpha, non_finite, ivec2(pixel)), 1.0);\n"
            : "    o_output = vec4(rgb, alpha + (non_finite ? 2.0 : 0.0));\n";
    return fmt::format(
        R"(#version 330 core
#define SLOTS {slot_count}
{samplers}
uniform sampler2D u_luts;       // one 256-texel row per colormap
uniform sampler2D u_previous;   // accumulation so far (passes after the first)
const int u_first = {first};
uniform ivec2 u_image_size;     // of the tile's level
uniform float u_level_scale;    // 2^level: image pixels per level pixel
uniform ivec2 u_texel_origin;   // level pixel of texel (0, 0) of this tile's textures
uniform ivec2 u_texture_size;
uniform vec4 u_view;
uniform vec2 u_output_size;
uniform ivec2 u_origin;         // the output's lower-left corner in the framebuffer
uniform vec4 u_rect;            // the image rectangle this draw owns: x0, y0, x1, y1
const int u_linear = {linear};
const int u_blend = {blend};    // 0 additive, 1 max, 2 min, 3 over
const int u_colour = {colour};
const int u_srgb_input = {srgb_input};
uniform float u_exposure_scale;
uniform float u_offset;
uniform vec3 u_background;
uniform float u_lo[SLOTS];
uniform float u_inv_range[SLOTS];
uniform float u_gamma[SLOTS];
uniform float u_opacity[SLOTS];
uniform int u_lut_row[SLOTS];
uniform int u_reversed[SLOTS];
const int u_is_ramp[SLOTS] = {is_ramp};
uniform vec3 u_ramp[SLOTS];              // a ramp's colour
const int u_is_alpha[SLOTS] = {is_alpha};
const int u_has_gamma[SLOTS] = {has_gamma};
uniform float u_scale[SLOTS];            // compare: data units per texel value
uniform float u_reference_scale[SLOTS];
const int u_metric = {metric};           // compare: E, AE, SE, RAE, RSE
uniform uint u_label_seed;
uniform float u_label_selected;          // -1: none
const int u_has_contour = {contour};
uniform int u_contour;                   // boundaries this many pixels wide
out vec4 o_output;  // accumulating: rgb, alpha + 2 if a non-finite sample was seen
{display_colour}
// At the texel's centre, nearest: exactly the texel. (On llvmpipe, texture() costs a quarter
// less than texelFetch() once a pixel takes four samples.)
float fetch(sampler2D s, ivec2 pixel) {{
    ivec2 texel = clamp(clamp(pixel, ivec2(0), u_image_size - 1) - u_texel_origin, ivec2(0),
                        u_texture_size - 1);
    return texture(s, (vec2(texel) + 0.5) / vec2(u_texture_size)).r;
}}

// Nearest, or bilinear between texel centres; mix() as core/CompositeMath.h writes it.
float sample_channel(sampler2D s, vec2 image) {{
    if (u_linear == 0) {{
        return fetch(s, ivec2(floor(image)));
    }}
    vec2 q = image - 0.5;
    vec2 q0 = floor(q);
    vec2 f = q - q0;
    ivec2 i = ivec2(q0);
    float v00 = fetch(s, i);
    float v10 = fetch(s, i + ivec2(1, 0));
    float v01 = fetch(s, i + ivec2(0, 1));
    float v11 = fetch(s, i + ivec2(1, 1));
    float top = v00 * (1.0 - f.x) + v10 * f.x;
    float bottom = v01 * (1.0 - f.x) + v11 * f.x;
    return top * (1.0 - f.y) + bottom * f.y;
}}

float srgb_to_linear(float c) {{
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}}

vec3 sample_lut(int row, int reversed, float t) {{
    t = clamp(t, 0.0, 1.0);
    if (reversed != 0) {{
        t = 1.0 - t;
    }}
    float x = t * 255.0;
    float below = min(floor(x), 254.0);
    float f = x - below;
    int i = int(below);
    vec3 a = texelFetch(u_luts, ivec2(i, row), 0).rgb;
    vec3 b = texelFetch(u_luts, ivec2(i + 1, row), 0).rgb;
    return a * (1.0 - f) + b * f;
}}

void blend_colour(int slot, vec3 lut, inout vec3 rgb) {{
    vec3 c = lut * u_opacity[slot];
    if (u_blend == 0) {{
        rgb += c;
    }} else if (u_blend == 1) {{
        rgb = max(rgb, c);
    }} else if (u_blend == 2) {{
        rgb = min(rgb, c);
    }} else {{
        rgb = c + rgb * (1.0 - u_opacity[slot]);
    }}
}}

void accumulate(int slot, float n, inout vec3 rgb, inout float alpha, inout bool non_finite) {{
    if (isnan(n) || isinf(n)) {{
        non_finite = true;
        return;
    }}
    float t = (n - u_lo[slot]) * u_inv_range[slot];
    if (u_colour != 0) {{
        if (u_srgb_input != 0) {{
            t = srgb_to_linear(clamp(t, 0.0, 1.0));
        }}
        t = t * u_exposure_scale + u_offset;
    }}
    t = clamp(t, 0.0, 1.0);
    if (u_is_alpha[slot] != 0) {{
        alpha = t;
        return;
    }}
    if (u_has_gamma[slot] != 0) {{
        t = pow(t, u_gamma[slot]);
    }}
    if (u_is_ramp[slot] != 0) {{
        blend_colour(slot, u_ramp[slot] * (u_reversed[slot] != 0 ? 1.0 - t : t), rgb);
    }} else {{
        blend_colour(slot, sample_lut(u_lut_row[slot], u_reversed[slot], t), rgb);
    }}
}}

// core/display/CompositeMath.h: label_hash, label_colour, label_id, accumulate_label.
uint label_hash(uint id, uint seed) {{
    uint h = (id * 0x9E3779B1u) ^ (seed * 0x85EBCA77u + 0x27D4EB2Fu);
    h ^= h >> 15u;
    h *= 0x2C1B3C6Du;
    h ^= h >> 12u;
    h *= 0x297A2D39u;
    h ^= h >> 15u;
    return h;
}}

vec3 label_colour(uint id) {{
    uint h = label_hash(id, u_label_seed);
    float hue = float(h & 0xFFFFu) / 65536.0 * 6.0;
    float s = (h & 0x10000u) != 0u ? 0.55 : 0.85;
    float v = (h & 0x20000u) != 0u ? 0.8 : 1.0;
    float sector = floor(hue);
    float f = hue - sector;
    float p = v * (1.0 - s);
    float q = v * (1.0 - s * f);
    float t = v * (1.0 - s * (1.0 - f));
    int i = int(sector);
    if (i == 0) return vec3(v, t, p);
    if (i == 1) return vec3(q, v, p);
    if (i == 2) return vec3(p, v, t);
    if (i == 3) return vec3(p, q, v);
    if (i == 4) return vec3(t, p, v);
    return vec3(v, p, q);
}}

float label_id(int slot, float n) {{
    return floor(n * u_scale[slot] + 0.5);
}}

void accumulate_label(int slot, sampler2D s, vec2 level, inout vec3 rgb, inout float alpha,
                      inout bool non_finite) {{
    vec2 f0 = floor(level);
    ivec2 p = ivec2(f0);
    float id = label_id(slot, fetch(s, p));
    if (isnan(id) || isinf(id)) {{
        non_finite = true;
        return;
    }}
    if (id == 0.0) {{
        return;
    }}
    if (u_has_contour != 0) {{
        float w = float(u_contour);
        vec2 f = level - f0;
        float px = u_level_scale / u_view.z;
        float py = u_level_scale / u_view.w;
        bool edge = (f.x * px < w && label_id(slot, fetch(s, p + ivec2(-1, 0))) != id) ||
                    ((1.0 - f.x) * px < w && label_id(slot, fetch(s, p + ivec2(1, 0))) != id) ||
                    (f.y * py < w && label_id(slot, fetch(s, p + ivec2(0, -1))) != id) ||
                    ((1.0 - f.y) * py < w && label_id(slot, fetch(s, p + ivec2(0, 1))) != id);
        if (!edge) {{
            return;
        }}
    }}
    vec3 c = label_colour(uint(id));
    if (u_label_selected >= 0.0 && u_label_selected != id) {{
        c *= 0.3;
    }}
    blend_colour(slot, c, rgb);
}}


// core/compare/Difference.h: apply_error_metric. Non-finite inputs show as NaN.
void accumulate_error(int slot, float a, float b, inout vec3 rgb, inout float alpha,
                      inout bool non_finite) {{
    if (isnan(a) || isinf(a) || isnan(b) || isinf(b)) {{
        non_finite = true;
        return;
    }}
    float d = a - b;
    float e = d;
    if (u_metric == 1) {{
        e = abs(d);
    }} else if (u_metric == 2) {{
        e = d * d;
    }} else if (u_metric == 3) {{
        e = abs(d) / (abs(b) + 0.01);
    }} else if (u_metric == 4) {{
        e = d * d / (b * b + 0.01);
    }}
    accumulate(slot, e, rgb, alpha, non_finite);
}}

void main() {{
    vec2 pixel = gl_FragCoord.xy - vec2(u_origin);
    vec2 output_pixel = vec2(pixel.x, u_output_size.y - pixel.y);
    vec2 image = u_view.xy + output_pixel * u_view.zw;
    if (image.x < u_rect.x || image.y < u_rect.y || image.x >= u_rect.z || image.y >= u_rect.w) {{
        discard;  // another tile's pixel, or outside the image
    }}
    vec2 level = image / u_level_scale;  // exact at level 0
    vec3 rgb;
    float alpha;
    bool non_finite;
    if (u_first != 0) {{
        rgb = u_blend == 2 ? vec3(1.0) : u_background;
        alpha = 1.0;
        non_finite = false;
    }} else {{
        vec4 previous = texelFetch(u_previous, ivec2(gl_FragCoord.xy), 0);
        rgb = previous.rgb;
        non_finite = previous.a >= 1.5;
        alpha = non_finite ? previous.a - 2.0 : previous.a;
    }}
{slots}{output}}}
)",
        fmt::arg("slot_count", kChannelsPerPass), fmt::arg("samplers", samplers),
        fmt::arg("first", flag(variant.first)), fmt::arg("linear", flag(variant.linear)),
        fmt::arg("blend", variant.blend), fmt::arg("colour", flag(variant.colour)),
        fmt::arg("srgb_input", flag(variant.srgb_input)),
        fmt::arg("is_alpha", int_array(variant, SlotKind::Alpha)),
        fmt::arg("has_gamma", int_array(variant, SlotKind::Gamma)),
        fmt::arg("is_ramp", int_array(variant.ramp)), fmt::arg("metric", variant.metric),
        fmt::arg("contour", flag(variant.contour)),
        fmt::arg("display_colour", variant.direct ? display_colour_source(variant.resolve) : ""),
        fmt::arg("slots", slots), fmt::arg("output", output));
}

std::string composite_resolve_fragment_shader(const ResolveVariant& variant) {
    return fmt::format(R"(#version 330 core
uniform sampler2D u_accumulation;
uniform ivec2 u_origin;         // the target rectangle's lower-left corner in the framebuffer
uniform vec2 u_output_size;
uniform vec3 u_background;
out vec4 o_colour;
{display_colour}
void main() {{
    ivec2 p = ivec2(gl_FragCoord.xy) - u_origin;
    vec4 acc = texelFetch(u_accumulation, p, 0);
    vec3 rgb;
    if (acc.a < -0.5) {{
        rgb = u_background;  // no image here
    }} else {{
        rgb = display_colour(acc.rgb, acc.a, acc.a >= 1.5, p);
    }}
    o_colour = vec4(rgb, 1.0);
}}
)",
                       fmt::arg("display_colour", display_colour_source(variant)));
}

}  // namespace tessera::gl
