// The built-in demo: a deterministic, fluorescence-microscopy-like image generated in memory,
// so `tessera` with no file shows something representative of what users open.
#pragma once

#include <memory>

#include "core/image/PlanarImage.h"

namespace tessera::assets {

// Three 16-bit channels, "DAPI" (nuclei), "Actin" (cell outlines and fibres) and "Mito"
// (speckles around the nuclei), over a dim noisy background. Same pixels on every call.
std::unique_ptr<core::PlanarImage> make_fluorescence_demo(int width = 768, int height = 512);

}  // namespace tessera::assets
