#include "gl/composite/Compositor.h"

#include "core/lod/TileTexels.h"

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

void set_int(const Program& p, const char* name, int v) {
    glUniform1i(p.uniform(name), v);
}
void set_float(const Program& p, const char* name, float v) {
    glUniform1f(p.uniform(name), v);
}

}  // namespace

core::Result<Compositor> Compositor::create() {
    auto resolve = Program::link("composite resolve", composite_vertex_shader(),
                                 composite_resolve_fragment_shader());
    if (!resolve) {
        return resolve.error();
    }
    Compositor compositor;
    compositor.m_resolve = std::move(resolve).value();
    compositor.m_vertex_array = VertexArray::create();
    auto luts = make_lut_texture();
    if (!luts) {
        return luts.error();
    }
    compositor.m_luts = std::move(luts).value();
    return compositor;
}

core::Result<const Program*> Compositor::pass_program(std::size_t channels) {
    static_assert(std::tuple_size_v<decltype(m_passes)> == kChannelsPerPass + 1);
    std::optional<Program>& slot = m_passes[channels];
    if (!slot) {
        auto program = Program::link(fmt::format("composite pass ({} channels)", channels),
                                     composite_vertex_shader(),
                                     composite_pass_fragment_shader(static_cast<int>(channels)));
        if (!program) {
            return program.error();
        }
        slot.emplace(std::move(program).value());
    }
    return &*slot;
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
    if (auto ok = core::check_display(settings, source.channels()); !ok) {
        return ok.error();
    }
    if (view.width != target.width || view.height != target.height || target.width <= 0 ||
        target.height <= 0) {
        return core::Error{fmt::format("view of {}x{} does not match the {}x{} target", view.width,
                                       view.height, target.width, target.height)};
    }
    const std::vector<std::size_t> visible = settings.visible_channels();
    core::ImageUniforms uniforms = core::image_uniforms(settings);
    if (visible.empty()) {
        uniforms.blend = core::BlendMode::Additive;  // nothing visible shows the background
    }
    CompositeStats stats;
    stats.tiles_visible = static_cast<int>(tiles.size());
    for (const TileDraw& tile : tiles) {
        for (std::size_t c : visible) {
            if (c >= tile.textures.size() || tile.textures[c] == nullptr) {
                return core::Error{fmt::format("tile at level {} lacks channel {}", tile.level, c)};
            }
        }
    }

    StateScope scope;
    StateScope::set_plain_draw_state();
    if (auto ok = resize_accumulation(target.width, target.height); !ok) {
        return ok.error();
    }
    m_vertex_array.bind();
    const float view_uniform[4] = {static_cast<float>(view.x0), static_cast<float>(view.y0),
                                   static_cast<float>(view.x_scale),
                                   static_cast<float>(view.y_scale)};

    const std::size_t passes =
        std::max<std::size_t>(1, (visible.size() + kChannelsPerPass - 1) / kChannelsPerPass);
    std::size_t current = 0;
    m_luts.bind(kLutUnit);
    for (std::size_t pass = 0; pass < passes; ++pass) {
        const std::size_t first = pass * kChannelsPerPass;
        const std::size_t count = std::min<std::size_t>(
            kChannelsPerPass, visible.size() - std::min(first, visible.size()));
        auto program_result = pass_program(count);
        if (!program_result) {
            return program_result.error();
        }
        const Program& p = **program_result;
        p.use();
        glUniform4fv(p.uniform("u_view"), 1, view_uniform);
        glUniform2f(p.uniform("u_output_size"), static_cast<float>(target.width),
                    static_cast<float>(target.height));
        set_int(p, "u_linear", view.sampling == core::Sampling::Linear ? 1 : 0);
        set_int(p, "u_blend", static_cast<int>(uniforms.blend));
        set_int(p, "u_colour", uniforms.colour ? 1 : 0);
        set_int(p, "u_srgb_input", uniforms.srgb_input ? 1 : 0);
        set_float(p, "u_exposure_scale", uniforms.exposure_scale);
        set_float(p, "u_offset", uniforms.offset);
        glUniform3fv(p.uniform("u_background"), 1, uniforms.background.data());
        for (std::size_t slot = 0; slot < count; ++slot) {
            set_int(p, fmt::format("u_channel{}", slot).c_str(), static_cast<int>(slot));
        }
        set_int(p, "u_luts", kLutUnit);
        set_int(p, "u_previous", kPreviousUnit);

        std::array<float, kChannelsPerPass> lo{}, inv_range{}, gamma{}, opacity{};
        std::array<int, kChannelsPerPass> lut_row{}, reversed{}, is_alpha{};
        for (std::size_t slot = 0; slot < count; ++slot) {
            const std::size_t c = visible[first + slot];
            const bool alpha = settings.colour && static_cast<int>(c) == settings.alpha_channel;
            const core::ChannelUniforms u =
                core::channel_uniforms(settings.channels[c], source.channels()[c].type, alpha);
            lo[slot] = u.lo;
            inv_range[slot] = u.inv_range;
            gamma[slot] = u.gamma;
            opacity[slot] = u.opacity;
            lut_row[slot] = u.colormap.index;
            reversed[slot] = u.colormap.reversed ? 1 : 0;
            is_alpha[slot] = u.is_alpha ? 1 : 0;
        }
        glUniform1fv(p.uniform("u_lo"), kChannelsPerPass, lo.data());
        glUniform1fv(p.uniform("u_inv_range"), kChannelsPerPass, inv_range.data());
        glUniform1fv(p.uniform("u_gamma"), kChannelsPerPass, gamma.data());
        glUniform1fv(p.uniform("u_opacity"), kChannelsPerPass, opacity.data());
        glUniform1iv(p.uniform("u_lut_row"), kChannelsPerPass, lut_row.data());
        glUniform1iv(p.uniform("u_reversed"), kChannelsPerPass, reversed.data());
        glUniform1iv(p.uniform("u_is_alpha"), kChannelsPerPass, is_alpha.data());
        set_int(p, "u_first", pass == 0 ? 1 : 0);
        if (pass > 0) {
            m_accumulation[current].bind(kPreviousUnit);
            current = 1 - current;
        }
        m_accumulation_framebuffers[current].bind();
        glClearColor(0.0f, 0.0f, 0.0f, -1.0f);  // alpha -1: no image at this pixel
        glClear(GL_COLOR_BUFFER_BIT);
        for (const TileDraw& tile : tiles) {
            const core::Rect& content = tile.content;
            for (std::size_t slot = 0; slot < count; ++slot) {
                tile.textures[visible[first + slot]]->bind(static_cast<int>(slot));
            }
            const auto level_scale = static_cast<float>(std::int64_t{1} << tile.level);
            set_float(p, "u_level_scale", level_scale);
            glUniform2i(p.uniform("u_image_size"),
                        static_cast<GLint>((source.width() + (std::int64_t{1} << tile.level) - 1) >>
                                           tile.level),
                        static_cast<GLint>(
                            (source.height() + (std::int64_t{1} << tile.level) - 1) >> tile.level));
            glUniform2i(p.uniform("u_texel_origin"),
                        static_cast<GLint>(content.x - core::kTileGutter),
                        static_cast<GLint>(content.y - core::kTileGutter));
            glUniform2i(p.uniform("u_texture_size"),
                        static_cast<GLint>(content.width + 2 * core::kTileGutter),
                        static_cast<GLint>(content.height + 2 * core::kTileGutter));
            glUniform4f(p.uniform("u_rect"), static_cast<float>(tile.clip.x),
                        static_cast<float>(tile.clip.y),
                        static_cast<float>(tile.clip.x + tile.clip.width),
                        static_cast<float>(tile.clip.y + tile.clip.height));
            glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
            ++stats.tiles_drawn;
        }
        ++stats.passes;
    }

    glBindFramebuffer(GL_FRAMEBUFFER, target.framebuffer);
    glViewport(target.x, target.y, target.width, target.height);
    m_resolve.use();
    m_accumulation[current].bind(0);
    set_int(m_resolve, "u_accumulation", 0);
    glUniform2i(m_resolve.uniform("u_origin"), target.x, target.y);
    glUniform2f(m_resolve.uniform("u_output_size"), static_cast<float>(target.width),
                static_cast<float>(target.height));
    // The resolve quad covers the whole output: its rectangle is the view's own image rectangle.
    glUniform4fv(m_resolve.uniform("u_view"), 1, view_uniform);
    glUniform4f(m_resolve.uniform("u_rect"), view_uniform[0], view_uniform[1],
                view_uniform[0] + view_uniform[2] * static_cast<float>(target.width),
                view_uniform[1] + view_uniform[3] * static_cast<float>(target.height));
    set_int(m_resolve, "u_colour", uniforms.colour ? 1 : 0);
    set_int(m_resolve, "u_has_alpha", uniforms.has_alpha ? 1 : 0);
    set_int(m_resolve, "u_premultiplied", uniforms.premultiplied ? 1 : 0);
    glUniform3fv(m_resolve.uniform("u_nan_colour"), 1, uniforms.nan_colour.data());
    glUniform3fv(m_resolve.uniform("u_background"), 1, uniforms.background.data());
    glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    TESSERA_GL_CHECK();
    return stats;
}

}  // namespace tessera::gl
