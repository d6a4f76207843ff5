#include "gl/composite/Compositor.h"

#include "core/lod/TileTexels.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/display/CompositeMath.h"
#include "gl/composite/CompositeShader.h"
#include "gl/objects/Error.h"
#include "gl/objects/StateScope.h"

namespace tessera::gl {
namespace {

core::Result<Texture2D> make_lut_texture() {
    const auto names = core::colormap_names();
    std::vector<float> texels;
    for (std::size_t row = 0; row < names.size(); ++row) {
        for (const auto& entry : core::colormap_table(row)) {
            texels.insert(texels.end(), {entry[0], entry[1], entry[2], 1.0f});
        }
    }
    return Texture2D::create(256, static_cast<int>(names.size()),
                             PixelFormat{GL_RGBA32F, GL_RGBA, GL_FLOAT}, texels.data());
}

}  // namespace

core::Result<Compositor> Compositor::create() {
    Compositor compositor;
    if (auto resolve = compositor.resolve_program(ResolveVariant{}); !resolve) {
        return resolve.error();  // the shaders do not build here: say so at once
    }
    GLint viewport[2] = {0, 0};
    GLint texture = 0;
    glGetIntegerv(GL_MAX_VIEWPORT_DIMS, viewport);
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &texture);
    compositor.m_max_target = std::min({viewport[0], viewport[1], texture});
    compositor.m_vertex_array = VertexArray::create();
    auto luts = make_lut_texture();
    if (!luts) {
        return luts.error();
    }
    compositor.m_luts = std::move(luts).value();
    return compositor;
}

std::pair<std::vector<TileDraw>, std::vector<TileDraw>> pair_tiles(const std::vector<TileDraw>& a,
                                                                   const std::vector<TileDraw>& b) {
    std::pair<std::vector<TileDraw>, std::vector<TileDraw>> pairs;
    for (const TileDraw& tile : a) {
        const auto partner = std::find_if(b.begin(), b.end(), [&](const TileDraw& other) {
            return other.level == tile.level && other.content == tile.content &&
                   other.clip == tile.clip;
        });
        if (partner != b.end()) {
            pairs.first.push_back(tile);
            pairs.second.push_back(*partner);
        }
    }
    return pairs;
}

core::Result<const Compositor::PassProgram*> Compositor::pass_program(const PassVariant& variant) {
    const std::uint64_t now = ++m_program_clock;
    if (auto found = m_passes.find(variant); found != m_passes.end()) {
        found->second.second = now;
        return &found->second.first;
    }
    auto program =
        Program::link(fmt::format("composite {}pass ({} channels)",
                                  variant.compare ? "compare " : "", variant.channels),
                      composite_vertex_shader(), composite_pass_fragment_shader(variant));
    if (!program) {
        return program.error();
    }
    if (m_passes.size() >= kMaxPrograms) {
        m_passes.erase(std::min_element(
            m_passes.begin(), m_passes.end(),
            [](const auto& a, const auto& b) { return a.second.second < b.second.second; }));
    }
    PassUniforms uniforms = PassUniforms::of(*program);
    auto [entry, inserted] = m_passes.emplace(
        variant, std::pair{PassProgram{std::move(program).value(), uniforms}, now});
    return &entry->second.first;
}

core::Result<const Compositor::ResolveProgram*> Compositor::resolve_program(
    const ResolveVariant& variant) {
    if (auto found = m_resolves.find(variant); found != m_resolves.end()) {
        return &found->second;
    }
    auto program = Program::link("composite resolve", composite_vertex_shader(),
                                 composite_resolve_fragment_shader(variant));
    if (!program) {
        return program.error();
    }
    ResolveUniforms uniforms = ResolveUniforms::of(*program);
    auto [entry, inserted] =
        m_resolves.emplace(variant, ResolveProgram{std::move(program).value(), uniforms});
    return &entry->second;
}

