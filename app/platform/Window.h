// Window: the GLFW window with an OpenGL 3.3 core context and Dear ImGui on top. One per process.
// open() reports a missing display or an unsupported GL version as an error a user can act on.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/base/Result.h"

struct GLFWwindow;

namespace tessera::app {

class Window {
  public:
    static core::Result<std::unique_ptr<Window>> open(const std::string& title, int width,
                                                      int height);
    ~Window();
    Window(const Window&) = delete;
    Window& operator=(const Window&) = delete;

    bool should_close() const;
    void request_close();

    // Gathers input (waiting up to wait_seconds for an event when positive) and prepares the
    // platform and renderer backends; the caller then calls ImGui::NewFrame(), so that scripted
    // input can be injected in between.
    void begin_frame(double wait_seconds = 0.0);
    void end_frame();  // renders ImGui's draw data; call present() after any readback
    void present();
    void set_vsync(bool on);
    void set_title(const std::string& title);  // only calls GLFW when the title changes
    std::vector<std::string> take_dropped_files();
    // Ends a wait in begin_frame() from any thread (a live image changed).
    static void wake();

    int width() const;  // window pixels
    int height() const;
    int framebuffer_width() const;
    int framebuffer_height() const;

  private:
    Window() = default;
    GLFWwindow* m_window = nullptr;
    std::string m_title;
    bool m_imgui_initialised = false;
};

}  // namespace tessera::app
