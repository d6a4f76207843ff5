#include "gl/TexturedQuad.h"

#include "gl/Error.h"
#include "gl/StateScope.h"

namespace tessera::gl {
namespace {

constexpr const char* kVertexShader = R"(#version 330 core
uniform vec4 u_destination;  // left, top, right, bottom in normalised device coordinates
out vec2 v_texcoord;
void main() {
    vec2 corner = vec2(gl_VertexID & 1, gl_VertexID >> 1);  // strip: (0,0) (1,0) (0,1) (1,1)
    v_texcoord = corner;  // texture row 0 is the image's top row
    gl_Position = vec4(mix(u_destination.xy, u_destination.zw, corner), 0.0, 1.0);
}
)";

constexpr const char* kFragmentShader = R"(#version 330 core
uniform sampler2D u_image;
in vec2 v_texcoord;
out vec4 o_color;
void main() { o_color = texture(u_image, v_texcoord); }
)";

}  // namespace

core::Result<TexturedQuad> TexturedQuad::create() {
    auto program = Program::link("textured quad", kVertexShader, kFragmentShader);
    if (!program) {
        return program.error();
    }
    TexturedQuad quad;
    quad.m_program = std::move(program).value();
    quad.m_vertex_array = VertexArray::create();
    quad.m_destination_location = quad.m_program.uniform("u_destination");
    quad.m_image_location = quad.m_program.uniform("u_image");
    return quad;
}

void TexturedQuad::draw(const Texture2D& texture, PixelRect destination, int target_width,
                        int target_height) const {
    StateScope scope;
    glViewport(0, 0, target_width, target_height);
    StateScope::set_plain_draw_state();
    m_program.use();
    const auto ndc_x = [&](float x) {
        return 2.0f * x / static_cast<float>(target_width) - 1.0f;
    };
    const auto ndc_y = [&](float y) {
        return 1.0f - 2.0f * y / static_cast<float>(target_height);
    };
    glUniform4f(m_destination_location, ndc_x(destination.left), ndc_y(destination.top),
                ndc_x(destination.right), ndc_y(destination.bottom));
    glUniform1i(m_image_location, 0);
    texture.bind(0);
    m_vertex_array.bind();
    glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    TESSERA_GL_CHECK();
}

}  // namespace tessera::gl
