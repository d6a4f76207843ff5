#include "gl/objects/VertexArray.h"

namespace tessera::gl {

VertexArray VertexArray::create() {
    GLuint id = 0;
    glGenVertexArrays(1, &id);
    VertexArray vao;
    vao.m_object = Object<VertexArrayTraits>(id);
    return vao;
}

}  // namespace tessera::gl
