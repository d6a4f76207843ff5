#include "gl/context/HeadlessContext.h"

#include <cstring>
#include <utility>

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <fmt/format.h>

#include "gl/objects/Gl.h"

namespace tessera::gl {
namespace {

bool has_extension(const char* list, const char* name) {
    if (list == nullptr) {
        return false;
    }
    const std::size_t length = std::strlen(name);
    for (const char* p = std::strstr(list, name); p != nullptr; p = std::strstr(p + 1, name)) {
        const bool starts = p == list || p[-1] == ' ';
        const bool ends = p[length] == ' ' || p[length] == '\0';
        if (starts && ends) {
            return true;
        }
    }
    return false;
}

std::string egl_error_name(EGLint error) {
    switch (error) {
        case EGL_NOT_INITIALIZED:
            return "EGL_NOT_INITIALIZED";
        case EGL_BAD_ACCESS:
            return "EGL_BAD_ACCESS";
        case EGL_BAD_ALLOC:
            return "EGL_BAD_ALLOC";
        case EGL_BAD_ATTRIBUTE:
            return "EGL_BAD_ATTRIBUTE";
        case EGL_BAD_CONFIG:
            return "EGL_BAD_CONFIG";
        case EGL_BAD_CONTEXT:
            return "EGL_BAD_CONTEXT";
        case EGL_BAD_DISPLAY:
            return "EGL_BAD_DISPLAY";
        case EGL_BAD_MATCH:
            return "EGL_BAD_MATCH";
        case EGL_BAD_PARAMETER:
            return "EGL_BAD_PARAMETER";
        default:
            return fmt::format("EGL error 0x{:04x}", error);
    }
}

struct DisplayChoice {
    EGLDisplay display = EGL_NO_DISPLAY;
    const char* platform = "";
};

// Surfaceless first (no window system at all), then the first EGL device, then the default.
DisplayChoice open_display() {
    const char* client_extensions = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
    auto get_platform_display = reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(
        eglGetProcAddress("eglGetPlatformDisplayEXT"));
    if (get_platform_display != nullptr &&
        has_extension(client_extensions, "EGL_MESA_platform_surfaceless")) {
        EGLDisplay display =
            get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
        if (display != EGL_NO_DISPLAY && eglInitialize(display, nullptr, nullptr)) {
            return {display, "surfaceless"};
        }
    }
    auto query_devices =
        reinterpret_cast<PFNEGLQUERYDEVICESEXTPROC>(eglGetProcAddress("eglQueryDevicesEXT"));
    if (get_platform_display != nullptr && query_devices != nullptr &&
        has_extension(client_extensions, "EGL_EXT_platform_device")) {
        EGLDeviceEXT devices[8];
        EGLint count = 0;
        if (query_devices(8, devices, &count)) {
            for (EGLint i = 0; i < count; ++i) {
                EGLDisplay display =
                    get_platform_display(EGL_PLATFORM_DEVICE_EXT, devices[i], nullptr);
                if (display != EGL_NO_DISPLAY && eglInitialize(display, nullptr, nullptr)) {
                    return {display, "device"};
                }
            }
        }
    }
    EGLDisplay display = eglGetDisplay(EGL_DEFAULT_DISPLAY);
    if (display != EGL_NO_DISPLAY && eglInitialize(display, nullptr, nullptr)) {
        return {display, "default"};
    }
    return {};
}

GLADapiproc load_egl_symbol(const char* name) {
    return reinterpret_cast<GLADapiproc>(eglGetProcAddress(name));
}

}  // namespace

core::Result<HeadlessContext> HeadlessContext::create() {
    const DisplayChoice choice = open_display();
    if (choice.display == EGL_NO_DISPLAY) {
        return core::Error{fmt::format(
            "cannot create a headless OpenGL context: no EGL display could be initialised "
            "(surfaceless, device and default platforms tried; last error {}). Is Mesa's EGL "
            "(libegl-mesa0, libgl1-mesa-dri) or a GPU driver installed?",
            egl_error_name(eglGetError()))};
    }
    HeadlessContext context;
    context.m_display = choice.display;
    context.m_info.platform = choice.platform;

    const char* display_extensions = eglQueryString(choice.display, EGL_EXTENSIONS);
    if (!has_extension(display_extensions, "EGL_KHR_surfaceless_context")) {
        return core::Error{
            fmt::format("cannot create a headless OpenGL context: the EGL {} display lacks "
                        "EGL_KHR_surfaceless_context",
                        choice.platform)};
    }
    if (!eglBindAPI(EGL_OPENGL_API)) {
        return core::Error{fmt::format(
            "cannot create a headless OpenGL context: desktop OpenGL is not offered by EGL ({})",
            egl_error_name(eglGetError()))};
    }
    // EGL_SURFACE_TYPE defaults to EGL_WINDOW_BIT, which surfaceless configs lack: ask for none.
    const EGLint config_attributes[] = {EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_SURFACE_TYPE, 0,
                                        EGL_NONE};
    EGLConfig config = nullptr;
    EGLint config_count = 0;
    if (!eglChooseConfig(choice.display, config_attributes, &config, 1, &config_count) ||
        config_count == 0) {
        return core::Error{fmt::format(
            "cannot create a headless OpenGL context: no EGL config supports desktop OpenGL ({})",
            egl_error_name(eglGetError()))};
    }
    const EGLint context_attributes[] = {EGL_CONTEXT_MAJOR_VERSION,
                                         3,
                                         EGL_CONTEXT_MINOR_VERSION,
                                         3,
                                         EGL_CONTEXT_OPENGL_PROFILE_MASK,
                                         EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
                                         EGL_NONE};
    EGLContext egl_context =
        eglCreateContext(choice.display, config, EGL_NO_CONTEXT, context_attributes);
    if (egl_context == EGL_NO_CONTEXT) {
        return core::Error{fmt::format(
            "cannot create an OpenGL 3.3 core context through EGL ({}); the driver may not "
            "support OpenGL 3.3",
            egl_error_name(eglGetError()))};
    }
    context.m_context = egl_context;
    if (!eglMakeCurrent(choice.display, EGL_NO_SURFACE, EGL_NO_SURFACE, egl_context)) {
        return core::Error{fmt::format("cannot make the headless OpenGL context current ({})",
                                       egl_error_name(eglGetError()))};
    }
    const int loaded = gladLoadGL(load_egl_symbol);
    if (loaded == 0 || GLAD_VERSION_MAJOR(loaded) < 3 ||
        (GLAD_VERSION_MAJOR(loaded) == 3 && GLAD_VERSION_MINOR(loaded) < 3)) {
        return core::Error{"cannot load OpenGL 3.3 core functions through EGL"};
    }
    auto text = [](GLenum name) {
        const auto* s = reinterpret_cast<const char*>(glGetString(name));
        return std::string(s != nullptr ? s : "");
    };
    context.m_info.vendor = text(GL_VENDOR);
    context.m_info.renderer = text(GL_RENDERER);
    context.m_info.version = text(GL_VERSION);
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &context.m_info.max_texture_size);
    return context;
}

HeadlessContext::HeadlessContext(HeadlessContext&& other) noexcept
    : m_display(std::exchange(other.m_display, nullptr)),
      m_context(std::exchange(other.m_context, nullptr)),
      m_info(std::move(other.m_info)) {}

HeadlessContext& HeadlessContext::operator=(HeadlessContext&& other) noexcept {
    if (this != &other) {
        release();
        m_display = std::exchange(other.m_display, nullptr);
        m_context = std::exchange(other.m_context, nullptr);
        m_info = std::move(other.m_info);
    }
    return *this;
}

HeadlessContext::~HeadlessContext() {
    release();
}

void HeadlessContext::make_current() const {
    eglMakeCurrent(m_display, EGL_NO_SURFACE, EGL_NO_SURFACE, m_context);
}

void HeadlessContext::release() {
    if (m_display == nullptr) {
        return;
    }
    eglMakeCurrent(m_display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    if (m_context != nullptr) {
        eglDestroyContext(m_display, m_context);
    }
    eglTerminate(m_display);
    m_display = nullptr;
    m_context = nullptr;
}

}  // namespace tessera::gl
