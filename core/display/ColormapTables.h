// Published colormap tables (see ColormapTables.cpp for their sources), 256 RGB entries each.
#pragma once

#include <array>

namespace tessera::core {

using Lut = std::array<std::array<float, 3>, 256>;

namespace tables {
extern const Lut kViridis;
extern const Lut kMagma;
extern const Lut kInferno;
extern const Lut kPlasma;
extern const Lut kCividis;
extern const Lut kTwilight;
extern const Lut kCoolwarm;
extern const Lut kTurbo;
}  // namespace tables

}  // namespace tessera::core
