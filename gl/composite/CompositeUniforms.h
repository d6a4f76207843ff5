// The composite shaders' uniforms, looked up once when a program is linked: every name is written
// here once, and drawing sets locations, never strings. A name the shader lacks (an unused
// uniform that the driver optimised away) has location -1, which GL ignores.
#pragma once

#include <array>

#include "gl/composite/CompositeShader.h"
#include "gl/objects/Program.h"

namespace tessera::gl {

struct PassUniforms {
    GLint view = -1;         // vec4: image x0, y0 and image pixels per output pixel
    GLint output_size = -1;  // vec2
    GLint origin = -1;       // ivec2: the output's lower-left corner in the framebuffer
    GLint exposure_scale = -1;
    GLint offset = -1;
    GLint background = -1;
    std::array<GLint, kChannelsPerPass> channel{};    // the slots' samplers
    std::array<GLint, kChannelsPerPass> reference{};  // compare: the reference's samplers
    GLint scale = -1;                                 // compare, per slot
    GLint reference_scale = -1;
    GLint label_seed = -1;
    GLint label_selected = -1;
    GLint contour = -1;
    GLint luts = -1;
    GLint previous = -1;
    GLint nan_colour = -1;  // a pass resolved straight into the target
    // Per slot (arrays of kChannelsPerPass):
    GLint lo = -1;
    GLint inv_range = -1;
    GLint gamma = -1;
    GLint opacity = -1;
    GLint lut_row = -1;
    GLint reversed = -1;
    GLint ramp = -1;
    // Per tile:
    GLint level_scale = -1;
    GLint image_size = -1;
    GLint texel_origin = -1;
    GLint texture_size = -1;
    GLint rect = -1;

    static PassUniforms of(const Program& program);
};

struct ResolveUniforms {
    GLint accumulation = -1;
    GLint origin = -1;
    GLint output_size = -1;
    GLint view = -1;  // the vertex shader's: the quad covers the whole output
    GLint rect = -1;
    GLint nan_colour = -1;
    GLint background = -1;

    static ResolveUniforms of(const Program& program);
};

}  // namespace tessera::gl
