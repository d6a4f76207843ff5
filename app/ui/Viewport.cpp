#include "app/ui/Viewport.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "app/ui/VectorOverlay.h"
#include "core/view/Grid.h"

namespace tessera::app {

namespace {

void select_label(ImageDocument& document, const std::array<double, 2>& point) {
    const core::ImageSource& source = *document.image().source;
    const auto pixel = document.pixel_from_view(point[0], point[1]);
    const auto x = static_cast<std::int64_t>(std::floor(pixel[0]));
    const auto y = static_cast<std::int64_t>(std::floor(pixel[1]));
    if (x < 0 || y < 0 || x >= source.width() || y >= source.height()) {
        return;
    }
    for (std::size_t c = 0; c < source.channel_count(); ++c) {
        if (!source.channels()[c].labels || !document.display().channels[c].visible) {
            continue;
        }
        std::array<std::byte, 4> raw{};
        if (!source.read_region({c, document.dims.position()}, {x, y, 1, 1}, raw).ok()) {
            return;
        }
        const auto id =
            static_cast<std::int64_t>(core::sample_as_float(raw.data(), source.channels()[c].type));
        core::LabelStyle& style = document.display().labels;
        style.selected = id == 0 || id == style.selected ? -1 : id;
        return;
    }
}

}  // namespace

void handle_viewport_input(Session& session, UiState& ui, const ImGuiIO& io) {
    ui.pointer_image.reset();
    ui.hovered_cell = -1;
    // Grid: the cell under the pointer is the viewport, and pointing into it (a click, the
    // wheel, a drag) makes its image the current one.
    std::optional<core::Spaces> cell_spaces;
    bool inside_cell = false;
    if (!ui.cells.empty()) {
        const int cell = core::cell_at(ui.cells, io.MousePos.x, io.MousePos.y);
        const bool acts = ImGui::IsMouseClicked(ImGuiMouseButton_Left) || io.MouseWheel != 0.0f;
        if (cell >= 0 && !io.WantCaptureMouse) {
            ui.hovered_cell = cell;
            const std::size_t index = ui.cell_documents[static_cast<std::size_t>(cell)];
            if (acts && index != session.current_index()) {
                session.select(index);
            }
            if (index == session.current_index()) {
                cell_spaces = ui.cell_spaces(static_cast<std::size_t>(cell));
                inside_cell = true;
            }
        }
    }
    ImageDocument* document = session.current();
    if (document == nullptr || document->state != DocumentState::Ready) {
        return;
    }
    if (!ui.cells.empty() && !cell_spaces) {
        // The current image's cell drives the drag even when the pointer has left it.
        for (std::size_t c = 0; c < ui.cells.size(); ++c) {
            if (ui.cell_documents[c] == session.current_index()) {
                cell_spaces = ui.cell_spaces(c);
            }
        }
    }
    // The pointer is in window pixels; the view works in output (framebuffer) pixels.
    const core::Spaces spaces = cell_spaces.value_or(ui.spaces());
    const bool inside =
        ui.cells.empty() ? ui.viewport.contains(io.MousePos.x, io.MousePos.y) : inside_cell;
    if (inside && !io.WantCaptureMouse) {
        ui.pointer_image = spaces.image_from_window(document->view, io.MousePos.x, io.MousePos.y);
        if (io.MouseWheel != 0.0f && io.KeyCtrl) {
            document->dims.step(io.MouseWheel > 0.0f ? 1 : -1);  // slices, not zoom
        } else if (io.MouseWheel != 0.0f) {
            const auto [x, y] = spaces.output_from_window(io.MousePos.x, io.MousePos.y);
            document->view.zoom_steps(io.MouseWheel, x, y);
        }
    }
    // Wipe: a drag that starts on the divider moves it (and does not pan).
    const auto& comparison = session.comparison();
    if (comparison && comparison->wipe && ui.cells.empty() && session.comparing(*document)) {
        const double divider = ui.viewport.x + comparison->wipe_at * ui.viewport.width;
        if (ImGui::IsMouseClicked(ImGuiMouseButton_Left) && inside && !io.WantCaptureMouse &&
            std::abs(io.MousePos.x - divider) <= kWipeGrab) {
            ui.dragging_wipe = true;
        }
    }
    if (!ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
        ui.dragging_wipe = false;
    }
    if (ui.dragging_wipe) {
        session.set_wipe_at((io.MousePos.x - ui.viewport.x) / std::max(1.0f, ui.viewport.width));
        ui.dragging = false;
        return;
    }
    // A drag that starts on the image pans it, wherever the pointer goes afterwards.
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
        ui.dragging = inside && !io.WantCaptureMouse;
    }
    // A click (no drag) on a label selects it; on the background or the selected one, none.
    if (ImGui::IsMouseReleased(ImGuiMouseButton_Left) && ui.dragging &&
        io.MouseDragMaxDistanceSqr[0] < 9.0f && ui.pointer_image) {
        select_label(*document, *ui.pointer_image);
    }
    if (!ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
        ui.dragging = false;
    }
    if (ui.dragging && (io.MouseDelta.x != 0.0f || io.MouseDelta.y != 0.0f)) {
        document->view.pan_by(spaces.output_length(io.MouseDelta.x),
                              spaces.output_length(io.MouseDelta.y));
    }
    if (ui.hovered_cell >= 0) {  // the image point under the pointer, whichever cell it is in
        const auto cell = static_cast<std::size_t>(ui.hovered_cell);
        ui.pointer_image = ui.cell_spaces(cell).image_from_window(
            session.documents()[ui.cell_documents[cell]]->view, io.MousePos.x, io.MousePos.y);
    }
}

