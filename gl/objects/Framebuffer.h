// Framebuffer: a move-only framebuffer object rendering into one colour texture. Creation checks
// completeness and reports an incomplete attachment as an error.
#pragma once

#include "core/base/Result.h"
#include "gl/objects/Object.h"
#include "gl/objects/Texture2D.h"

namespace tessera::gl {

class Framebuffer {
  public:
    Framebuffer() = default;
    static core::Result<Framebuffer> create(const Texture2D& color);

    void bind() const;  // as draw and read framebuffer, viewport set to the attachment's size
    static void bind_default();

    GLuint id() const { return m_object.id(); }
    int width() const { return m_width; }
    int height() const { return m_height; }

  private:
    Object<FramebufferTraits> m_object;
    int m_width = 0;
    int m_height = 0;
};

}  // namespace tessera::gl
