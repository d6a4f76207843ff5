#include "app/platform/Window.h"

#include <string>
#include <utility>

#include <fmt/format.h>

#include "gl/objects/Gl.h"
// glad must come first: GLFW_INCLUDE_NONE keeps GLFW from including system GL headers.
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

namespace tessera::app {
namespace {

std::string g_last_glfw_error;
std::vector<std::string> g_dropped_files;  // GLFW calls back with C strings; one window only

void record_drop(GLFWwindow*, int count, const char** paths) {
    for (int i = 0; i < count; ++i) {
        g_dropped_files.emplace_back(paths[i]);
    }
}

void record_glfw_error(int code, const char* description) {
    g_last_glfw_error = fmt::format("{} (GLFW error 0x{:x})", description, code);
}

}  // namespace

core::Result<std::unique_ptr<Window>> Window::open(const std::string& title, int width,
                                                   int height) {
    glfwSetErrorCallback(record_glfw_error);
    if (!glfwInit()) {
        return core::Error{fmt::format(
            "cannot open a window: {}.\n"
            "Tessera's window needs a display. On a machine without one, run it under a virtual "
            "X server (xvfb-run -a tessera [FILE...]), or render headlessly to a PNG with "
            "`tessera render FILE -o OUT.png`",
            g_last_glfw_error.empty() ? "GLFW could not initialise" : g_last_glfw_error)};
    }
    std::unique_ptr<Window> window(new Window());
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_FALSE);
    window->m_window = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
    window->m_title = title;
    if (window->m_window == nullptr) {
        return core::Error{fmt::format(
            "cannot open a {}x{} window with an OpenGL 3.3 core context: {}", width, height,
            g_last_glfw_error.empty() ? "unknown GLFW error" : g_last_glfw_error)};
    }
    glfwSetDropCallback(window->m_window, record_drop);
    glfwMakeContextCurrent(window->m_window);
    glfwSwapInterval(1);
    const int loaded = gladLoadGL(glfwGetProcAddress);
    if (loaded == 0 || GLAD_VERSION_MAJOR(loaded) < 3 ||
        (GLAD_VERSION_MAJOR(loaded) == 3 && GLAD_VERSION_MINOR(loaded) < 3)) {
        return core::Error{"cannot load OpenGL 3.3 core functions for the window"};
    }

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // no imgui.ini written into the user's working directory
    ImGui::StyleColorsDark();
    ImGui_ImplGlfw_InitForOpenGL(window->m_window, true);
    ImGui_ImplOpenGL3_Init("#version 330 core");
    window->m_imgui_initialised = true;
    return window;
}

Window::~Window() {
    if (m_imgui_initialised) {
        ImGui_ImplOpenGL3_Shutdown();
        ImGui_ImplGlfw_Shutdown();
        ImGui::DestroyContext();
    }
    if (m_window != nullptr) {
        glfwDestroyWindow(m_window);
    }
    glfwTerminate();
}

bool Window::should_close() const {
    return glfwWindowShouldClose(m_window) != 0;
}

void Window::request_close() {
    glfwSetWindowShouldClose(m_window, GLFW_TRUE);
}

void Window::begin_frame(double wait_seconds) {
    if (wait_seconds > 0.0) {
        glfwWaitEventsTimeout(wait_seconds);
    } else {
        glfwPollEvents();
    }
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
}

std::vector<std::string> Window::take_dropped_files() {
    return std::exchange(g_dropped_files, {});
}

void Window::end_frame() {
    ImGui::Render();
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

void Window::present() {
    glfwSwapBuffers(m_window);
}

int Window::width() const {
    int width = 0;
    int height = 0;
    glfwGetWindowSize(m_window, &width, &height);
    return width;
}

int Window::height() const {
    int width = 0;
    int height = 0;
    glfwGetWindowSize(m_window, &width, &height);
    return height;
}

int Window::framebuffer_width() const {
    int width = 0;
    int height = 0;
    glfwGetFramebufferSize(m_window, &width, &height);
    return width;
}

int Window::framebuffer_height() const {
    int width = 0;
    int height = 0;
    glfwGetFramebufferSize(m_window, &width, &height);
    return height;
}

void Window::set_vsync(bool on) {
    glfwSwapInterval(on ? 1 : 0);
}

void Window::wake() {
    glfwPostEmptyEvent();
}

void Window::set_title(const std::string& title) {
    if (title != m_title) {
        m_title = title;
        glfwSetWindowTitle(m_window, title.c_str());
    }
}

}  // namespace tessera::app
