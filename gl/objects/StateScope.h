// StateScope: captures the GL state Tessera's draws change (program, vertex array, framebuffer,
// viewport, texture bindings of the units we use, blend/depth/scissor/cull, scissor box) and puts
// it back when it goes away, so our drawing never disturbs ImGui's renderer or a caller's state.
#pragma once

#include <array>

#include "gl/objects/Gl.h"

namespace tessera::gl {

class StateScope {
  public:
    static constexpr int kUnits = 16;

    StateScope();
    ~StateScope();
    StateScope(const StateScope&) = delete;
    StateScope& operator=(const StateScope&) = delete;

    // Sets the fixed-function state our draws rely on: no blending, depth, scissor or culling.
    static void set_plain_draw_state();

  private:
    GLint m_program = 0;
    GLint m_vertex_array = 0;
    GLint m_draw_framebuffer = 0;
    GLint m_read_framebuffer = 0;
    GLint m_active_texture = GL_TEXTURE0;
    std::array<GLint, kUnits> m_textures{};
    GLint m_viewport[4] = {};
    GLint m_scissor_box[4] = {};
    GLfloat m_clear_colour[4] = {};
    GLboolean m_blend = GL_FALSE;
    GLboolean m_depth = GL_FALSE;
    GLboolean m_scissor = GL_FALSE;
    GLboolean m_cull = GL_FALSE;
};

}  // namespace tessera::gl