void link_grid_views(Session& session, const UiState& ui) {
    const ImageDocument* leader = session.current();
    if (!ui.grid_linked || ui.cells.empty() || leader == nullptr ||
        leader->state != DocumentState::Ready) {
        return;
    }
    for (const std::size_t index : ui.cell_documents) {
        if (index != session.current_index()) {
            core::follow(session.documents()[index]->view, leader->view);
        }
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
        // Each channel's values in its colour (the bright end of its colormap), so that three
        // values in one pixel say which is which; white when that is too dark to read.
        const auto top = core::sample_colormap(document.display().channels[c].colormap, 1.0f);
        const bool dark = top[0] * 0.3f + top[1] * 0.59f + top[2] * 0.11f < 0.35f;
        const ImU32 colour =
            dark || shown.size() == 1
                ? IM_COL32(255, 255, 255, 255)
                : IM_COL32(static_cast<int>(top[0] * 255), static_cast<int>(top[1] * 255),
                           static_cast<int>(top[2] * 255), 255);
        std::vector<std::byte> raw(source.region_bytes(c, rect));
        if (!source.read_region({c, document.dims.position()}, rect, raw).ok()) {
            continue;
        }
        for (std::int64_t y = y0; y < y1; ++y) {
            for (std::int64_t x = x0; x < x1; ++x) {
                const auto i = static_cast<std::size_t>((y - y0) * rect.width + (x - x0));
                const float v =
                    core::sample_as_float(raw.data() + i * core::sample_size(type), type);
                const auto at =
                    document.view_from_pixel(static_cast<double>(x), static_cast<double>(y));
                const auto corner = spaces.window_from_image(document.view, at[0], at[1]);
                // Integers exactly, floats with enough digits; labels by their id.
                const std::string text =
                    core::is_float(type) ? fmt::format("{:.6g}", v) : fmt::format("{:.0f}", v);
                const ImVec2 size = ImGui::CalcTextSize(text.c_str());
                const float px = static_cast<float>(corner[0] + pixel / 2) - size.x / 2;
                const float py =
                    static_cast<float>(corner[1] + pixel / 2) +
                    (static_cast<float>(k) - static_cast<float>(shown.size() - 1) / 2.0f) * size.y -
                    size.y / 2;
                draw->AddText(ImVec2(px + 1, py + 1), IM_COL32(0, 0, 0, 220), text.c_str());
                draw->AddText(ImVec2(px, py), colour, text.c_str());
            }
        }
    }
}

}  // namespace

