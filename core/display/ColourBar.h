// Colour bars: for every visible channel, its colormap from its lower to its upper limit (with
// its gamma), labelled with the channel's name and the limits in data units. The same bars, at
// the same place, are drawn in the window's view (ImGui), into a saved view and into `render
// --colorbar`'s output (draw_colour_bars): a box in the bottom-left corner, one row per channel.
#pragma once

#include <array>
#include <optional>
#include <string>
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

}  // namespace tessera::core
