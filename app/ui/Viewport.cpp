#include "app/ui/Viewport.h"

#include <cmath>

#include <fmt/format.h>

#include "app/ui/VectorOverlay.h"

namespace tessera::app {

void handle_viewport_input(ImageDocument* document, UiState& ui, const ImGuiIO& io) {
    ui.pointer_image.reset();
    if (document == nullptr || document->state != DocumentState::Ready) {
        return;
    }
    // The pointer is in window pixels; the view works in output (framebuffer) pixels.
    const core::Spaces spaces = ui.spaces();
    const bool inside = ui.viewport.contains(io.MousePos.x, io.MousePos.y);
    if (inside && !io.WantCaptureMouse) {
        ui.pointer_image = spaces.image_from_window(document->view, io.MousePos.x, io.MousePos.y);
        if (io.MouseWheel != 0.0f && io.KeyCtrl) {
            document->dims.step(io.MouseWheel > 0.0f ? 1 : -1);  // slices, not zoom
        } else if (io.MouseWheel != 0.0f) {
            const auto [x, y] = spaces.output_from_window(io.MousePos.x, io.MousePos.y);
            document->view.zoom_steps(io.MouseWheel, x, y);
        }
    }
    // A drag that starts on the image pans it, wherever the pointer goes afterwards.
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
        ui.dragging = inside && !io.WantCaptureMouse;
    }
    if (!ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
        ui.dragging = false;
    }
    if (ui.dragging && (io.MouseDelta.x != 0.0f || io.MouseDelta.y != 0.0f)) {
        document->view.pan_by(spaces.output_length(io.MouseDelta.x),
                              spaces.output_length(io.MouseDelta.y));
    }
}

namespace {

void notice(const UiState& ui, const std::string& text, ImU32 colour) {
    ImDrawList* draw = ImGui::GetBackgroundDrawList();
    const ImVec2 size = ImGui::CalcTextSize(text.c_str(), nullptr, false, ui.viewport.width - 40);
    const ImVec2 at(ui.viewport.x + (ui.viewport.width - size.x) / 2,
                    ui.viewport.y + (ui.viewport.height - size.y) / 2);
    draw->AddText(nullptr, 0.0f, at, colour, text.c_str(), nullptr, ui.viewport.width - 40);
}

// Values of the visible pixels of the first visible channels, written into each pixel.
void pixel_labels(const ImageDocument& document, const UiState& ui, std::int64_t x0,
                  std::int64_t y0, std::int64_t x1, std::int64_t y1) {
    const core::ImageSource& source = *document.image().source;
    std::vector<std::size_t> shown;
    for (std::size_t c = 0; c < source.channel_count() && shown.size() < 3; ++c) {
        if (document.display().channels[c].visible) {
            shown.push_back(c);
        }
    }
    const core::Rect rect{x0, y0, x1 - x0, y1 - y0};
    if (rect.area() <= 0 || rect.area() > 4096) {
        return;
    }
    ImDrawList* draw = ImGui::GetBackgroundDrawList();
    const core::Spaces spaces = ui.spaces();
    const double pixel = document.view.zoom() / spaces.framebuffer_scale();  // in window pixels
    for (std::size_t k = 0; k < shown.size(); ++k) {
        const std::size_t c = shown[k];
        const core::SampleType type = source.channels()[c].type;
        std::vector<std::byte> raw(source.region_bytes(c, rect));
        if (!source.read_region({c, document.dims.position()}, rect, raw).ok()) {
            continue;
        }
        for (std::int64_t y = y0; y < y1; ++y) {
            for (std::int64_t x = x0; x < x1; ++x) {
                const auto i = static_cast<std::size_t>((y - y0) * rect.width + (x - x0));
                const float v =
                    core::sample_as_float(raw.data() + i * core::sample_size(type), type);
                const auto corner = spaces.window_from_image(document.view, static_cast<double>(x),
                                                             static_cast<double>(y));
                const std::string text = fmt::format("{:.4g}", v);
                const ImVec2 size = ImGui::CalcTextSize(text.c_str());
                const float px = static_cast<float>(corner[0] + pixel / 2) - size.x / 2;
                const float py =
                    static_cast<float>(corner[1] + pixel / 2) +
                    (static_cast<float>(k) - static_cast<float>(shown.size() - 1) / 2.0f) * size.y -
                    size.y / 2;
                draw->AddText(ImVec2(px + 1, py + 1), IM_COL32(0, 0, 0, 220), text.c_str());
                draw->AddText(ImVec2(px, py), IM_COL32(255, 255, 255, 255), text.c_str());
            }
        }
    }
}

}  // namespace

void draw_viewport_overlay(Session& session, const UiState& ui) {
    const ImageDocument* document = session.current();
    if (document == nullptr) {
        notice(ui, "No image. Open one with Ctrl+O or drop a file here.",
               IM_COL32(200, 200, 200, 255));
        return;
    }
    if (document->state == DocumentState::Loading) {
        notice(ui, fmt::format("Loading {} ...", document->title), IM_COL32(200, 200, 200, 255));
        return;
    }
    if (document->state == DocumentState::Failed) {
        notice(ui, document->error, IM_COL32(255, 120, 110, 255));
        return;
    }
    draw_vector_overlay(*document, ui);
    const double zoom = document->view.zoom();
    if (zoom < kGridZoom) {
        return;
    }
    const core::ImageSource& source = *document->image().source;
    const core::Spaces spaces = ui.spaces();
    const auto first = spaces.image_from_window(document->view, ui.viewport.x, ui.viewport.y);
    const auto last = spaces.image_from_window(document->view, ui.viewport.x + ui.viewport.width,
                                               ui.viewport.y + ui.viewport.height);
    const auto x0 = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor(first[0])));
    const auto y0 = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor(first[1])));
    const auto x1 =
        std::min<std::int64_t>(source.width(), static_cast<std::int64_t>(std::ceil(last[0])));
    const auto y1 =
        std::min<std::int64_t>(source.height(), static_cast<std::int64_t>(std::ceil(last[1])));
    ImDrawList* draw = ImGui::GetBackgroundDrawList();
    draw->PushClipRect(
        ImVec2(ui.viewport.x, ui.viewport.y),
        ImVec2(ui.viewport.x + ui.viewport.width, ui.viewport.y + ui.viewport.height));
    const ImU32 line = IM_COL32(128, 128, 128, 90);
    const auto window_point = [&](std::int64_t x, std::int64_t y) {
        const auto p = spaces.window_from_image(document->view, static_cast<double>(x),
                                                static_cast<double>(y));
        return ImVec2(static_cast<float>(p[0]), static_cast<float>(p[1]));
    };
    for (std::int64_t x = x0; x <= x1; ++x) {
        draw->AddLine(window_point(x, y0), window_point(x, y1), line);
    }
    for (std::int64_t y = y0; y <= y1; ++y) {
        draw->AddLine(window_point(x0, y), window_point(x1, y), line);
    }
    if (zoom >= kLabelZoom) {
        pixel_labels(*document, ui, x0, y0, x1, y1);
    }
    draw->PopClipRect();
}

}  // namespace tessera::app
