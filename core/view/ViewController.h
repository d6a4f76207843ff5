// ViewController: the pan and zoom of one image in a viewport, as a user drives them. State is
// the image point at the viewport's centre and the zoom (output pixels per image pixel); every
// operation keeps what users expect fixed: zooming about the cursor keeps the image point under
// it in place; a fitted view stays fitted when the viewport resizes.
#pragma once

#include <array>
#include <cstdint>

#include "core/view/View.h"

namespace tessera::core {

class ViewController {
  public:
    static constexpr double kMinZoom = 1.0 / 4096.0;
    static constexpr double kMaxZoom = 512.0;

    void set_image_size(std::int64_t width, std::int64_t height);
    void set_viewport(int width, int height);  // refits when the view is fitted

    void fit();
    void one_to_one();  // zoom 1 about the viewport's centre
    // Multiplies the zoom, keeping the image point under output point (x, y) where it is.
    void zoom_about(double factor, double output_x, double output_y);
    // Zoom steps of sqrt(2) (positive: in) about output point (x, y).
    void zoom_steps(double steps, double output_x, double output_y);
    void pan_by(double output_dx, double output_dy);  // moves the image with the pointer
    // Centres image point (x, y) at the given zoom (scripted cameras).
    void look_at(double x, double y, double zoom);
    double fit_zoom() const;  // the zoom fit() would choose

    double zoom() const { return m_zoom; }
    bool fitted() const { return m_fitted; }
    std::array<double, 2> centre() const { return {m_centre_x, m_centre_y}; }

    std::array<double, 2> image_from_output(double x, double y) const;
    std::array<double, 2> output_from_image(double x, double y) const;

    // Nearest sampling when magnified (pixels stay crisp), linear otherwise.
    View view() const;

  private:
    std::int64_t m_image_width = 1;
    std::int64_t m_image_height = 1;
    int m_width = 1;
    int m_height = 1;
    double m_centre_x = 0.5;
    double m_centre_y = 0.5;
    double m_zoom = 1.0;
    bool m_fitted = true;
};

}  // namespace tessera::core
