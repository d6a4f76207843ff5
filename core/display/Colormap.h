// Colormaps: 18 named 256-entry lookup tables, each also reversed ("viridis_r"). Sampling
// interpolates linearly between neighbouring entries, on the CPU and in the shader alike, so
// that the two agree continuously. Published tables (viridis ... turbo) come from
// ColormapTables.cpp; the ramps, fire, ice and HiLo are built here.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/display/ColormapTables.h"

namespace tessera::core {

struct Colormap {
    std::uint8_t index = 0;  // into colormap_names()
    bool reversed = false;
    bool operator==(const Colormap&) const = default;
};

// Base names in menu order: gray, red, green, blue, cyan, magenta, yellow, viridis, magma,
// inferno, plasma, cividis, turbo, twilight, fire, ice, HiLo, coolwarm.
std::span<const std::string_view> colormap_names();
std::optional<Colormap> parse_colormap(std::string_view name);  // case-insensitive, "_r" suffix
std::string colormap_name(Colormap colormap);
Colormap named_colormap(std::string_view name);  // asserts the name exists

const Lut& colormap_table(std::size_t index);

// The colour at t (clamped to [0, 1]), interpolated between entries floor(t*255) and the next.
// For a ramp (below) that is the ramp's colour times t, computed as such.
std::array<float, 3> sample_colormap(Colormap colormap, float t);

// A colormap that is a straight ramp from black to one colour (gray, red, green, blue, cyan,
// magenta, yellow): that colour. Its table interpolated is the colour times t, which the GPU
// computes without a table lookup.
std::optional<std::array<float, 3>> colormap_ramp(Colormap colormap);

}  // namespace tessera::core
