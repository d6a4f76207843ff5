// VertexArray: a move-only vertex array object. Core profile needs one bound to draw, even for
// attribute-less draws that build vertices from gl_VertexID.
#pragma once

#include "gl/objects/Object.h"

namespace tessera::gl {

class VertexArray {
  public:
    VertexArray() = default;
    static VertexArray create();

    void bind() const { glBindVertexArray(id()); }
    GLuint id() const { return m_object.id(); }

  private:
    Object<VertexArrayTraits> m_object;
};

}  // namespace tessera::gl
