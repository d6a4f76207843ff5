#include "core/display/CpuCompositor.h"

#include <cmath>

#include "core/display/CompositeMath.h"

namespace tessera::core {
namespace {

// The samples of one channel inside a rectangle of the image, normalised as the GPU sees them
// (u8 / 255, u16 / 65535, others as float).
struct ChannelWindow {
    Rect rect;
    std::vector<float> values;

    float at(std::int64_t x, std::int64_t y) const {
        return values[static_cast<std::size_t>((y - rect.y) * rect.width + (x - rect.x))];
    }
};

Result<ChannelWindow> read_window(const ImageSource& image, const Plane& plane, Rect rect) {
    const std::size_t channel = plane.channel;
    const SampleType type = image.channels()[channel].type;
    std::vector<std::byte> raw(image.region_bytes(channel, rect));
    if (auto read = image.read_region(plane, rect, raw); !read) {
        return read.error();
    }
    ChannelWindow window{rect, std::vector<float>(static_cast<std::size_t>(rect.area()))};
    const float scale = normalisation(type);
    const std::size_t size = sample_size(type);
    for (std::size_t i = 0; i < window.values.size(); ++i) {
        window.values[i] = sample_as_float(raw.data() + i * size, type) / scale;
    }
    return window;
}

// Nearest or bilinear, with indices clamped to the image: what the shader does with the tile
// textures and their gutters. mix() as GLSL defines it.
float sample(const ChannelWindow& w, float x, float y, Sampling sampling, std::int64_t width,
             std::int64_t height) {
    const auto clamp_x = [&](std::int64_t v) {
        return std::clamp<std::int64_t>(v, 0, width - 1);
    };
    const auto clamp_y = [&](std::int64_t v) {
        return std::clamp<std::int64_t>(v, 0, height - 1);
    };
    if (sampling == Sampling::Nearest) {
        return w.at(clamp_x(static_cast<std::int64_t>(std::floor(x))),
                    clamp_y(static_cast<std::int64_t>(std::floor(y))));
    }
    const float qx = x - 0.5f;
    const float qy = y - 0.5f;
    const float fx0 = std::floor(qx);
    const float fy0 = std::floor(qy);
    const float fx = qx - fx0;
    const float fy = qy - fy0;
    const auto ix = static_cast<std::int64_t>(fx0);
    const auto iy = static_cast<std::int64_t>(fy0);
    const float v00 = w.at(clamp_x(ix), clamp_y(iy));
    const float v10 = w.at(clamp_x(ix + 1), clamp_y(iy));
    const float v01 = w.at(clamp_x(ix), clamp_y(iy + 1));
    const float v11 = w.at(clamp_x(ix + 1), clamp_y(iy + 1));
    const auto mix = [](float a, float b, float f) {
        return a * (1.0f - f) + b * f;
    };
    return mix(mix(v00, v10, fx), mix(v01, v11, fx), fy);
}

}  // namespace

namespace {

// What one layer needs for the whole output: its view, uniforms, and windows of its channels.
struct LayerInputs {
    View view;
    std::int64_t width = 0;
    std::int64_t height = 0;
    ImageUniforms uniforms;
    std::vector<ChannelWindow> windows;
    std::vector<ChannelUniforms> channels;
};

Result<LayerInputs> read_layer(const CpuLayer& layer, const View& output) {
    const ImageSource& image = *layer.source;
    const DisplaySettings& settings = *layer.settings;
    if (auto ok = check_display(settings, image.channels()); !ok) {
        return ok.error();
    }
    LayerInputs in;
    in.view = layer.placement.layer_view(output);
    in.width = image.width();
    in.height = image.height();
    // The image pixels the view can touch (one more on each side for bilinear), clamped.
    const auto first = in.view.image_from_output(0.5f, 0.5f);
    const auto last = in.view.image_from_output(static_cast<float>(output.width) - 0.5f,
                                                static_cast<float>(output.height) - 0.5f);
    const auto span = [](float a, float b, std::int64_t size) {
        const auto lo = std::clamp<std::int64_t>(
            static_cast<std::int64_t>(std::floor(std::min(a, b))) - 1, 0, size - 1);
        const auto hi = std::clamp<std::int64_t>(
            static_cast<std::int64_t>(std::floor(std::max(a, b))) + 1, 0, size - 1);
        return std::pair{lo, hi - lo + 1};
    };
    const auto [rx, rw] = span(first[0], last[0], in.width);
    const auto [ry, rh] = span(first[1], last[1], in.height);
    const Rect needed{rx, ry, rw, rh};
    in.uniforms = image_uniforms(settings);
    for (std::size_t c = 0; c < settings.channels.size(); ++c) {
        if (!settings.channels[c].visible) {
            continue;
        }
        const bool is_alpha = settings.colour && static_cast<int>(c) == settings.alpha_channel;
        auto window = read_window(image, {c, layer.position}, needed);
        if (!window) {
            return window.error();
        }
        in.windows.push_back(std::move(window).value());
        in.channels.push_back(channel_uniforms(settings.channels[c], image.channels()[c].type,
                                               is_alpha, image.channels()[c].labels));
    }
    if (in.channels.empty()) {
        in.uniforms.blend = BlendMode::Additive;  // nothing visible shows the background
    }
    return in;
}

// One layer's channels at output pixel (i, j) onto the accumulator, if the pixel lies on it.
void accumulate_layer(Accumulator& acc, const LayerInputs& in, int i, int j) {
    const auto [x, y] =
        in.view.image_from_output(static_cast<float>(i) + 0.5f, static_cast<float>(j) + 0.5f);
    if (!(x >= 0.0f && y >= 0.0f && x < static_cast<float>(in.width) &&
          y < static_cast<float>(in.height))) {
        return;
    }
    for (std::size_t k = 0; k < in.channels.size(); ++k) {
        if (!in.channels[k].labels) {
            accumulate(acc, sample(in.windows[k], x, y, in.view.sampling, in.width, in.height),
                       in.channels[k], in.uniforms);
            continue;
        }
        // Labels: the id of the pixel (never interpolated) and its neighbours'.
        const float fx0 = std::floor(x);
        const float fy0 = std::floor(y);
        const auto id_at = [&](float dx, float dy) {
            return label_id(sample(in.windows[k], fx0 + dx + 0.5f, fy0 + dy + 0.5f,
                                   Sampling::Nearest, in.width, in.height),
                            in.channels[k]);
        };
        accumulate_label(acc, id_at(0, 0), {id_at(-1, 0), id_at(1, 0), id_at(0, -1), id_at(0, 1)},
                         x - fx0, y - fy0, 1.0f / static_cast<float>(in.view.x_scale),
                         1.0f / static_cast<float>(in.view.y_scale), in.channels[k], in.uniforms);
    }
}

}  // namespace

Result<RgbaImage> composite_layers_cpu(std::span<const CpuLayer> layers, const View& view) {
    if (layers.empty()) {
        return Error{"a view needs at least one layer to draw"};
    }
    std::vector<LayerInputs> inputs;
    for (std::size_t l = 0; l < layers.size(); ++l) {
        auto in = read_layer(layers[l], view);
        if (!in) {
            return in.error();
        }
        if (l > 0 && in->channels.empty()) {
            continue;  // adds nothing
        }
        inputs.push_back(std::move(in).value());
    }
    const LayerInputs& base = inputs.front();
    const std::array<float, 3> background = layers.front().settings->background;
    RgbaImage out(view.width, view.height);
    for (int j = 0; j < view.height; ++j) {
        for (int i = 0; i < view.width; ++i) {
            std::uint8_t* p = out.at(i, j);
            std::array<float, 3> rgb = background;
            const auto [x, y] = base.view.image_from_output(static_cast<float>(i) + 0.5f,
                                                            static_cast<float>(j) + 0.5f);
            if (x >= 0.0f && y >= 0.0f && x < static_cast<float>(base.width) &&
                y < static_cast<float>(base.height)) {
                Accumulator acc = begin_accumulator(base.uniforms);
                for (const LayerInputs& in : inputs) {
                    accumulate_layer(acc, in, i, j);
                }
                rgb = resolve(acc, base.uniforms, i, j);
            }
            for (int k = 0; k < 3; ++k) {
                p[k] =
                    static_cast<std::uint8_t>(std::lround(std::clamp(rgb[k], 0.0f, 1.0f) * 255.0f));
            }
            p[3] = 255;
        }
    }
    return out;
}

Result<RgbaImage> composite_cpu(const ImageSource& image, const DisplaySettings& settings,
                                const View& view, const std::vector<std::int64_t>& position) {
    const CpuLayer layer{&image, &settings, {}, position};
    return composite_layers_cpu(std::span(&layer, 1), view);
}

}  // namespace tessera::core