core::Result<void> Compositor::resize_accumulation(int width, int height) {
    if (m_accumulation[0] && m_accumulation[0].width() == width &&
        m_accumulation[0].height() == height) {
        return {};
    }
    for (std::size_t i = 0; i < 2; ++i) {
        auto texture = Texture2D::create(width, height, PixelFormat{GL_RGBA32F, GL_RGBA, GL_FLOAT});
        if (!texture) {
            m_accumulation = {};  // a later draw tries again
            return core::Error{"the composite's accumulation buffer: " + texture.error().message};
        }
        m_accumulation[i] = std::move(texture).value();
        auto framebuffer = Framebuffer::create(m_accumulation[i]);
        if (!framebuffer) {
            m_accumulation = {};
            return core::Error{"the composite's accumulation buffer: " +
                               framebuffer.error().message};
        }
        m_accumulation_framebuffers[i] = std::move(framebuffer).value();
    }
    return {};
}

core::Result<CompositeStats> Compositor::draw_tiles(const core::ImageSource& source,
                                                    const std::vector<TileDraw>& tiles,
                                                    const core::DisplaySettings& settings,
                                                    const core::View& view, const Target& target) {
    const LayerDraw layer{&source, &tiles, &settings, {}};
    return draw_layers(std::span(&layer, 1), view, target);
}

core::Result<CompositeStats> Compositor::draw_layers(std::span<const LayerDraw> layers,
                                                     const core::View& view, const Target& target) {
    return draw(layers, nullptr, view, target);
}

core::Result<CompositeStats> Compositor::draw_difference(const LayerDraw& layer,
                                                         const ReferenceDraw& reference,
                                                         const core::View& view,
                                                         const Target& target) {
    if (reference.source == nullptr || reference.tiles == nullptr ||
        reference.tiles->size() != layer.tiles->size()) {
        return core::Error{"a comparison needs the reference's tile for every tile drawn"};
    }
    if (reference.source->width() != layer.source->width() ||
        reference.source->height() != layer.source->height()) {
        return core::Error{"the reference differs in size"};
    }
    if (reference.channels.size() != layer.source->channel_count()) {
        return core::Error{"a comparison needs a reference channel (or none) per channel"};
    }
    for (std::size_t i = 0; i < layer.tiles->size(); ++i) {
        const TileDraw& a = (*layer.tiles)[i];
        const TileDraw& b = (*reference.tiles)[i];
        if (a.level != b.level || !(a.content == b.content) || !(a.clip == b.clip)) {
            return core::Error{"the reference's tiles do not pair with the image's"};
        }
        for (std::size_t c : layer.settings->visible_channels()) {
            const auto partner = reference.channels[c];
            if (partner && (*partner >= b.textures.size() || b.textures[*partner] == nullptr)) {
                return core::Error{fmt::format("the reference's tile at level {} lacks channel {}",
                                               b.level, *partner)};
            }
        }
    }
    return draw(std::span(&layer, 1), &reference, view, target);
}

