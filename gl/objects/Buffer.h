// Buffer: a move-only GL buffer object bound to one target (vertex, index, uniform...).
#pragma once

#include <cstddef>

#include "gl/objects/Object.h"

namespace tessera::gl {

class Buffer {
  public:
    Buffer() = default;
    static Buffer create(GLenum target);

    void bind() const { glBindBuffer(m_target, id()); }
    // Replaces the whole store (glBufferData); same-size updates go through update().
    void upload(const void* data, std::size_t bytes, GLenum usage = GL_STATIC_DRAW);
    void update(std::size_t offset, const void* data, std::size_t bytes);

    GLuint id() const { return m_object.id(); }
    GLenum target() const { return m_target; }
    std::size_t size() const { return m_size; }

  private:
    Object<BufferTraits> m_object;
    GLenum m_target = GL_ARRAY_BUFFER;
    std::size_t m_size = 0;
};

}  // namespace tessera::gl
