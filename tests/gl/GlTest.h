// GlTest: fixture for tests that need OpenGL. Each test gets a fresh headless EGL context; a
// context that cannot be created skips the test with the reason, or fails it under CI=true.
// Every test ends by asserting that no GL error is pending.
#pragma once

#include <optional>

#include <gtest/gtest.h>

#include "gl/context/HeadlessContext.h"

namespace tessera::gl {

class GlTest : public ::testing::Test {
  protected:
    void SetUp() override;
    void TearDown() override;

    std::optional<HeadlessContext> m_context;
};

}  // namespace tessera::gl
