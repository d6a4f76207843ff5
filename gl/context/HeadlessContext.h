// HeadlessContext: an OpenGL 3.3 core context with no window and no X server, through EGL on the
// surfaceless platform (EGL_MESA_platform_surfaceless), falling back to an EGL device and then
// the default display. Mesa's llvmpipe serves it on machines without a GPU. Draw into a
// Framebuffer: there is no default framebuffer. Failures come back as errors saying which step
// failed, so callers can print them (and CI can fail on them).
#pragma once

#include <string>

#include "core/base/Result.h"

namespace tessera::gl {

struct ContextInfo {
    std::string platform;  // "surfaceless", "device" or "default"
    std::string vendor;
    std::string renderer;
    std::string version;
    int max_texture_size = 0;
};

class HeadlessContext {
  public:
    static core::Result<HeadlessContext> create();

    HeadlessContext(HeadlessContext&& other) noexcept;
    HeadlessContext& operator=(HeadlessContext&& other) noexcept;
    HeadlessContext(const HeadlessContext&) = delete;
    HeadlessContext& operator=(const HeadlessContext&) = delete;
    ~HeadlessContext();

    void make_current() const;
    const ContextInfo& info() const { return m_info; }

  private:
    HeadlessContext() = default;
    void release();

    void* m_display = nullptr;  // EGLDisplay
    void* m_context = nullptr;  // EGLContext
    ContextInfo m_info;
};

}  // namespace tessera::gl