namespace {

// What is drawn over one image's viewport (the viewport, or a grid cell in ui.viewport).
void draw_document_overlay(const ImageDocument* document, const UiState& ui) {
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
    // In the image's own pixels (placed in the view by its display window, if any).
    const auto top_left = spaces.image_from_window(document->view, ui.viewport.x, ui.viewport.y);
    const auto bottom_right = spaces.image_from_window(
        document->view, ui.viewport.x + ui.viewport.width, ui.viewport.y + ui.viewport.height);
    const auto first = document->pixel_from_view(top_left[0], top_left[1]);
    const auto last = document->pixel_from_view(bottom_right[0], bottom_right[1]);
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
        const auto at = document->view_from_pixel(static_cast<double>(x), static_cast<double>(y));
        const auto p = spaces.window_from_image(document->view, at[0], at[1]);
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

}  // namespace

std::vector<ShownAnnotations> shown_annotations(Session& session, const UiState& ui) {
    std::vector<ShownAnnotations> shown;
    if (!ui.show_colorbar && !ui.show_scalebar) {
        return shown;
    }
    const auto add = [&](ImageDocument* document, core::WindowRect rect) {
        if (document == nullptr || document->state != DocumentState::Ready) {
            return;
        }
        ShownAnnotations annotations{rect, {}, std::nullopt};
        if (ui.show_colorbar && !session.comparing(*document)) {
            annotations.bars =
                core::colour_bars(document->display(), document->image().source->channels());
        }
        if (const auto size = session.physical_size(*document); ui.show_scalebar && size) {
            annotations.scale =
                core::scale_bar(*size, document->view.zoom() * document->placement().scale);
        }
        shown.push_back(std::move(annotations));
    };
    if (ui.cells.empty()) {
        add(session.current(),
            {ui.viewport.x, ui.viewport.y, ui.viewport.width, ui.viewport.height});
    }
    for (std::size_t i = 0; i < ui.cells.size(); ++i) {
        add(session.documents()[ui.cell_documents[i]].get(), ui.cells[i]);
    }
    return shown;
}

namespace {

// The same boxes, gradients and labels as core::draw_colour_bars, in ImGui.
void draw_colour_bar_overlay(Session& session, const UiState& ui) {
    ImDrawList* draw = ImGui::GetBackgroundDrawList();
    for (const ShownAnnotations& shown : shown_annotations(session, ui)) {
        if (shown.scale) {  // the bar, its label above it, over a darkened box
            const std::string label = shown.scale->label();
            const core::ScaleBarLayout layout = core::scale_bar_layout(
                {static_cast<int>(shown.rect.x), static_cast<int>(shown.rect.y),
                 static_cast<int>(shown.rect.width), static_cast<int>(shown.rect.height)},
                *shown.scale, static_cast<int>(ImGui::CalcTextSize(label.c_str()).x));
            if (layout.box.x >= shown.rect.x && layout.box.y >= shown.rect.y) {
                const auto corner = [](int x, int y) {
                    return ImVec2(static_cast<float>(x), static_cast<float>(y));
                };
                draw->AddRectFilled(
                    corner(layout.box.x, layout.box.y),
                    corner(layout.box.x + layout.box.width, layout.box.y + layout.box.height),
                    IM_COL32(0, 0, 0, 153));
                draw->AddRectFilled(
                    corner(layout.bar.x, layout.bar.y),
                    corner(layout.bar.x + layout.bar.width, layout.bar.y + layout.bar.height),
                    IM_COL32(255, 255, 255, 255));
                draw->AddText(corner(layout.label[0], layout.label[1] - 1),
                              IM_COL32(255, 255, 255, 255), label.c_str());
            }
        }
        const core::ColourBarLayout layout = core::colour_bar_layout(
            {static_cast<int>(shown.rect.x), static_cast<int>(shown.rect.y),
             static_cast<int>(shown.rect.width), static_cast<int>(shown.rect.height)},
            shown.bars.size());
        const core::ColourBarRect& box = layout.box;
        if (shown.bars.empty() || box.width <= 0 || box.y < shown.rect.y) {
            continue;
        }
        draw->AddRectFilled(ImVec2(box.x, box.y), ImVec2(box.x + box.width, box.y + box.height),
                            IM_COL32(0, 0, 0, 153));
        for (std::size_t i = 0; i < shown.bars.size(); ++i) {
            const core::ColourBar& bar = shown.bars[i];
            const core::ColourBarRect& g = layout.gradients[i];
            constexpr int kSteps = 64;
            const auto colour = [&](int step) {
                const auto rgb = core::colour_bar_colour(bar, static_cast<float>(step) / kSteps);
                return ImGui::ColorConvertFloat4ToU32(ImVec4(rgb[0], rgb[1], rgb[2], 1.0f));
            };
            for (int s = 0; s < kSteps; ++s) {
                const float x0 = static_cast<float>(g.x) + static_cast<float>(g.width * s) / kSteps;
                const float x1 =
                    static_cast<float>(g.x) + static_cast<float>(g.width * (s + 1)) / kSteps;
                draw->AddRectFilledMultiColor(ImVec2(x0, static_cast<float>(g.y)),
                                              ImVec2(x1, static_cast<float>(g.y + g.height)),
                                              colour(s), colour(s + 1), colour(s + 1), colour(s));
            }
            const float y = static_cast<float>(layout.names[i][1]) - 1;
            const std::string lo = core::colour_bar_label(bar.lo, bar.integer);
            const std::string hi = core::colour_bar_label(bar.hi, bar.integer);
            const ImU32 white = IM_COL32(255, 255, 255, 255);
            draw->AddText(ImVec2(static_cast<float>(g.x), y), white, lo.c_str());
            draw->AddText(
                ImVec2(static_cast<float>(g.x + g.width) - ImGui::CalcTextSize(hi.c_str()).x, y),
                white, hi.c_str());
            draw->AddText(
                ImVec2(
                    static_cast<float>(g.x) +
                        (static_cast<float>(g.width) - ImGui::CalcTextSize(bar.name.c_str()).x) / 2,
                    y),
                white, bar.name.c_str());
        }
    }
}

}  // namespace

void draw_viewport_overlay(Session& session, const UiState& ui) {
    draw_colour_bar_overlay(session, ui);
    if (ui.cells.empty()) {
        draw_document_overlay(session.current(), ui);
        const auto& comparison = session.comparison();
        ImageDocument* document = session.current();
        if (document != nullptr && comparison && comparison->wipe && session.comparing(*document)) {
            // The divider, its handle, and which side is which.
            ImDrawList* draw = ImGui::GetBackgroundDrawList();
            const float x =
                ui.viewport.x + static_cast<float>(comparison->wipe_at) * ui.viewport.width;
            const float top = ui.viewport.y;
            const float bottom = ui.viewport.y + ui.viewport.height;
            draw->AddLine(ImVec2(x, top), ImVec2(x, bottom), IM_COL32(0, 0, 0, 200), 3.0f);
            draw->AddLine(ImVec2(x, top), ImVec2(x, bottom), IM_COL32(255, 255, 255, 230), 1.0f);
            const float middle = (top + bottom) / 2;
            draw->AddRectFilled(ImVec2(x - 5, middle - 18), ImVec2(x + 5, middle + 18),
                                IM_COL32(230, 230, 230, 230), 3.0f);
            const std::string left = document->title;
            const std::string right = comparison->title + " (reference)";
            const ImVec2 size = ImGui::CalcTextSize(right.c_str());
            draw->AddText(ImVec2(x - ImGui::CalcTextSize(left.c_str()).x - 10, top + 6),
                          IM_COL32(240, 240, 240, 255), left.c_str());
            draw->AddText(
                ImVec2(std::min(x + 10, ui.viewport.x + ui.viewport.width - size.x), top + 6),
                IM_COL32(240, 240, 240, 255), right.c_str());
        }
        return;
    }
    ImDrawList* draw = ImGui::GetBackgroundDrawList();
    // Pointing at a block image (Analysis): the pixels its value under the pointer comes from,
    // outlined on its inputs wherever they are shown.
    core::Rect footprint;
    std::vector<const core::ImageSource*> inputs;
    if (ui.pointer_image && ui.hovered_cell >= 0) {
        const ImageDocument& hovered =
            *session.documents()[ui.cell_documents[static_cast<std::size_t>(ui.hovered_cell)]];
        if (const auto block =
                std::dynamic_pointer_cast<const core::derive::BlockImage>(hovered.derived)) {
            const auto p = hovered.pixel_from_view((*ui.pointer_image)[0], (*ui.pointer_image)[1]);
            footprint = block->footprint(static_cast<std::int64_t>(std::floor(p[0])),
                                         static_cast<std::int64_t>(std::floor(p[1])));
            for (const core::derive::DeriveInput& input : block->inputs()) {
                inputs.push_back(input.source.get());
            }
        }
    }
    for (std::size_t c = 0; c < ui.cells.size(); ++c) {
        const ImageDocument& document = *session.documents()[ui.cell_documents[c]];
        UiState cell = ui;
        const core::WindowRect& r = ui.cells[c];
        cell.viewport = {static_cast<float>(r.x), static_cast<float>(r.y),
                         static_cast<float>(r.width), static_cast<float>(r.height)};
        draw_document_overlay(&document, cell);
        const ImVec2 lo(cell.viewport.x, cell.viewport.y);
        const ImVec2 hi(lo.x + cell.viewport.width, lo.y + cell.viewport.height);
        draw->PushClipRect(lo, hi);
        // The image's name, and the pointer's image point mirrored into every other cell.
        draw->AddText(ImVec2(lo.x + 7, lo.y + 5), IM_COL32(0, 0, 0, 200), document.title.c_str());
        draw->AddText(ImVec2(lo.x + 6, lo.y + 4), IM_COL32(230, 230, 230, 255),
                      document.title.c_str());
        if (!footprint.empty() && std::find(inputs.begin(), inputs.end(),
                                            document.image().source.get()) != inputs.end()) {
            const core::Spaces spaces = ui.cell_spaces(c);
            const auto a = document.view_from_pixel(static_cast<double>(footprint.x),
                                                    static_cast<double>(footprint.y));
            const auto b =
                document.view_from_pixel(static_cast<double>(footprint.x + footprint.width),
                                         static_cast<double>(footprint.y + footprint.height));
            const auto wa = spaces.window_from_image(document.view, a[0], a[1]);
            const auto wb = spaces.window_from_image(document.view, b[0], b[1]);
            const ImVec2 from(static_cast<float>(wa[0]), static_cast<float>(wa[1]));
            const ImVec2 to(static_cast<float>(wb[0]), static_cast<float>(wb[1]));
            draw->AddRect(ImVec2(from.x - 1, from.y - 1), ImVec2(to.x + 1, to.y + 1),
                          IM_COL32(0, 0, 0, 220), 0.0f, 0, 3.0f);
            draw->AddRect(from, to, IM_COL32(255, 220, 60, 255), 0.0f, 0, 1.5f);
        }
        if (ui.pointer_image && static_cast<int>(c) != ui.hovered_cell) {
            const auto p = ui.cell_spaces(c).window_from_image(
                document.view, (*ui.pointer_image)[0], (*ui.pointer_image)[1]);
            const ImVec2 at(static_cast<float>(p[0]), static_cast<float>(p[1]));
            for (const ImU32 colour : {IM_COL32(0, 0, 0, 200), IM_COL32(255, 255, 255, 230)}) {
                const float w = colour == IM_COL32(0, 0, 0, 200) ? 3.0f : 1.0f;
                draw->AddLine(ImVec2(at.x - 8, at.y), ImVec2(at.x + 8, at.y), colour, w);
                draw->AddLine(ImVec2(at.x, at.y - 8), ImVec2(at.x, at.y + 8), colour, w);
            }
        }
        draw->PopClipRect();
        if (ui.cell_documents[c] == session.current_index()) {
            draw->AddRect(ImVec2(lo.x - 1, lo.y - 1), ImVec2(hi.x + 1, hi.y + 1),
                          IM_COL32(90, 150, 250, 255));
        }
    }
}

}  // namespace tessera::app
