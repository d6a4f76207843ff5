#include "app/ui/VectorOverlay.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <imgui.h>

namespace tessera::app {
namespace {

ImU32 colour_of(const core::ipc::VgColour& c) {
    return ImGui::ColorConvertFloat4ToU32(ImVec4(c[0], c[1], c[2], c[3]));
}

}  // namespace

void draw_vector_overlay(const ImageDocument& document, const UiState& ui) {
    if (document.vector_shapes.empty()) {
        return;
    }
    const core::Spaces spaces = ui.spaces();
    const auto origin = spaces.window_from_image(document.view, 0, 0);
    const auto unit = spaces.window_from_image(document.view, 1, 0);
    const auto scale = static_cast<float>(unit[0] - origin[0]);  // window pixels per image pixel
    const auto to_window = [&](const core::ipc::VgPoint& p) {
        return ImVec2(static_cast<float>(origin[0]) + p[0] * scale,
                      static_cast<float>(origin[1]) + p[1] * scale);
    };
    ImDrawList* draw = ImGui::GetBackgroundDrawList();
    draw->PushClipRect(
        ImVec2(ui.viewport.x, ui.viewport.y),
        ImVec2(ui.viewport.x + ui.viewport.width, ui.viewport.y + ui.viewport.height));
    std::vector<ImVec2> points;
    for (const core::ipc::VgShape& shape : document.vector_shapes) {
        const ImU32 colour = colour_of(shape.colour);
        const float size = shape.screen ? shape.size : shape.size * scale;
        if (!std::isfinite(size)) {
            continue;  // a client's NaN or infinity: nothing sensible to draw
        }
        if (shape.kind == core::ipc::VgShape::Kind::Text) {
            const float font_size = std::clamp(size, 1.0f, 512.0f);
            ImVec2 at = to_window(shape.at);
            if (!std::isfinite(at.x) || !std::isfinite(at.y)) {
                continue;
            }
            const ImVec2 extent =
                ImGui::GetFont()->CalcTextSizeA(font_size, 1e9f, 0.0f, shape.text.c_str());
            if (shape.align & core::ipc::kAlignCenter) {
                at.x -= extent.x / 2;
            } else if (shape.align & core::ipc::kAlignRight) {
                at.x -= extent.x;
            }
            if (shape.align & core::ipc::kAlignMiddle) {
                at.y -= extent.y / 2;
            } else if (shape.align & core::ipc::kAlignBottom) {
                at.y -= extent.y;
            } else if (!(shape.align & core::ipc::kAlignTop)) {
                at.y -= extent.y * 0.8f;  // baseline: about the ascent above the point
            }
            draw->AddText(ImGui::GetFont(), font_size, at, colour, shape.text.c_str());
            continue;
        }
        for (const core::ipc::VgPath& path : shape.paths) {
            points.clear();
            for (const core::ipc::VgPoint& p : path.points) {
                const ImVec2 at = to_window(p);
                if (std::isfinite(at.x) && std::isfinite(at.y)) {
                    points.push_back(at);
                }
            }
            if (points.size() < 2) {
                continue;
            }
            if (shape.kind == core::ipc::VgShape::Kind::Fill) {
                draw->AddConvexPolyFilled(points.data(), static_cast<int>(points.size()), colour);
            } else {
                draw->AddPolyline(points.data(), static_cast<int>(points.size()), colour,
                                  path.closed ? ImDrawFlags_Closed : ImDrawFlags_None,
                                  std::clamp(size, 0.5f, 1000.0f));
            }
        }
    }
    draw->PopClipRect();
}

}  // namespace tessera::app
