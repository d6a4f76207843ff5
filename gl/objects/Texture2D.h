// Texture2D: a move-only 2D texture with immutable size and format. upload() updates a region in
// place (glTexSubImage2D); a new size needs a new texture.
#pragma once

#include "core/base/Result.h"
#include "gl/objects/Object.h"

namespace tessera::gl {

struct PixelFormat {
    GLenum internal_format = GL_RGBA8;
    GLenum format = GL_RGBA;
    GLenum type = GL_UNSIGNED_BYTE;
    bool operator==(const PixelFormat&) const = default;
};

class Texture2D {
  public:
    Texture2D() = default;
    // An error, naming the size and format, for a size outside 1..GL_MAX_TEXTURE_SIZE or
    // memory the driver cannot allocate; never a texture that is not there.
    static core::Result<Texture2D> create(int width, int height, PixelFormat format,
                                          const void* pixels = nullptr);

    // Tightly packed rows (unpack alignment 1), in `format`'s client format and type.
    void upload(int x, int y, int width, int height, const void* pixels);
    void set_filter(GLenum filter);
    void set_wrap(GLenum wrap);
    void bind(int unit) const;

    GLuint id() const { return m_object.id(); }
    int width() const { return m_width; }
    int height() const { return m_height; }
    const PixelFormat& format() const { return m_format; }
    explicit operator bool() const { return static_cast<bool>(m_object); }

  private:
    Object<TextureTraits> m_object;
    int m_width = 0;
    int m_height = 0;
    PixelFormat m_format;
};

}  // namespace tessera::gl
