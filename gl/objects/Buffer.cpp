#include "gl/objects/Buffer.h"

#include <cassert>

#include "gl/objects/Error.h"

namespace tessera::gl {

Buffer Buffer::create(GLenum target) {
    GLuint id = 0;
    glGenBuffers(1, &id);
    Buffer buffer;
    buffer.m_object = Object<BufferTraits>(id);
    buffer.m_target = target;
    return buffer;
}

void Buffer::upload(const void* data, std::size_t bytes, GLenum usage) {
    bind();
    glBufferData(m_target, static_cast<GLsizeiptr>(bytes), data, usage);
    m_size = bytes;
    TESSERA_GL_CHECK();
}

void Buffer::update(std::size_t offset, const void* data, std::size_t bytes) {
    assert(offset + bytes <= m_size && "buffer update outside the store");
    bind();
    glBufferSubData(m_target, static_cast<GLintptr>(offset), static_cast<GLsizeiptr>(bytes), data);
    TESSERA_GL_CHECK();
}

}  // namespace tessera::gl