core::Result<CompositeStats> Compositor::draw(std::span<const LayerDraw> layers,
                                              const ReferenceDraw* reference,
                                              const core::View& view, const Target& target) {
    if (layers.empty()) {
        return core::Error{"a view needs at least one layer to draw"};
    }
    for (const LayerDraw& layer : layers) {
        if (auto ok = core::check_display(*layer.settings, layer.source->channels()); !ok) {
            return ok.error();
        }
        if (!(layer.placement.scale > 0)) {
            return core::Error{"a layer's scale must be positive"};
        }
        const std::vector<std::size_t> visible = layer.settings->visible_channels();
        for (const TileDraw& tile : *layer.tiles) {
            for (std::size_t c : visible) {
                if (c >= tile.textures.size() || tile.textures[c] == nullptr) {
                    return core::Error{
                        fmt::format("tile at level {} lacks channel {}", tile.level, c)};
                }
            }
        }
    }
    if (view.width != target.width || view.height != target.height || target.width <= 0 ||
        target.height <= 0) {
        return core::Error{fmt::format("view of {}x{} does not match the {}x{} target", view.width,
                                       view.height, target.width, target.height)};
    }
    if (target.width > m_max_target || target.height > m_max_target) {
        // Beyond the viewport (or the accumulation buffer's texture) GL would draw a part only.
        return core::Error{fmt::format("a {}x{} target is larger than this GL draws ({} a side)",
                                       target.width, target.height, m_max_target)};
    }

    // A view of one layer whose visible channels fit one pass is resolved by that pass, straight
    // into the target: no accumulation buffer to write and read back (on llvmpipe, that round
    // trip cost as much as the pass itself).
    const auto per_pass =
        static_cast<std::size_t>(reference != nullptr ? kComparePerPass : kChannelsPerPass);
    const core::ImageUniforms base = core::image_uniforms(*layers.front().settings);
    const ResolveVariant resolve{base.colour, base.has_alpha, base.premultiplied};
    const bool direct =
        layers.size() == 1 && layers.front().settings->visible_channels().size() <= per_pass;

    StateScope scope;
    StateScope::set_plain_draw_state();
    if (direct) {
        // What no tile covers shows the background, as the resolve would show it.
        glBindFramebuffer(GL_FRAMEBUFFER, target.framebuffer);
        glViewport(target.x, target.y, target.width, target.height);
        glEnable(GL_SCISSOR_TEST);
        glScissor(target.x, target.y, target.width, target.height);
        glClearColor(base.background[0], base.background[1], base.background[2], 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        glDisable(GL_SCISSOR_TEST);
    } else if (auto ok = resize_accumulation(target.width, target.height); !ok) {
        return ok.error();
    }
    m_vertex_array.bind();
    m_luts.bind(kLutUnit);
    CompositeStats stats;
    std::size_t current = 0;
    bool first_pass = true;
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const LayerDraw& layer = layers[l];
        const core::DisplaySettings& settings = *layer.settings;
        const core::ImageSource& source = *layer.source;
        std::vector<std::size_t> visible = settings.visible_channels();
        if (reference != nullptr) {  // channels without a partner are not drawn
            std::erase_if(visible, [&](std::size_t c) { return !reference->channels[c]; });
        }
        if (l > 0 && visible.empty()) {
            continue;  // adds nothing
        }
        core::ImageUniforms uniforms = core::image_uniforms(settings);
        if (visible.empty()) {
            uniforms.blend = core::BlendMode::Additive;  // nothing visible shows the background
        }
        const core::View layer_view = layer.placement.layer_view(view);
        const float view_uniform[4] = {
            static_cast<float>(layer_view.x0), static_cast<float>(layer_view.y0),
            static_cast<float>(layer_view.x_scale), static_cast<float>(layer_view.y_scale)};
        stats.tiles_visible += static_cast<int>(layer.tiles->size());
        const std::size_t passes =
            std::max<std::size_t>(1, (visible.size() + per_pass - 1) / per_pass);
        for (std::size_t pass = 0; pass < passes; ++pass) {
            const std::size_t first = pass * per_pass;
            const std::size_t count =
                std::min<std::size_t>(per_pass, visible.size() - std::min(first, visible.size()));

            std::array<float, kChannelsPerPass> lo{}, inv_range{}, gamma{}, opacity{};
            std::array<int, kChannelsPerPass> lut_row{}, reversed{};
            std::array<float, 3 * kChannelsPerPass> ramp{};
            std::array<float, kChannelsPerPass> scale{}, reference_scale{};
            PassVariant variant;
            variant.channels = static_cast<int>(count);
            variant.compare = reference != nullptr;
            variant.metric = reference != nullptr ? static_cast<int>(reference->metric) : 0;
            variant.first = first_pass;
            variant.direct = direct;
            variant.resolve = direct ? resolve : ResolveVariant{};
            variant.linear = layer_view.sampling == core::Sampling::Linear;
            variant.blend = static_cast<int>(uniforms.blend);
            variant.colour = uniforms.colour;
            variant.srgb_input = uniforms.colour && uniforms.srgb_input;
            bool any_label = false;
            for (std::size_t slot = 0; slot < count; ++slot) {
                const std::size_t c = visible[first + slot];
                const bool alpha = settings.colour && static_cast<int>(c) == settings.alpha_channel;
                // A difference is in data units (textures scaled back): its limits are floats'.
                const core::SampleType type =
                    reference != nullptr ? core::SampleType::F32 : source.channels()[c].type;
                const core::ChannelUniforms cu =
                    core::channel_uniforms(settings.channels[c], type, alpha && !reference);
                scale[slot] = core::normalisation(source.channels()[c].type);
                const bool label = source.channels()[c].labels && reference == nullptr;
                if (reference != nullptr) {
                    reference_scale[slot] = core::normalisation(
                        reference->source->channels()[*reference->channels[c]].type);
                }
                lo[slot] = cu.lo;
                inv_range[slot] = cu.inv_range;
                gamma[slot] = cu.gamma;
                opacity[slot] = cu.opacity;
                lut_row[slot] = cu.colormap.index;
                reversed[slot] = cu.colormap.reversed ? 1 : 0;
                const auto colour_ramp = core::colormap_ramp(cu.colormap);
                variant.ramp[slot] = colour_ramp.has_value();
                std::copy_n(colour_ramp.value_or(std::array<float, 3>{}).begin(), 3,
                            ramp.begin() + static_cast<std::ptrdiff_t>(3 * slot));
                variant.slots[slot] = label              ? SlotKind::Label
                                      : cu.is_alpha      ? SlotKind::Alpha
                                      : cu.gamma != 1.0f ? SlotKind::Gamma
                                                         : SlotKind::Plain;
                any_label = any_label || label;
            }
            variant.contour = any_label && uniforms.labels.contour > 0;

            auto program = pass_program(variant);
            if (!program) {
                return program.error();
            }
            const PassUniforms& u = (*program)->uniforms;
            (*program)->program.use();
            glUniform4fv(u.view, 1, view_uniform);
            glUniform2f(u.output_size, static_cast<float>(target.width),
                        static_cast<float>(target.height));
            glUniform2i(u.origin, direct ? target.x : 0, direct ? target.y : 0);
            glUniform1f(u.exposure_scale, uniforms.exposure_scale);
            glUniform1f(u.offset, uniforms.offset);
            glUniform3fv(u.background, 1, uniforms.background.data());
            glUniform3fv(u.nan_colour, 1, base.nan_colour.data());
            for (std::size_t slot = 0; slot < count; ++slot) {
                glUniform1i(u.channel[slot], static_cast<int>(slot));
                glUniform1i(u.reference[slot], kReferenceUnit + static_cast<int>(slot));
            }
            glUniform1i(u.luts, kLutUnit);
            glUniform1i(u.previous, kPreviousUnit);
            glUniform1fv(u.lo, kChannelsPerPass, lo.data());
            glUniform1fv(u.inv_range, kChannelsPerPass, inv_range.data());
            glUniform1fv(u.gamma, kChannelsPerPass, gamma.data());
            glUniform1fv(u.opacity, kChannelsPerPass, opacity.data());
            glUniform1iv(u.lut_row, kChannelsPerPass, lut_row.data());
            glUniform1iv(u.reversed, kChannelsPerPass, reversed.data());
            glUniform3fv(u.ramp, kChannelsPerPass, ramp.data());
            glUniform1fv(u.scale, kChannelsPerPass, scale.data());
            glUniform1ui(u.label_seed, uniforms.labels.seed);
            glUniform1f(u.label_selected, static_cast<float>(uniforms.labels.selected));
            glUniform1i(u.contour, uniforms.labels.contour);
            glUniform1fv(u.reference_scale, kChannelsPerPass, reference_scale.data());
            if (!first_pass) {
                m_accumulation[current].bind(kPreviousUnit);
                current = 1 - current;
            }
            first_pass = false;
            if (direct) {
                // The target is bound and cleared above.
            } else if (l == 0) {
                // Every pass of the first layer draws the same tiles: what they miss has no image.
                m_accumulation_framebuffers[current].bind();
                glClearColor(0.0f, 0.0f, 0.0f, -1.0f);  // alpha -1: no image at this pixel
                glClear(GL_COLOR_BUFFER_BIT);
            } else {
                // A layer covers only its own rectangle: the layers below stay everywhere else.
                glBindFramebuffer(GL_READ_FRAMEBUFFER,
                                  m_accumulation_framebuffers[1 - current].id());
                glBindFramebuffer(GL_DRAW_FRAMEBUFFER, m_accumulation_framebuffers[current].id());
                glBlitFramebuffer(0, 0, target.width, target.height, 0, 0, target.width,
                                  target.height, GL_COLOR_BUFFER_BIT, GL_NEAREST);
                m_accumulation_framebuffers[current].bind();
            }
            for (std::size_t t = 0; t < layer.tiles->size(); ++t) {
                const TileDraw& tile = (*layer.tiles)[t];
                const core::Rect& content = tile.content;
                for (std::size_t slot = 0; slot < count; ++slot) {
                    const std::size_t c = visible[first + slot];
                    tile.textures[c]->bind(static_cast<int>(slot));
                    if (reference != nullptr) {
                        (*reference->tiles)[t].textures[*reference->channels[c]]->bind(
                            kReferenceUnit + static_cast<int>(slot));
                    }
                }
                const std::int64_t step = std::int64_t{1} << tile.level;
                glUniform1f(u.level_scale, static_cast<float>(step));
                glUniform2i(u.image_size,
                            static_cast<GLint>((source.width() + step - 1) >> tile.level),
                            static_cast<GLint>((source.height() + step - 1) >> tile.level));
                glUniform2i(u.texel_origin, static_cast<GLint>(content.x - core::kTileGutter),
                            static_cast<GLint>(content.y - core::kTileGutter));
                glUniform2i(u.texture_size,
                            static_cast<GLint>(content.width + 2 * core::kTileGutter),
                            static_cast<GLint>(content.height + 2 * core::kTileGutter));
                glUniform4f(u.rect, static_cast<float>(tile.clip.x),
                            static_cast<float>(tile.clip.y),
                            static_cast<float>(tile.clip.x + tile.clip.width),
                            static_cast<float>(tile.clip.y + tile.clip.height));
                glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
                ++stats.tiles_drawn;
            }
            ++stats.passes;
        }
    }
    if (direct) {
        TESSERA_GL_CHECK();
        return stats;
    }

    // Resolved with the first layer's settings, over the whole output.
    auto program = resolve_program(resolve);
    if (!program) {
        return program.error();
    }
    const ResolveUniforms& r = (*program)->uniforms;
    const float view_uniform[4] = {static_cast<float>(view.x0), static_cast<float>(view.y0),
                                   static_cast<float>(view.x_scale),
                                   static_cast<float>(view.y_scale)};
    glBindFramebuffer(GL_FRAMEBUFFER, target.framebuffer);
    glViewport(target.x, target.y, target.width, target.height);
    (*program)->program.use();
    m_accumulation[current].bind(0);
    glUniform1i(r.accumulation, 0);
    glUniform2i(r.origin, target.x, target.y);
    glUniform2f(r.output_size, static_cast<float>(target.width), static_cast<float>(target.height));
    // The resolve quad covers the whole output: its rectangle is the view's own image rectangle.
    glUniform4fv(r.view, 1, view_uniform);
    glUniform4f(r.rect, view_uniform[0], view_uniform[1],
                view_uniform[0] + view_uniform[2] * static_cast<float>(target.width),
                view_uniform[1] + view_uniform[3] * static_cast<float>(target.height));
    glUniform3fv(r.nan_colour, 1, base.nan_colour.data());
    glUniform3fv(r.background, 1, base.background.data());
    glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    TESSERA_GL_CHECK();
    return stats;
}

}  // namespace tessera::gl
