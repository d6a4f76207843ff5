#include "core/view/ViewController.h"

#include <algorithm>
#include <cmath>

namespace tessera::core {

void ViewController::set_image_size(std::int64_t width, std::int64_t height) {
    m_image_width = std::max<std::int64_t>(1, width);
    m_image_height = std::max<std::int64_t>(1, height);
    fit();
}

void ViewController::set_viewport(int width, int height) {
    m_width = std::max(1, width);
    m_height = std::max(1, height);
    if (m_fitted) {
        fit();
    }
}

double ViewController::fit_zoom() const {
    return std::clamp(std::min(static_cast<double>(m_width) / static_cast<double>(m_image_width),
                               static_cast<double>(m_height) / static_cast<double>(m_image_height)),
                      kMinZoom, kMaxZoom);
}

void ViewController::look_at(double x, double y, double zoom) {
    m_centre_x = x;
    m_centre_y = y;
    m_zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    m_fitted = false;
}

void ViewController::fit() {
    m_zoom = fit_zoom();
    m_centre_x = static_cast<double>(m_image_width) / 2.0;
    m_centre_y = static_cast<double>(m_image_height) / 2.0;
    m_fitted = true;
}

void ViewController::one_to_one() {
    m_zoom = 1.0;
    m_fitted = false;
}

void ViewController::zoom_about(double factor, double output_x, double output_y) {
    const auto anchor = image_from_output(output_x, output_y);
    m_zoom = std::clamp(m_zoom * factor, kMinZoom, kMaxZoom);
    // Put the anchor back under (output_x, output_y).
    m_centre_x = anchor[0] - (output_x - m_width / 2.0) / m_zoom;
    m_centre_y = anchor[1] - (output_y - m_height / 2.0) / m_zoom;
    m_fitted = false;
}

void ViewController::zoom_steps(double steps, double output_x, double output_y) {
    zoom_about(std::pow(std::sqrt(2.0), steps), output_x, output_y);
}

void ViewController::pan_by(double output_dx, double output_dy) {
    m_centre_x -= output_dx / m_zoom;
    m_centre_y -= output_dy / m_zoom;
    m_fitted = false;
}

std::array<double, 2> ViewController::image_from_output(double x, double y) const {
    return {m_centre_x + (x - m_width / 2.0) / m_zoom, m_centre_y + (y - m_height / 2.0) / m_zoom};
}

std::array<double, 2> ViewController::output_from_image(double x, double y) const {
    return {(x - m_centre_x) * m_zoom + m_width / 2.0, (y - m_centre_y) * m_zoom + m_height / 2.0};
}

View ViewController::view() const {
    View view;
    view.width = m_width;
    view.height = m_height;
    view.x_scale = 1.0 / m_zoom;
    view.y_scale = 1.0 / m_zoom;
    const auto origin = image_from_output(0, 0);
    view.x0 = origin[0];
    view.y0 = origin[1];
    view.sampling = default_sampling(view.x_scale);
    return view;
}

}  // namespace tessera::core
