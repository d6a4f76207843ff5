// Viewer: the interactive inspector's main loop. Shows one image in the viewport beside a side
// panel, answers the keyboard shortcuts of Options.h, and runs scripted captures
// (--frames/--screenshot) for tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "app/Options.h"
#include "app/Window.h"
#include "core/ChannelStatistics.h"
#include "core/DisplaySettings.h"
#include "core/Image.h"
#include "gl/Compositor.h"
#include "gl/TiledImage.h"

namespace tessera::app {

class Viewer {
  public:
    // Statistics are computed here, once; errors name the image.
    static core::Result<std::unique_ptr<Viewer>> create(Window& window, core::Image image,
                                                        std::vector<std::string> load_errors);

    // Runs until the window closes, Esc/Q, or the scripted frame count; writes the screenshot.
    core::Result<void> run(const Options& options);

  private:
    Viewer(Window& window) : m_window(window) {}
    void handle_keys();
    void draw_panel();
    void draw_image();

    Window& m_window;
    core::Image m_image;
    std::vector<core::ChannelStatistics> m_statistics;
    core::DisplaySettings m_display;
    std::vector<std::string> m_load_errors;  // files given that could not be opened
    std::unique_ptr<gl::TiledImage> m_tiles;
    std::optional<gl::Compositor> m_compositor;
    std::string m_draw_error;
    bool m_show_panel = true;
    std::string m_renderer;
};

// The whole program: parses arguments, opens the window, runs the viewer. Returns the exit code.
int run_tessera(int argc, char** argv);

}  // namespace tessera::app
