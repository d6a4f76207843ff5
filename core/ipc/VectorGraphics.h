// VectorGraphics: tev's drawing commands (VectorGraphics packets, a subset of nanovg's API)
// turned into shapes a renderer can draw: polylines in image coordinates, flattened (curves and
// arcs become short segments), each with its colour and width, and text runs. Drawing state
// follows nanovg: Save/Restore a style stack (an unbalanced Restore is ignored), BeginPath
// starts a new path that Fill and Stroke draw as often as they are called.
#pragma once

#include <array>
#include <span>
#include <string>
#include <vector>

#include "core/ipc/IpcPacket.h"

namespace tessera::core::ipc {

using VgPoint = std::array<float, 2>;
using VgColour = std::array<float, 4>;  // straight RGBA, 0..1

struct VgPath {
    std::vector<VgPoint> points;
    bool closed = false;
};

// nanovg's text alignment bits.
enum VgAlign : int {
    kAlignLeft = 1,
    kAlignCenter = 2,
    kAlignRight = 4,
    kAlignTop = 8,
    kAlignMiddle = 16,
    kAlignBottom = 32,
    kAlignBaseline = 64,
};

struct VgShape {
    enum class Kind { Fill, Stroke, Text };
    Kind kind = Kind::Stroke;
    std::vector<VgPath> paths;  // Fill and Stroke
    VgColour colour{1, 1, 1, 1};
    // Stroke width or font size: in image pixels (scaled with the zoom) unless `screen` says
    // screen pixels (tev's "absolute").
    float size = 3;
    bool screen = true;
    std::string text;  // Text
    VgPoint at{0, 0};  // Text
    int align = kAlignLeft | kAlignBaseline;
};

std::vector<VgShape> interpret(std::span<const VgCommand> commands);

}  // namespace tessera::core::ipc
