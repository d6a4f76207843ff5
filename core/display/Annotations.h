// What is drawn over a view besides the image, in the window (ImGui), into a saved view and into
// `render`'s output (the draw_ functions), at the same places:
// - colour bars: for every visible channel, its colormap from its lower to its upper limit (with
//   its gamma), labelled with the channel's name and the limits in data units; a box in the
//   bottom-left corner, one row per channel (--colorbar);
// - a scale bar: a round physical length (1, 2 or 5 times a power of ten) in the bottom-right
//   corner, when the size of a pixel is known (OME-TIFF, or --pixel-size) (--scalebar).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/display/DisplaySettings.h"
#include "core/image/ImageSource.h"
#include "core/image/RgbaImage.h"

namespace tessera::core {

struct ColourBar {
    std::string name;
    Colormap colormap;
    float gamma = 1;
    double lo = 0;  // data units
    double hi = 1;
    bool integer = false;  // an integer channel: limits are whole codes
};

// The bars of the visible channels (label channels and colour mode's RGB have none: their colours
// are ids, or the image's own).
std::vector<ColourBar> colour_bars(const DisplaySettings& display,
                                   const std::vector<ChannelInfo>& channels);

// The colour at fraction t in [0, 1] of a bar (from lo to hi), as the compositor maps a value
// there for a single visible channel.
std::array<float, 3> colour_bar_colour(const ColourBar& bar, float t);

// A limit as the bar prints it: integers exactly, floats with 4 significant digits.
std::string colour_bar_label(double value, bool integer);

// Where the bars lie in `area` (a view, or a grid cell of one): a box in its bottom-left corner,
// and per bar its gradient with a line of text under it (the limits at its ends, the name in the
// middle). `scale` multiplies every size (framebuffer pixels per window pixel).
struct ColourBarRect {
    int x = 0;
    int y = 0;
    int width = 0;
    int height = 0;
};
struct ColourBarLayout {
    ColourBarRect box;
    std::vector<ColourBarRect> gradients;
    std::vector<std::array<int, 2>> names;  // top-left of each name; limits under the gradient
    int text_height = 0;
};
ColourBarLayout colour_bar_layout(ColourBarRect area, std::size_t bars, float scale = 1);

// Draws the bars into `image` (a view, top row first) at colour_bar_layout's places in `area`
// (the whole image by default); nothing where they do not fit.
void draw_colour_bars(RgbaImage& image, const std::vector<ColourBar>& bars, float scale = 1,
                      std::optional<ColourBarRect> area = std::nullopt);

// A pixel's physical size: a length per pixel and its unit ("µm", "nm", "mm", "m").
struct PhysicalSize {
    double per_pixel = 0;
    std::string unit;
};
// "0.65um", "0.65 µm", "120nm", "2e-3 mm", or a number alone (µm); nullopt when malformed or
// not positive.
std::optional<PhysicalSize> parse_physical_size(std::string_view text);

// The scale bar for `zoom` screen pixels per image pixel: the longest round length that is at
// most `longest` screen pixels (expressed in the largest unit that keeps it at least 1).
struct ScaleBar {
    double length = 0;  // in `unit`
    std::string unit;
    double pixels = 0;  // on screen
    std::string label() const;
};
std::optional<ScaleBar> scale_bar(const PhysicalSize& size, double zoom, double longest = 150);

// Where the scale bar lies in `area`: the box in the bottom-right corner, the bar (its label
// above it).
struct ScaleBarLayout {
    ColourBarRect box;
    ColourBarRect bar;
    std::array<int, 2> label{};  // top-left
};
ScaleBarLayout scale_bar_layout(ColourBarRect area, const ScaleBar& bar, int label_width,
                                float scale = 1);
void draw_scale_bar(RgbaImage& image, const ScaleBar& bar, float scale = 1,
                    std::optional<ColourBarRect> area = std::nullopt);

}  // namespace tessera::core
