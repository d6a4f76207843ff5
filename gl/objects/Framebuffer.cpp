#include "gl/objects/Framebuffer.h"

#include <fmt/format.h>

#include "gl/objects/Error.h"

namespace tessera::gl {

core::Result<Framebuffer> Framebuffer::create(const Texture2D& color) {
    GLuint id = 0;
    glGenFramebuffers(1, &id);
    Framebuffer framebuffer;
    framebuffer.m_object = Object<FramebufferTraits>(id);
    framebuffer.m_width = color.width();
    framebuffer.m_height = color.height();

    GLint previous = 0;
    glGetIntegerv(GL_FRAMEBUFFER_BINDING, &previous);
    glBindFramebuffer(GL_FRAMEBUFFER, id);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, color.id(), 0);
    const GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
    glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(previous));
    TESSERA_GL_CHECK();
    if (status != GL_FRAMEBUFFER_COMPLETE) {
        return core::Error{
            fmt::format("framebuffer with a {}x{} colour texture is incomplete (status 0x{:04x})",
                        color.width(), color.height(), status)};
    }
    return framebuffer;
}

void Framebuffer::bind() const {
    glBindFramebuffer(GL_FRAMEBUFFER, id());
    glViewport(0, 0, m_width, m_height);
}

void Framebuffer::bind_default() {
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

}  // namespace tessera::gl
