// Object<Traits>: a move-only owner of one GL object name. The typed wrappers (Texture2D,
// Framebuffer, Program, Buffer, VertexArray) hold one; the name is deleted exactly once.
#pragma once

#include <utility>

#include "gl/objects/Gl.h"

namespace tessera::gl {

template <typename Traits>
class Object {
  public:
    Object() = default;
    explicit Object(GLuint id) : m_id(id) {}
    ~Object() { reset(); }

    Object(const Object&) = delete;
    Object& operator=(const Object&) = delete;
    Object(Object&& other) noexcept : m_id(std::exchange(other.m_id, 0)) {}
    Object& operator=(Object&& other) noexcept {
        if (this != &other) {
            reset();
            m_id = std::exchange(other.m_id, 0);
        }
        return *this;
    }

    GLuint id() const { return m_id; }
    explicit operator bool() const { return m_id != 0; }

    void reset() {
        if (m_id != 0) {
            Traits::destroy(m_id);
            m_id = 0;
        }
    }

  private:
    GLuint m_id = 0;
};

struct TextureTraits {
    static void destroy(GLuint id) { glDeleteTextures(1, &id); }
};
struct FramebufferTraits {
    static void destroy(GLuint id) { glDeleteFramebuffers(1, &id); }
};
struct ProgramTraits {
    static void destroy(GLuint id) { glDeleteProgram(id); }
};
struct ShaderTraits {
    static void destroy(GLuint id) { glDeleteShader(id); }
};
struct BufferTraits {
    static void destroy(GLuint id) { glDeleteBuffers(1, &id); }
};
struct VertexArrayTraits {
    static void destroy(GLuint id) { glDeleteVertexArrays(1, &id); }
};

}  // namespace tessera::gl
