// Viewer: the interactive inspector's main loop. Shows one image in the viewport beside a side
// panel, answers the keyboard shortcuts of Options.h, and runs scripted captures
// (--frames/--screenshot) for tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/Options.h"
#include "app/Window.h"
#include "core/CpuPreview.h"
#include "core/ImageSource.h"
#include "gl/Texture2D.h"
#include "gl/TexturedQuad.h"

namespace tessera::app {

class Viewer {
  public:
    static core::Result<std::unique_ptr<Viewer>> create(Window& window,
                                                        std::unique_ptr<core::ImageSource> image,
                                                        std::string image_name);

    // Runs until the window closes, Esc/Q, or the scripted frame count; writes the screenshot.
    core::Result<void> run(const Options& options);

  private:
    Viewer(Window& window) : m_window(window) {}
    void handle_keys();
    void draw_panel();
    void draw_image();

    Window& m_window;
    std::unique_ptr<core::ImageSource> m_image;
    std::string m_image_name;
    std::vector<core::PreviewChannel> m_channels;
    gl::Texture2D m_texture;
    gl::TexturedQuad m_quad;
    bool m_show_panel = true;
    std::string m_renderer;
};

// The whole program: parses arguments, opens the window, runs the viewer. Returns the exit code.
int run_tessera(int argc, char** argv);

}  // namespace tessera::app
