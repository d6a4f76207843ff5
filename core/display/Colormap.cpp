#include "core/display/Colormap.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cmath>
#include <vector>

namespace tessera::core {
namespace {

constexpr std::array<std::string_view, 18> kNames{
    "gray",   "red",      "green", "blue",    "cyan",   "magenta",
    "yellow", "viridis",  "magma", "inferno", "plasma", "cividis",
    "turbo",  "twilight", "fire",  "ice",     "HiLo",   "coolwarm"};

constexpr std::size_t kLastRamp = 6;  // gray ... yellow: ramp() tables

Lut ramp(float r, float g, float b) {
    Lut lut{};
    for (std::size_t i = 0; i < 256; ++i) {
        const float t = static_cast<float>(i) / 255.0f;
        lut[i] = {r * t, g * t, b * t};
    }
    return lut;
}

// ImageJ's LutLoader.interpolate(): 32 control points spread over 256 entries, truncated to
// whole 8-bit values, exactly as Fiji shows "Fire" and "Ice".
Lut imagej(const std::array<int, 32>& r, const std::array<int, 32>& g,
           const std::array<int, 32>& b) {
    Lut lut{};
    const double scale = 32.0 / 256.0;
    for (std::size_t i = 0; i < 256; ++i) {
        const auto i1 = static_cast<std::size_t>(static_cast<double>(i) * scale);
        const std::size_t i2 = std::min<std::size_t>(i1 + 1, 31);
        const double fraction = static_cast<double>(i) * scale - static_cast<double>(i1);
        const auto channel = [&](const std::array<int, 32>& points) {
            const int v = static_cast<int>((1.0 - fraction) * points[i1] + fraction * points[i2]);
            return static_cast<float>(v) / 255.0f;
        };
        lut[i] = {channel(r), channel(g), channel(b)};
    }
    return lut;
}

std::vector<Lut> build_tables() {
    std::vector<Lut> luts;
    luts.push_back(ramp(1, 1, 1));
    luts.push_back(ramp(1, 0, 0));
    luts.push_back(ramp(0, 1, 0));
    luts.push_back(ramp(0, 0, 1));
    luts.push_back(ramp(0, 1, 1));
    luts.push_back(ramp(1, 0, 1));
    luts.push_back(ramp(1, 1, 0));
    luts.push_back(tables::kViridis);
    luts.push_back(tables::kMagma);
    luts.push_back(tables::kInferno);
    luts.push_back(tables::kPlasma);
    luts.push_back(tables::kCividis);
    luts.push_back(tables::kTurbo);
    luts.push_back(tables::kTwilight);
    // Fire and Ice: ImageJ's ij/plugin/LutLoader.java control points.
    luts.push_back(
        imagej({0,   0,   1,   25,  49,  73,  98,  122, 146, 162, 173, 184, 195, 207, 217, 229,
                240, 252, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255},
               {0,  0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   14,  35,  57,
                79, 101, 117, 133, 147, 161, 175, 190, 205, 219, 234, 248, 255, 255, 255, 255},
               {0, 61, 96, 130, 165, 192, 220, 227, 210, 181, 151, 122, 93, 64,  35,  5,
                0, 0,  0,  0,   0,   0,   0,   0,   0,   0,   0,   35,  98, 160, 223, 255}));
    luts.push_back(
        imagej({0,   0,   0,   0,   0,   0,   19,  29,  50,  48,  79,  112, 134, 158, 186, 201,
                217, 229, 242, 250, 250, 250, 250, 251, 250, 250, 250, 250, 251, 251, 243, 230},
               {156, 165, 176, 184, 190, 196, 193, 184, 171, 162, 146, 125, 107, 93, 81, 87,
                92,  97,  95,  93,  93,  90,  85,  69,  64,  54,  47,  35,  19,  0,  4,  0},
               {140, 147, 158, 166, 170, 176, 209, 220, 234, 225, 236, 246, 250, 251, 250, 250,
                245, 230, 230, 222, 202, 180, 163, 142, 123, 114, 106, 94,  84,  64,  26,  27}));
    // HiLo (ImageJ): a gray ramp whose lowest entry is blue and highest red, so that values at
    // or below the low limit and at or above the high limit stand out.
    Lut hilo = ramp(1, 1, 1);
    hilo[0] = {0, 0, 1};
    hilo[255] = {1, 0, 0};
    luts.push_back(hilo);
    luts.push_back(tables::kCoolwarm);
    assert(luts.size() == kNames.size());
    return luts;
}

const std::vector<Lut>& all_tables() {
    static const std::vector<Lut> luts = build_tables();
    return luts;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

std::span<const std::string_view> colormap_names() {
    return kNames;
}

std::optional<Colormap> parse_colormap(std::string_view name) {
    Colormap colormap;
    if (name.size() > 2 && name.ends_with("_r")) {
        colormap.reversed = true;
        name.remove_suffix(2);
    }
    for (std::size_t i = 0; i < kNames.size(); ++i) {
        if (equal_ignoring_case(name, kNames[i])) {
            colormap.index = static_cast<std::uint8_t>(i);
            return colormap;
        }
    }
    return std::nullopt;
}

std::string colormap_name(Colormap colormap) {
    return std::string(kNames[colormap.index]) + (colormap.reversed ? "_r" : "");
}

Colormap named_colormap(std::string_view name) {
    const auto colormap = parse_colormap(name);
    assert(colormap && "unknown colormap name");
    return colormap.value_or(Colormap{});
}

const Lut& colormap_table(std::size_t index) {
    return all_tables()[index];
}

std::optional<std::array<float, 3>> colormap_ramp(Colormap colormap) {
    if (colormap.index > kLastRamp) {
        return std::nullopt;
    }
    return colormap_table(colormap.index)[255];
}

std::array<float, 3> sample_colormap(Colormap colormap, float t) {
    t = std::clamp(t, 0.0f, 1.0f);
    if (colormap.reversed) {
        t = 1.0f - t;
    }
    if (const auto ramp = colormap_ramp(colormap)) {
        return {(*ramp)[0] * t, (*ramp)[1] * t, (*ramp)[2] * t};
    }
    const Lut& lut = colormap_table(colormap.index);
    const float x = t * 255.0f;
    const float below = std::min(std::floor(x), 254.0f);
    const float f = x - below;
    const auto i = static_cast<std::size_t>(below);
    std::array<float, 3> colour{};
    for (std::size_t k = 0; k < 3; ++k) {
        colour[k] = lut[i][k] * (1.0f - f) + lut[i + 1][k] * f;  // GLSL mix()
    }
    return colour;
}

}  // namespace tessera::core
