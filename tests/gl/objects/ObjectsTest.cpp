#include <utility>

#include <gtest/gtest.h>

#include "gl/objects/Buffer.h"
#include "gl/objects/Framebuffer.h"
#include "gl/objects/Gl.h"
#include "gl/objects/Program.h"
#include "gl/objects/Texture2D.h"
#include "gl/objects/VertexArray.h"
#include "tests/gl/GlTest.h"

namespace tessera::gl {
namespace {

using GlObjects = GlTest;

static_assert(!std::is_copy_constructible_v<Texture2D>);
static_assert(!std::is_copy_constructible_v<Framebuffer>);
static_assert(!std::is_copy_constructible_v<Program>);
static_assert(!std::is_copy_constructible_v<Buffer>);
static_assert(!std::is_copy_constructible_v<VertexArray>);
static_assert(std::is_nothrow_move_constructible_v<Object<TextureTraits>>);

TEST_F(GlObjects, MovingATextureTransfersOwnershipAndDestructionDeletesIt) {
    GLuint name = 0;
    {
        Texture2D a = Texture2D::create(4, 4, PixelFormat{GL_R32F, GL_RED, GL_FLOAT}).value();
        name = a.id();
        ASSERT_NE(name, 0u);
        Texture2D b = std::move(a);
        EXPECT_EQ(a.id(), 0u);  // NOLINT(bugprone-use-after-move): checking the moved-from state
        EXPECT_EQ(b.id(), name);
        EXPECT_EQ(glIsTexture(name), GL_TRUE);
    }
    EXPECT_EQ(glIsTexture(name), GL_FALSE);
}

TEST_F(GlObjects, ATextureThatCannotExistIsAnErrorNamingItsSize) {
    GLint limit = 0;
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &limit);
    auto wide = Texture2D::create(limit + 1, 4, PixelFormat{});
    ASSERT_FALSE(wide.ok());
    EXPECT_NE(wide.error().message.find(std::to_string(limit + 1) + "x4 cannot exist"),
              std::string::npos)
        << wide.error().message;
    EXPECT_FALSE(Texture2D::create(0, 4, PixelFormat{}).ok());
    EXPECT_EQ(glGetError(), static_cast<GLenum>(GL_NO_ERROR)) << "nothing left for others";
}

TEST_F(GlObjects, BufferUploadAndUpdateKeepTheStoreSize) {
    Buffer buffer = Buffer::create(GL_ARRAY_BUFFER);
    const float data[4] = {1, 2, 3, 4};
    buffer.upload(data, sizeof data);
    EXPECT_EQ(buffer.size(), sizeof data);
    const float tail[2] = {7, 8};
    buffer.update(2 * sizeof(float), tail, sizeof tail);
    GLint size = 0;
    glGetBufferParameteriv(GL_ARRAY_BUFFER, GL_BUFFER_SIZE, &size);
    EXPECT_EQ(size, static_cast<GLint>(sizeof data));
    const GLuint name = buffer.id();
    buffer = Buffer::create(GL_ARRAY_BUFFER);  // assignment deletes the old store
    EXPECT_EQ(glIsBuffer(name), GL_FALSE);
}

TEST_F(GlObjects, VertexArrayAndFramebufferAreRealObjects) {
    VertexArray vao = VertexArray::create();
    vao.bind();
    EXPECT_EQ(glIsVertexArray(vao.id()), GL_TRUE);
    glBindVertexArray(0);
    Texture2D color = Texture2D::create(8, 8, PixelFormat{}).value();
    auto framebuffer = Framebuffer::create(color);
    ASSERT_TRUE(framebuffer.ok());
    EXPECT_EQ(glIsFramebuffer(framebuffer->id()), GL_TRUE);
}

TEST_F(GlObjects, ShaderCompileErrorsComeBackWithTheLabelAndTheDriverLog) {
    auto program = Program::link("broken test", "#version 330 core\nvoid main() { nonsense; }\n",
                                 "#version 330 core\nout vec4 c; void main() { c = vec4(1); }\n");
    ASSERT_FALSE(program.ok());
    EXPECT_NE(program.error().message.find("broken test vertex shader failed to compile"),
              std::string::npos)
        << program.error().message;
    EXPECT_NE(program.error().message.find("nonsense"), std::string::npos)
        << program.error().message;
}

}  // namespace
}  // namespace tessera::gl
