#include "gl/composite/CompositeUniforms.h"

#include <string>

namespace tessera::gl {

PassUniforms PassUniforms::of(const Program& p) {
    PassUniforms u;
    u.view = p.uniform("u_view");
    u.output_size = p.uniform("u_output_size");
    u.origin = p.uniform("u_origin");
    u.exposure_scale = p.uniform("u_exposure_scale");
    u.offset = p.uniform("u_offset");
    u.background = p.uniform("u_background");
    for (int slot = 0; slot < kChannelsPerPass; ++slot) {
        u.channel[static_cast<std::size_t>(slot)] =
            p.uniform(("u_channel" + std::to_string(slot)).c_str());
        u.reference[static_cast<std::size_t>(slot)] =
            p.uniform(("u_reference" + std::to_string(slot)).c_str());
    }
    u.scale = p.uniform("u_scale");
    u.reference_scale = p.uniform("u_reference_scale");
    u.label_seed = p.uniform("u_label_seed");
    u.label_selected = p.uniform("u_label_selected");
    u.contour = p.uniform("u_contour");
    u.luts = p.uniform("u_luts");
    u.previous = p.uniform("u_previous");
    u.nan_colour = p.uniform("u_nan_colour");
    u.lo = p.uniform("u_lo");
    u.inv_range = p.uniform("u_inv_range");
    u.gamma = p.uniform("u_gamma");
    u.opacity = p.uniform("u_opacity");
    u.lut_row = p.uniform("u_lut_row");
    u.reversed = p.uniform("u_reversed");
    u.ramp = p.uniform("u_ramp");
    u.level_scale = p.uniform("u_level_scale");
    u.image_size = p.uniform("u_image_size");
    u.texel_origin = p.uniform("u_texel_origin");
    u.texture_size = p.uniform("u_texture_size");
    u.rect = p.uniform("u_rect");
    return u;
}

ResolveUniforms ResolveUniforms::of(const Program& p) {
    ResolveUniforms u;
    u.accumulation = p.uniform("u_accumulation");
    u.origin = p.uniform("u_origin");
    u.output_size = p.uniform("u_output_size");
    u.view = p.uniform("u_view");
    u.rect = p.uniform("u_rect");
    u.nan_colour = p.uniform("u_nan_colour");
    u.background = p.uniform("u_background");
    return u;
}

}  // namespace tessera::gl
