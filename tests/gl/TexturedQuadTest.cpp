#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "gl/Framebuffer.h"
#include "gl/Readback.h"
#include "gl/TexturedQuad.h"
#include "tests/gl/GlTest.h"

namespace tessera::gl {
namespace {

using TexturedQuadTest = GlTest;

// Every texel encodes its own coordinates; a flipped or shifted draw cannot pass.
std::vector<std::uint8_t> coordinate_texels(int width, int height) {
    std::vector<std::uint8_t> texels(static_cast<std::size_t>(width) * height * 4);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            std::uint8_t* p = &texels[(static_cast<std::size_t>(y) * width + x) * 4];
            p[0] = static_cast<std::uint8_t>(x * 5);
            p[1] = static_cast<std::uint8_t>(y * 7);
            p[2] = static_cast<std::uint8_t>(x + y);
            p[3] = 255;
        }
    }
    return texels;
}

TEST_F(TexturedQuadTest, DrawsEveryTexelAtOneToOneTopRowFirst) {
    constexpr int kWidth = 37;
    constexpr int kHeight = 23;
    const auto texels = coordinate_texels(kWidth, kHeight);
    const Texture2D image = Texture2D::create(kWidth, kHeight, PixelFormat{}, texels.data());
    const Texture2D target = Texture2D::create(kWidth, kHeight, PixelFormat{});
    auto framebuffer = Framebuffer::create(target);
    ASSERT_TRUE(framebuffer.ok()) << framebuffer.error().message;
    auto quad = TexturedQuad::create();
    ASSERT_TRUE(quad.ok()) << quad.error().message;

    framebuffer->bind();
    quad->draw(image, {0, 0, kWidth, kHeight}, kWidth, kHeight);
    const core::RgbaImage pixels = read_rgba8(0, 0, kWidth, kHeight);
    for (int y = 0; y < kHeight; ++y) {
        for (int x = 0; x < kWidth; ++x) {
            const std::uint8_t* expected = &texels[(static_cast<std::size_t>(y) * kWidth + x) * 4];
            const std::uint8_t* actual = pixels.at(x, y);
            ASSERT_EQ(std::vector(actual, actual + 4), std::vector(expected, expected + 4))
                << "at " << x << "," << y;
        }
    }
    Framebuffer::bind_default();
}

TEST_F(TexturedQuadTest, RestoresTheStateItChanges) {
    const Texture2D image = Texture2D::create(2, 2, PixelFormat{});
    const Texture2D target = Texture2D::create(8, 8, PixelFormat{});
    auto framebuffer = Framebuffer::create(target);
    ASSERT_TRUE(framebuffer.ok());
    auto quad = TexturedQuad::create();
    ASSERT_TRUE(quad.ok());
    framebuffer->bind();
    glEnable(GL_BLEND);
    glEnable(GL_SCISSOR_TEST);
    glViewport(1, 2, 3, 4);
    quad->draw(image, {0, 0, 8, 8}, 8, 8);
    EXPECT_TRUE(glIsEnabled(GL_BLEND));
    EXPECT_TRUE(glIsEnabled(GL_SCISSOR_TEST));
    GLint viewport[4] = {};
    glGetIntegerv(GL_VIEWPORT, viewport);
    EXPECT_EQ(viewport[0], 1);
    EXPECT_EQ(viewport[3], 4);
    GLint program = -1;
    glGetIntegerv(GL_CURRENT_PROGRAM, &program);
    EXPECT_EQ(program, 0);
    glDisable(GL_BLEND);
    glDisable(GL_SCISSOR_TEST);
    Framebuffer::bind_default();
}

}  // namespace
}  // namespace tessera::gl
