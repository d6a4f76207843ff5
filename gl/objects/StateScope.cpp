#include "gl/objects/StateScope.h"

namespace tessera::gl {
namespace {

void restore(GLenum capability, GLboolean enabled) {
    enabled ? glEnable(capability) : glDisable(capability);
}

}  // namespace

StateScope::StateScope() {
    glGetIntegerv(GL_CURRENT_PROGRAM, &m_program);
    glGetIntegerv(GL_VERTEX_ARRAY_BINDING, &m_vertex_array);
    glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &m_draw_framebuffer);
    glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &m_read_framebuffer);
    glGetIntegerv(GL_ACTIVE_TEXTURE, &m_active_texture);
    for (int unit = 0; unit < kUnits; ++unit) {
        glActiveTexture(GL_TEXTURE0 + static_cast<GLenum>(unit));
        glGetIntegerv(GL_TEXTURE_BINDING_2D, &m_textures[static_cast<std::size_t>(unit)]);
    }
    glGetIntegerv(GL_VIEWPORT, m_viewport);
    glGetIntegerv(GL_SCISSOR_BOX, m_scissor_box);
    glGetFloatv(GL_COLOR_CLEAR_VALUE, m_clear_colour);
    m_blend = glIsEnabled(GL_BLEND);
    m_depth = glIsEnabled(GL_DEPTH_TEST);
    m_scissor = glIsEnabled(GL_SCISSOR_TEST);
    m_cull = glIsEnabled(GL_CULL_FACE);
}

StateScope::~StateScope() {
    glUseProgram(static_cast<GLuint>(m_program));
    glBindVertexArray(static_cast<GLuint>(m_vertex_array));
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, static_cast<GLuint>(m_draw_framebuffer));
    glBindFramebuffer(GL_READ_FRAMEBUFFER, static_cast<GLuint>(m_read_framebuffer));
    for (int unit = 0; unit < kUnits; ++unit) {
        glActiveTexture(GL_TEXTURE0 + static_cast<GLenum>(unit));
        glBindTexture(GL_TEXTURE_2D,
                      static_cast<GLuint>(m_textures[static_cast<std::size_t>(unit)]));
    }
    glActiveTexture(static_cast<GLenum>(m_active_texture));
    glViewport(m_viewport[0], m_viewport[1], m_viewport[2], m_viewport[3]);
    glScissor(m_scissor_box[0], m_scissor_box[1], m_scissor_box[2], m_scissor_box[3]);
    glClearColor(m_clear_colour[0], m_clear_colour[1], m_clear_colour[2], m_clear_colour[3]);
    restore(GL_BLEND, m_blend);
    restore(GL_DEPTH_TEST, m_depth);
    restore(GL_SCISSOR_TEST, m_scissor);
    restore(GL_CULL_FACE, m_cull);
}

void StateScope::set_plain_draw_state() {
    glDisable(GL_BLEND);
    glDisable(GL_DEPTH_TEST);
    glDisable(GL_SCISSOR_TEST);
    glDisable(GL_CULL_FACE);
}

}  // namespace tessera::gl
