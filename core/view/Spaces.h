// Spaces: the one place that converts between the coordinate spaces of the window (HDRView's
// habit of naming each space):
//   window       logical pixels, origin at the window's top-left: what GLFW and ImGui report
//                for the pointer and use to lay out panels;
//   framebuffer  physical pixels, window x framebuffer scale (2 on a HiDPI display), origin at
//                the top-left (GL's own origin is the bottom-left: gl_rect() converts);
//   output       framebuffer pixels of the image viewport, origin at its top-left: what View
//                and ViewController call output, and what the composite is rendered at;
//   image        level-0 pixels of the image the viewport shows, pixel (i, j) covering
//                [i, i+1) x [j, j+1).
// Pointer positions and drags arrive in window space; the view maths works in output space;
// overlays are drawn in window space. Converting anywhere else is a bug.
#pragma once

#include <array>

#include "core/view/ViewController.h"

namespace tessera::core {

struct WindowRect {
    double x = 0;  // window pixels
    double y = 0;
    double width = 1;
    double height = 1;
    bool operator==(const WindowRect&) const = default;
};

class Spaces {
  public:
    Spaces(WindowRect viewport, double framebuffer_scale)
        : m_viewport(viewport), m_scale(framebuffer_scale > 0 ? framebuffer_scale : 1.0) {}

    double framebuffer_scale() const { return m_scale; }
    const WindowRect& viewport() const { return m_viewport; }
    // The viewport's size in output (framebuffer) pixels: the composite's size.
    int output_width() const;
    int output_height() const;

    std::array<double, 2> output_from_window(double x, double y) const;
    std::array<double, 2> window_from_output(double x, double y) const;
    // A distance or a drag, not a position.
    double output_length(double window_length) const { return window_length * m_scale; }

    std::array<double, 2> image_from_window(const ViewController& view, double x, double y) const;
    std::array<double, 2> window_from_image(const ViewController& view, double x, double y) const;

    // The viewport in GL's framebuffer convention (origin bottom-left): x, y, width, height.
    std::array<int, 4> gl_rect(int framebuffer_height) const;

  private:
    WindowRect m_viewport;
    double m_scale;
};

}  // namespace tessera::core
