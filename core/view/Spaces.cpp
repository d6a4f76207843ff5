#include "core/view/Spaces.h"

#include <algorithm>
#include <cmath>

namespace tessera::core {

int Spaces::output_width() const {
    return std::max(1, static_cast<int>(std::lround(m_viewport.width * m_scale)));
}

int Spaces::output_height() const {
    return std::max(1, static_cast<int>(std::lround(m_viewport.height * m_scale)));
}

std::array<double, 2> Spaces::output_from_window(double x, double y) const {
    return {(x - m_viewport.x) * m_scale, (y - m_viewport.y) * m_scale};
}

std::array<double, 2> Spaces::window_from_output(double x, double y) const {
    return {m_viewport.x + x / m_scale, m_viewport.y + y / m_scale};
}

std::array<double, 2> Spaces::image_from_window(const ViewController& view, double x,
                                                double y) const {
    const auto [ox, oy] = output_from_window(x, y);
    return view.image_from_output(ox, oy);
}

std::array<double, 2> Spaces::window_from_image(const ViewController& view, double x,
                                                double y) const {
    const auto [ox, oy] = view.output_from_image(x, y);
    return window_from_output(ox, oy);
}

std::array<int, 4> Spaces::gl_rect(int framebuffer_height) const {
    const int x = static_cast<int>(std::lround(m_viewport.x * m_scale));
    const int top = static_cast<int>(std::lround(m_viewport.y * m_scale));
    return {x, framebuffer_height - top - output_height(), output_width(), output_height()};
}

}  // namespace tessera::core
