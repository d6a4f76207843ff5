// TexturedQuad: draws a texture into a pixel rectangle of the bound framebuffer. It sets every
// piece of GL state it relies on and restores what it changed, so it can run before or after
// ImGui's renderer without disturbing it.
#pragma once

#include "core/Result.h"
#include "gl/Program.h"
#include "gl/Texture2D.h"
#include "gl/VertexArray.h"

namespace tessera::gl {

// Pixel rectangle in the target, origin at its top-left corner, y pointing down.
struct PixelRect {
    float left = 0;
    float top = 0;
    float right = 0;
    float bottom = 0;
};

class TexturedQuad {
  public:
    static core::Result<TexturedQuad> create();

    void draw(const Texture2D& texture, PixelRect destination, int target_width,
              int target_height) const;

  private:
    Program m_program;
    VertexArray m_vertex_array;
    GLint m_destination_location = -1;
    GLint m_image_location = -1;
};

}  // namespace tessera::gl
