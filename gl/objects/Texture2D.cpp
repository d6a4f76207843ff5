#include "gl/objects/Texture2D.h"

#include <cassert>

#include <fmt/format.h>

#include "gl/objects/Error.h"

namespace tessera::gl {
namespace {

// Restores GL_UNPACK_ALIGNMENT and the texture binding of the active unit when it goes away.
class UnpackScope {
  public:
    explicit UnpackScope(GLuint texture) {
        glGetIntegerv(GL_UNPACK_ALIGNMENT, &m_alignment);
        glGetIntegerv(GL_TEXTURE_BINDING_2D, &m_binding);
        glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
        glBindTexture(GL_TEXTURE_2D, texture);
    }
    ~UnpackScope() {
        glPixelStorei(GL_UNPACK_ALIGNMENT, m_alignment);
        glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(m_binding));
    }
    UnpackScope(const UnpackScope&) = delete;
    UnpackScope& operator=(const UnpackScope&) = delete;

  private:
    GLint m_alignment = 4;
    GLint m_binding = 0;
};

}  // namespace

core::Result<Texture2D> Texture2D::create(int width, int height, PixelFormat format,
                                          const void* pixels) {
    GLint limit = 0;
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &limit);
    if (width <= 0 || height <= 0 || width > limit || height > limit) {
        return core::Error{
            fmt::format("a texture of {}x{} cannot exist (sizes 1 to {})", width, height, limit)};
    }
    while (glGetError() != GL_NO_ERROR) {  // errors of others are not ours to report
    }
    GLuint id = 0;
    glGenTextures(1, &id);
    Texture2D texture;
    texture.m_object = Object<TextureTraits>(id);
    texture.m_width = width;
    texture.m_height = height;
    texture.m_format = format;
    UnpackScope scope(id);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAX_LEVEL, 0);
    glTexImage2D(GL_TEXTURE_2D, 0, static_cast<GLint>(format.internal_format), width, height, 0,
                 format.format, format.type, pixels);
    if (const GLenum error = glGetError(); error != GL_NO_ERROR) {
        return core::Error{fmt::format("cannot allocate a {}x{} texture of format 0x{:04x}: {}",
                                       width, height, format.internal_format,
                                       error == GL_OUT_OF_MEMORY
                                           ? "out of GPU memory"
                                           : fmt::format("GL error 0x{:04x}", error))};
    }
    return texture;
}

void Texture2D::upload(int x, int y, int width, int height, const void* pixels) {
    assert(x >= 0 && y >= 0 && x + width <= m_width && y + height <= m_height &&
           "upload region outside the texture");
    UnpackScope scope(id());
    glTexSubImage2D(GL_TEXTURE_2D, 0, x, y, width, height, m_format.format, m_format.type, pixels);
    TESSERA_GL_CHECK();
}

void Texture2D::set_filter(GLenum filter) {
    UnpackScope scope(id());
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, static_cast<GLint>(filter));
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, static_cast<GLint>(filter));
}

void Texture2D::set_wrap(GLenum wrap) {
    UnpackScope scope(id());
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, static_cast<GLint>(wrap));
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, static_cast<GLint>(wrap));
}

void Texture2D::bind(int unit) const {
    glActiveTexture(GL_TEXTURE0 + static_cast<GLenum>(unit));
    glBindTexture(GL_TEXTURE_2D, id());
}

}  // namespace tessera::gl
