#include <cstdio>

#include <gtest/gtest.h>

#include "gl/context/GpuTimer.h"
#include "gl/context/Renderer.h"
#include "gl/objects/Framebuffer.h"
#include "gl/objects/Gl.h"
#include "gl/objects/Readback.h"
#include "gl/objects/Texture2D.h"
#include "tests/gl/GlTest.h"

namespace tessera::gl {
namespace {

using HeadlessContextTest = GlTest;

TEST_F(HeadlessContextTest, ProvidesOpenGL33CoreWithoutAWindow) {
    const ContextInfo& info = m_context->info();
    std::printf("EGL platform: %s; GL: %s | %s | %s; max texture %d\n", info.platform.c_str(),
                info.vendor.c_str(), info.renderer.c_str(), info.version.c_str(),
                info.max_texture_size);
    GLint major = 0;
    GLint minor = 0;
    GLint profile = 0;
    glGetIntegerv(GL_MAJOR_VERSION, &major);
    glGetIntegerv(GL_MINOR_VERSION, &minor);
    glGetIntegerv(GL_CONTEXT_PROFILE_MASK, &profile);
    EXPECT_GE(major * 10 + minor, 33);
    EXPECT_TRUE(profile & GL_CONTEXT_CORE_PROFILE_BIT);
    EXPECT_GE(info.max_texture_size, 2048);
    EXPECT_FALSE(info.renderer.empty());
}

TEST(Renderer, SoftwareRasterisersAreRecognisedByName) {
    EXPECT_TRUE(is_software_renderer("llvmpipe (LLVM 15.0.6, 256 bits)"));
    EXPECT_TRUE(is_software_renderer("softpipe"));
    EXPECT_TRUE(is_software_renderer("Google SwiftShader"));
    EXPECT_TRUE(is_software_renderer("GDI Generic"));
    EXPECT_FALSE(is_software_renderer("NVIDIA GeForce RTX 4090/PCIe/SSE2"));
    EXPECT_FALSE(is_software_renderer("AMD Radeon Pro 5500M OpenGL Engine"));
    EXPECT_FALSE(is_software_renderer(""));
}

TEST_F(HeadlessContextTest, TheCurrentRendererIsClassifiedFromItsName) {
    EXPECT_EQ(current_renderer_is_software(), is_software_renderer(m_context->info().renderer));
}

TEST_F(HeadlessContextTest, RendersIntoAFramebufferAndReadsTheClearColourBack) {
    const Texture2D target = Texture2D::create(16, 8, PixelFormat{}).value();
    auto framebuffer = Framebuffer::create(target);
    ASSERT_TRUE(framebuffer.ok()) << framebuffer.error().message;
    framebuffer->bind();
    glClearColor(1.0f, 0.5f, 0.0f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    const core::RgbaImage pixels = read_rgba8(0, 0, 16, 8);
    for (int y = 0; y < 8; ++y) {
        for (int x = 0; x < 16; ++x) {
            const std::uint8_t* p = pixels.at(x, y);
            ASSERT_EQ(p[0], 255);
            ASSERT_NEAR(p[1], 128, 1);
            ASSERT_EQ(p[2], 0);
            ASSERT_EQ(p[3], 255);
        }
    }
    Framebuffer::bind_default();
}

TEST_F(HeadlessContextTest, ASecondContextCanBeCreatedAfterTheFirstIsGone) {
    m_context.reset();
    auto again = HeadlessContext::create();
    ASSERT_TRUE(again.ok()) << again.error().message;
    m_context.emplace(std::move(again).value());
    EXPECT_NE(glGetString(GL_VERSION), nullptr);
}

TEST_F(HeadlessContextTest, GpuTimerResultsArriveWithoutStallingAndArePlausible) {
    const Texture2D target = Texture2D::create(512, 512, PixelFormat{}).value();
    auto framebuffer = Framebuffer::create(target);
    ASSERT_TRUE(framebuffer.ok());
    framebuffer->bind();
    GpuTimer timer;
    std::vector<GpuTimer::Result> results;
    for (std::uint64_t frame = 0; frame < 20; ++frame) {
        timer.begin(frame);
        glClearColor(0.1f * static_cast<float>(frame % 10), 0, 0, 1);
        glClear(GL_COLOR_BUFFER_BIT);
        timer.end();
        glFinish();
        while (auto result = timer.take_result()) {
            results.push_back(*result);
        }
    }
    ASSERT_FALSE(results.empty()) << "no timer query result ever became available";
    std::uint64_t previous = 0;
    for (const auto& result : results) {
        EXPECT_GE(result.ms, 0.0);
        EXPECT_LT(result.ms, 1000.0);
        EXPECT_GE(result.tag, previous);  // in order
        previous = result.tag;
    }
    Framebuffer::bind_default();
}

}  // namespace
}  // namespace tessera::gl
