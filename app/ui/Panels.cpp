#include "app/ui/Panels.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <optional>

#include <GLFW/glfw3.h>
#include <fmt/format.h>
#include <imgui.h>

#include "app/ui/Actions.h"
#include "app/ui/HistogramWidget.h"
#include "app/ui/Shortcuts.h"
#include "core/base/Version.h"
#include "core/display/CpuCompositor.h"
#include "core/image/LabelSource.h"

namespace tessera::app {
namespace {

const ImVec4 kErrorColour(1.0f, 0.45f, 0.4f, 1.0f);

void gradient(ImDrawList* draw, ImVec2 origin, ImVec2 size, core::Colormap colormap) {
    constexpr int kSegments = 24;
    for (int i = 0; i < kSegments; ++i) {
        const auto a = core::sample_colormap(colormap, static_cast<float>(i) / kSegments);
        const auto b = core::sample_colormap(colormap, static_cast<float>(i + 1) / kSegments);
        const ImU32 ca = ImGui::ColorConvertFloat4ToU32(ImVec4(a[0], a[1], a[2], 1));
        const ImU32 cb = ImGui::ColorConvertFloat4ToU32(ImVec4(b[0], b[1], b[2], 1));
        const float x0 = origin.x + size.x * static_cast<float>(i) / kSegments;
        const float x1 = origin.x + size.x * static_cast<float>(i + 1) / kSegments;
        draw->AddRectFilledMultiColor(ImVec2(x0, origin.y), ImVec2(x1, origin.y + size.y), ca, cb,
                                      cb, ca);
    }
}

// A combo whose items show each colormap's gradient; "reversed" is a checkbox inside it.
void colormap_combo(core::Colormap& colormap) {
    ImGui::SetNextItemWidth(120);
    // The pop-up wider than the combo: every name in full beside its gradient.
    ImGui::SetNextWindowSizeConstraints(ImVec2(200, 0), ImVec2(FLT_MAX, 420));
    if (!ImGui::BeginCombo("##colormap", core::colormap_name(colormap).c_str())) {
        return;
    }
    ImGui::Checkbox("reversed", &colormap.reversed);
    const auto names = core::colormap_names();
    for (std::size_t i = 0; i < names.size(); ++i) {
        const core::Colormap option{static_cast<std::uint8_t>(i), colormap.reversed};
        const ImVec2 at = ImGui::GetCursorScreenPos();
        if (ImGui::Selectable(fmt::format("##map{}", i).c_str(), colormap.index == i, 0,
                              ImVec2(0, 16))) {
            colormap = option;
        }
        gradient(ImGui::GetWindowDrawList(), ImVec2(at.x + 2, at.y + 2), ImVec2(70, 12), option);
        ImGui::GetWindowDrawList()->AddText(ImVec2(at.x + 80, at.y),
                                            ImGui::GetColorU32(ImGuiCol_Text),
                                            std::string(names[i]).c_str());
    }
    ImGui::EndCombo();
}

void channel_row(ImageDocument& document, std::size_t c, bool open_by_default) {
    const core::ChannelInfo& info = document.image().source->channels()[c];
    core::ChannelDisplay& display = document.display().channels[c];
    ImGui::PushID(static_cast<int>(c));
    ImGui::Checkbox("##visible", &display.visible);
    if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip(c < 9 ? "show or hide (key %d)" : "show or hide",
                          static_cast<int>(c + 1));
    }
    ImGui::SameLine();
    if (ImGui::SmallButton("S")) {
        solo_channel(document, c);
    }
    if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("solo (Shift+%d); again shows all", static_cast<int>(c + 1));
    }
    ImGui::SameLine();
    const ImVec2 at = ImGui::GetCursorScreenPos();
    gradient(ImGui::GetWindowDrawList(), ImVec2(at.x, at.y + 4), ImVec2(10, 10), display.colormap);
    ImGui::Dummy(ImVec2(12, 0));
    ImGui::SameLine();
    ImGui::SetNextItemOpen(open_by_default, ImGuiCond_Once);
    const bool selected = document.selected_channel == c;
    const bool open = ImGui::TreeNodeEx("##channel", selected ? ImGuiTreeNodeFlags_Selected : 0,
                                        "%s", core::short_channel_name(info.name).c_str());
    if (ImGui::IsItemClicked()) {
        document.selected_channel = c;
    }
    ImGui::SameLine(ImGui::GetContentRegionMax().x - 120);
    colormap_combo(display.colormap);
    if (open) {
        // A stack's histogram is of the slice shown (or the whole stack, as Auto is set).
        const auto* shown = document.auto_statistics();
        const core::ChannelStatistics& s = (shown != nullptr ? *shown : document.statistics())[c];
        const auto top = core::sample_colormap(display.colormap, 1.0f);
        if (histogram_limits("limits", s, display.lo, display.hi, top)) {
            document.selected_channel = c;
        }
        double limits[2] = {display.lo, display.hi};
        ImGui::SetNextItemWidth(-110);
        // Integer data has integer limits: shown, and kept, as whole codes.
        const bool integer = !core::is_float(info.type);
        if (ImGui::InputScalarN("##limits", ImGuiDataType_Double, limits, 2, nullptr, nullptr,
                                integer ? "%.0f" : "%.6g", ImGuiInputTextFlags_EnterReturnsTrue) &&
            limits[0] < limits[1]) {
            if (integer) {
                limits[0] = std::round(limits[0]);
                limits[1] = std::max(limits[0] + 1, std::round(limits[1]));
            }
            display.lo = limits[0];
            display.hi = limits[1];
        }
        ImGui::SameLine();
        if (ImGui::SmallButton("Auto")) {
            auto_contrast(document, c);
        }
        if (ImGui::IsItemHovered()) {
            ImGui::SetTooltip("0.1 and 99.9 percentiles%s", s.exact ? "" : " (of sampled rows)");
        }
        ImGui::SameLine();
        if (ImGui::SmallButton("Full")) {
            full_range(document, c);
        }
        ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f - 4);
        ImGui::SliderFloat("##gamma", &display.gamma, 0.1f, 5.0f, "gamma %.2f",
                           ImGuiSliderFlags_Logarithmic);
        ImGui::SameLine();
        ImGui::SetNextItemWidth(-1);
        ImGui::SliderFloat("##opacity", &display.opacity, 0.0f, 1.0f, "opacity %.2f");
        ImGui::TextDisabled("%s  min %.4g  max %.4g  mean %.4g%s",
                            std::string(core::to_string(info.type)).c_str(), s.min, s.max, s.mean,
                            s.nan + s.pos_inf + s.neg_inf ? "  (non-finite values)" : "");
        ImGui::TreePop();
    }
    ImGui::PopID();
}

void channel_panel(ImageDocument& document) {
    core::DisplaySettings& display = document.display();
    const auto& channels = document.image().source->channels();
    if (display.colour) {
        ImGui::TextDisabled("colour image");
        // Its channels' histograms over one axis, with the exposure's white point.
        std::vector<HistogramChannel> shown;
        for (std::size_t c = 0; c < channels.size(); ++c) {
            if (static_cast<int>(c) == display.alpha_channel || !display.channels[c].visible ||
                c >= document.statistics().size()) {
                continue;
            }
            const std::string name = core::short_channel_name(channels[c].name);
            const std::array<float, 3> colour = name == "R"   ? std::array{1.0f, 0.25f, 0.25f}
                                                : name == "G" ? std::array{0.3f, 1.0f, 0.3f}
                                                : name == "B" ? std::array{0.35f, 0.5f, 1.0f}
                                                              : std::array{0.8f, 0.8f, 0.8f};
            shown.push_back({&document.statistics()[c], colour});
        }
        if (!shown.empty()) {
            const core::ChannelDisplay& first = display.channels.front();
            colour_histogram("colour", shown, first.lo, first.hi, display.exposure, display.offset,
                             display.srgb_input);
        }
        ImGui::SliderFloat("exposure", &display.exposure, -10.0f, 10.0f, "%+.2f EV");
        ImGui::SliderFloat("offset", &display.offset, -0.5f, 0.5f, "%+.3f");
        // One gamma for the colour channels (applied before the sRGB output encoding).
        float gamma = display.channels.empty() ? 1.0f : display.channels.front().gamma;
        if (ImGui::SliderFloat("gamma", &gamma, 0.1f, 5.0f, "%.2f", ImGuiSliderFlags_Logarithmic)) {
            for (std::size_t c = 0; c < channels.size(); ++c) {
                if (static_cast<int>(c) != display.alpha_channel) {
                    display.channels[c].gamma = gamma;
                }
            }
        }
        for (std::size_t c = 0; c < channels.size(); ++c) {
            if (c > 0) {
                ImGui::SameLine();
            }
            ImGui::Checkbox(fmt::format("{}##colour{}", channels[c].name, c).c_str(),
                            &display.channels[c].visible);
        }
        if (ImGui::Button("Show as channels")) {
            display.colour = false;
            display.alpha_channel = -1;
        }
        return;
    }
    int blend = static_cast<int>(display.blend);
    ImGui::SetNextItemWidth(120);
    if (ImGui::Combo("blend", &blend, "additive\0max\0min\0over\0")) {
        display.blend = static_cast<core::BlendMode>(blend);
    }
    ImGui::SameLine();
    if (ImGui::SmallButton("Reset")) {
        reset_display(document);
    }
    const auto layers = core::layers_of(channels);
    const bool grouped = layers.size() > 1 || !layers.front().name.empty();
    const bool open_rows = channels.size() <= 8;  // histograms shown unless there are many
    for (const core::Layer& layer : layers) {
        if (grouped) {
            ImGui::SetNextItemOpen(layers.size() <= 4, ImGuiCond_Once);
            if (!ImGui::CollapsingHeader(fmt::format("{} ({})###layer{}",
                                                     layer.name.empty() ? "(root)" : layer.name,
                                                     layer.channels.size(), layer.name)
                                             .c_str())) {
                continue;
            }
        }
        for (std::size_t c : layer.channels) {
            channel_row(document, c, open_rows);
        }
    }
}

// "  z 12/30  t 3/20": the position on every axis, for the inspector and status line.
std::string position_text(const core::Dims& dims) {
    std::string text;
    for (std::size_t i = 0; i < dims.axes().size(); ++i) {
        text += fmt::format("  {} {}/{}", dims.axes()[i].name, dims.position()[i],
                            dims.axes()[i].extent);
    }
    return text;
}

void inspector(Session& session, ImageDocument& document, const UiState& ui) {
    if (!ui.pointer_image) {
        ImGui::TextDisabled("point at the image to read its pixels");
        return;
    }
    const core::ImageSource& source = *document.image().source;
    const auto at = document.pixel_from_view((*ui.pointer_image)[0], (*ui.pointer_image)[1]);
    const auto x = static_cast<std::int64_t>(std::floor(at[0]));
    const auto y = static_cast<std::int64_t>(std::floor(at[1]));
    if (x < 0 || y < 0 || x >= source.width() || y >= source.height()) {
        ImGui::TextDisabled("(%lld, %lld) is outside the image", static_cast<long long>(x),
                            static_cast<long long>(y));
        return;
    }
    const auto& box = document.image().metadata.data_window;
    ImGui::Text("pixel (%lld, %lld)%s", static_cast<long long>(x + box.min_x),
                static_cast<long long>(y + box.min_y), position_text(document.dims).c_str());
    const core::View pixel =
        core::View::of_rect(static_cast<double>(x), static_cast<double>(y),
                            static_cast<double>(x + 1), static_cast<double>(y + 1), 1, 1);
    auto composite =
        core::composite_cpu(source, document.display(), pixel, document.dims.position());
    if (const ImageDocument* reference = session.reference_document();
        reference != nullptr && session.comparing(document)) {
        // Shown: the difference (or the reference in its place).
        if (session.comparison()->show_reference) {
            composite = core::composite_cpu(*reference->image().source, reference->display(), pixel,
                                            reference->dims.position());
        } else if (auto difference = core::DifferenceImage::create(
                       {document.image().source, document.dims.position()},
                       {reference->image().source, reference->dims.position()},
                       document.difference.pairs, session.comparison()->metric)) {
            composite = core::composite_cpu(
                **difference,
                core::settings_over_pairs(document.difference.display, document.difference.pairs),
                pixel);
        }
    }
    if (composite) {
        const std::uint8_t* p = composite->at(0, 0);
        ImGui::SameLine();
        ImGui::ColorButton("##composite", ImVec4(p[0] / 255.0f, p[1] / 255.0f, p[2] / 255.0f, 1),
                           ImGuiColorEditFlags_NoTooltip, ImVec2(14, 14));
        ImGui::SameLine();
        ImGui::Text("shown as %d %d %d", p[0], p[1], p[2]);
    }
    std::array<std::byte, 4> raw{};
    for (std::size_t c = 0; c < source.channel_count(); ++c) {
        const core::SampleType type = source.channels()[c].type;
        if (!source.read_region({c, document.dims.position()}, {x, y, 1, 1}, raw).ok()) {
            continue;
        }
        const float v = core::sample_as_float(raw.data(), type);
        const ImVec4 colour = document.display().channels[c].visible ? ImVec4(1, 1, 1, 1)
                                                                     : ImVec4(0.6f, 0.6f, 0.6f, 1);
        if (source.channels()[c].labels) {
            ImGui::TextColored(colour, "  %-12s label %.0f", source.channels()[c].name.c_str(),
                               static_cast<double>(v));
            continue;
        }
        ImGui::TextColored(colour, "  %-12s %.7g", source.channels()[c].name.c_str(),
                           static_cast<double>(v));
    }
    // Grid: every other image's values at the same point.
    if (session.grid()) {
        for (const std::size_t index : session.grid_documents()) {
            const ImageDocument& other = *session.documents()[index];
            if (&other == &document) {
                continue;
            }
            const core::ImageSource& image = *other.image().source;
            // Its own pixel at the pointer's point (images placed differently, like a block
            // image over its inputs, have other pixels there).
            const auto own = other.pixel_from_view((*ui.pointer_image)[0], (*ui.pointer_image)[1]);
            const auto ox = static_cast<std::int64_t>(std::floor(own[0]));
            const auto oy = static_cast<std::int64_t>(std::floor(own[1]));
            std::string values;
            for (std::size_t c = 0; c < image.channel_count() && ox >= 0 && oy >= 0 &&
                                    ox < image.width() && oy < image.height();
                 ++c) {
                std::array<std::byte, 4> sample{};
                if (image.read_region({c, other.dims.position()}, {ox, oy, 1, 1}, sample).ok()) {
                    values += fmt::format(
                        "{}{} {:.6g}", values.empty() ? "" : "  ", image.channels()[c].name,
                        core::sample_as_float(sample.data(), image.channels()[c].type));
                }
            }
            ImGui::TextDisabled("%s", other.title.c_str());
            ImGui::TextWrapped("  %s", values.empty() ? "(outside the image)" : values.c_str());
        }
    }
    // Compared: the reference's value and the metric, per pair.
    const ImageDocument* reference = session.reference_document();
    if (!session.comparing(document) || reference == nullptr) {
        return;
    }
    const core::ImageSource& other = *reference->image().source;
    const core::ErrorMetric metric = session.comparison()->metric;
    ImGui::TextDisabled("  reference %s, %s", reference->title.c_str(),
                        std::string(core::long_name(metric)).c_str());
    for (const core::ChannelPair& pair : document.difference.pairs) {
        std::array<std::byte, 4> a{};
        std::array<std::byte, 4> b{};
        if (!source.read_region({pair.a, document.dims.position()}, {x, y, 1, 1}, a).ok() ||
            !other.read_region({pair.b, reference->dims.position()}, {x, y, 1, 1}, b).ok()) {
            continue;
        }
        const float va = core::sample_as_float(a.data(), source.channels()[pair.a].type);
        const float vb = core::sample_as_float(b.data(), other.channels()[pair.b].type);
        ImGui::Text("  %-12s B %.7g  %s %.7g", pair.name.c_str(), static_cast<double>(vb),
                    std::string(core::short_name(metric)).c_str(),
                    static_cast<double>(core::apply_error_metric(va, vb, metric)));
    }
}

// The stack section of the side panel: which axis holds channels, and what Auto uses.
// The analysis panel: a derived image (core/derive) of images in the list, computed on a worker
// and added to the list when done. Inputs of a stack are its plane shown.
struct AnalysisChoice {
    const char* label;
    std::optional<core::derive::BlockOp> block;
    std::optional<core::derive::ProjectionOp> projection;
};
constexpr AnalysisChoice kAnalysisChoices[] = {
    {"mean", core::derive::BlockOp::Mean, {}},
    {"standard deviation", core::derive::BlockOp::StdDev, {}},
    {"minimum", core::derive::BlockOp::Min, {}},
    {"maximum", core::derive::BlockOp::Max, {}},
    {"Pearson's r", core::derive::BlockOp::Pearson, {}},
    {"Manders' M1", core::derive::BlockOp::MandersM1, {}},
    {"Manders' M2", core::derive::BlockOp::MandersM2, {}},
    {"maximum projection", {}, core::derive::ProjectionOp::Max},
    {"minimum projection", {}, core::derive::ProjectionOp::Min},
    {"mean projection", {}, core::derive::ProjectionOp::Mean},
    {"sum projection", {}, core::derive::ProjectionOp::Sum},
    {"standard deviation projection", {}, core::derive::ProjectionOp::StdDev},
};

// A combo over `names`; true when the choice changed.
bool choice_combo(const char* label, int& index, const std::vector<std::string>& names) {
    index = std::clamp(index, 0, std::max(0, static_cast<int>(names.size()) - 1));
    bool changed = false;
    if (ImGui::BeginCombo(label,
                          names.empty() ? "" : names[static_cast<std::size_t>(index)].c_str())) {
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (ImGui::Selectable(fmt::format("{}##{}", names[i], i).c_str(),
                                  static_cast<int>(i) == index)) {
                index = static_cast<int>(i);
                changed = true;
            }
        }
        ImGui::EndCombo();
    }
    return changed;
}

// An integer image with few distinct values (each code its own histogram bin, at most a few
// hundred of them used): probably a segmentation, worth showing as labels.
bool looks_like_labels(const ImageDocument& document) {
    const core::ImageSource& source = *document.image().source;
    if (source.channel_count() != 1 || document.statistics().empty()) {
        return false;
    }
    const core::SampleType type = source.channels()[0].type;
    const core::ChannelStatistics& s = document.statistics()[0];
    if (core::is_float(type)) {
        return false;
    }
    if (s.max - s.min + 1 > static_cast<double>(core::kHistogramBins)) {
        return false;
    }
    const auto used = std::count_if(s.histogram.bins.begin(), s.histogram.bins.end(),
                                    [](std::uint64_t n) { return n > 0; });
    return used <= (type == core::SampleType::U8 ? 32 : 1024);
}

// Labels: show integer channels as ids, shuffle their colours, contours, the selected label.
void labels_panel(Session& session, ImageDocument& document) {
    const core::ImageSource& source = *document.image().source;
    if (!core::can_show_labels(source)) {
        return;
    }
    bool labels = std::any_of(source.channels().begin(), source.channels().end(),
                              [](const core::ChannelInfo& c) { return c.labels; });
    if (!labels && looks_like_labels(document)) {
        ImGui::TextColored(ImVec4(1.0f, 0.85f, 0.4f, 1.0f), "Few distinct values: labels?");
    }
    if (ImGui::Checkbox("Labels (ids, never interpolated)", &labels)) {
        session.set_labels(session.current_index(), labels);
        return;  // the document was rebuilt
    }
    if (!labels) {
        return;
    }
    core::LabelStyle& style = document.display().labels;
    if (ImGui::Button("Shuffle colours")) {
        ++style.seed;
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(110);
    ImGui::SliderInt("contours", &style.contour, 0, 8, style.contour == 0 ? "filled" : "%d px");
    if (style.selected >= 0) {
        ImGui::Text("Selected label %lld", static_cast<long long>(style.selected));
        ImGui::SameLine();
        if (ImGui::SmallButton("Clear")) {
            style.selected = -1;
        }
    } else {
        ImGui::TextDisabled("Click a label to select it");
    }
}

// The layers section: other images drawn over this one, each with its visibility, opacity,
// blend mode and placement, in drawing order (bottom first), and a way to add one.
void layers_panel(Session& session, ImageDocument& document, UiState& ui) {
    const std::string header = document.layers.size() > 1
                                   ? fmt::format("Layers ({})###layers", document.layers.size() - 1)
                                   : std::string("Layers###layers");
    if (!ImGui::CollapsingHeader(header.c_str())) {
        return;
    }
    auto& documents = session.documents();
    std::optional<std::size_t> remove;
    std::optional<std::size_t> raise;
    for (std::size_t i = 1; i < document.layers.size(); ++i) {
        core::ViewLayer& layer = document.layers[i];
        ImGui::PushID(static_cast<int>(i));
        const auto owner = std::find_if(documents.begin(), documents.end(),
                                        [&](const auto& d) { return d->dataset == layer.dataset; });
        ImGui::Checkbox("##visible", &layer.visible);
        ImGui::SameLine();
        ImGui::TextUnformatted(owner != documents.end() ? (*owner)->title.c_str()
                                                        : "(closed image)");
        ImGui::SameLine(ImGui::GetContentRegionAvail().x - 50);
        if (i > 1 && ImGui::SmallButton("^")) {
            raise = i;
        }
        ImGui::SameLine();
        if (ImGui::SmallButton("x")) {
            remove = i;
        }
        float opacity = layer.display.channels.empty() ? 1.0f : layer.display.channels[0].opacity;
        ImGui::SetNextItemWidth(120);
        if (ImGui::SliderFloat("opacity", &opacity, 0.0f, 1.0f, "%.2f")) {
            for (core::ChannelDisplay& channel : layer.display.channels) {
                channel.opacity = opacity;
            }
        }
        ImGui::SameLine();
        int blend = static_cast<int>(layer.display.blend);
        ImGui::SetNextItemWidth(90);
        if (ImGui::Combo("blend", &blend, "additive\0max\0min\0over\0")) {
            layer.display.blend = static_cast<core::BlendMode>(blend);
        }
        double offset[2] = {layer.placement.x, layer.placement.y};
        ImGui::SetNextItemWidth(150);
        if (ImGui::DragScalarN("offset", ImGuiDataType_Double, offset, 2, 0.25f, nullptr, nullptr,
                               "%.2f")) {
            layer.placement.x = offset[0];
            layer.placement.y = offset[1];
        }
        ImGui::SameLine();
        ImGui::SetNextItemWidth(70);
        double scale = layer.placement.scale;
        const double low = 1.0 / 64;
        const double high = 64;
        if (ImGui::DragScalar("scale", ImGuiDataType_Double, &scale, 0.01f, &low, &high, "%.3g")) {
            layer.placement.scale = std::clamp(scale, low, high);
        }
        ImGui::PopID();
    }
    if (remove) {
        document.layers.erase(document.layers.begin() + static_cast<std::ptrdiff_t>(*remove));
    } else if (raise) {
        std::swap(document.layers[*raise], document.layers[*raise - 1]);
    }
    // Add: any other ready image of the list.
    std::vector<std::string> names;
    std::vector<std::size_t> indices;
    for (std::size_t i = 0; i < documents.size(); ++i) {
        if (documents[i].get() != &document && documents[i]->state == DocumentState::Ready) {
            names.push_back(documents[i]->title);
            indices.push_back(i);
        }
    }
    if (names.empty()) {
        ImGui::TextDisabled("Open another image to lay it over this one.");
        return;
    }
    choice_combo("##add", ui.layer_choice, names);
    ImGui::SameLine();
    if (ImGui::Button("Add as layer")) {
        session.add_layer(session.current_index(),
                          indices[static_cast<std::size_t>(ui.layer_choice)]);
    }
}

// The compare section: the reference, the metric, the reference in place, the difference's
// range, and its statistics (every pixel at full resolution, computed on a worker).
void compare_panel(Session& session, ImageDocument& document, UiState& ui) {
    const auto& comparison = session.comparison();
    // Unfolded when a comparison starts, folded when it ends; the user's choice in between.
    if (comparison.has_value() != ui.compare_unfolded) {
        ui.compare_unfolded = comparison.has_value();
        ImGui::SetNextItemOpen(ui.compare_unfolded);
    }
    if (!ImGui::CollapsingHeader("Compare")) {
        return;
    }
    if (!comparison) {
        ImGui::TextWrapped("Compare images against a reference: Shift+click it in the list.");
        if (ImGui::Button("Use this image as the reference")) {
            session.toggle_reference(session.current_index());
        }
        return;
    }
    ImGui::Text("Reference: %s", comparison->title.c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("Stop")) {
        session.clear_reference();
        return;
    }
    if (comparison->reference == document.dataset) {
        ImGui::TextDisabled("This is the reference: show another image to see its difference.");
        return;
    }
    DocumentDifference& difference = document.difference;
    if (!difference.error.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, kErrorColour);
        ImGui::TextWrapped("%s", difference.error.c_str());
        ImGui::PopStyleColor();
        return;
    }
    int metric = static_cast<int>(comparison->metric);
    std::vector<std::string> names;
    for (int m = 0; m < core::kErrorMetricCount; ++m) {
        const auto e = static_cast<core::ErrorMetric>(m);
        names.push_back(fmt::format("{} ({})", core::short_name(e), core::long_name(e)));
    }
    if (choice_combo("Metric (E)", metric, names)) {
        session.set_metric(static_cast<core::ErrorMetric>(metric));
    }
    bool show_reference = comparison->show_reference;
    if (ImGui::Checkbox("Show the reference in place (B)", &show_reference)) {
        session.toggle_show_reference();
    }
    bool wipe = comparison->wipe;
    if (ImGui::Checkbox("Wipe (W): the image | the reference", &wipe)) {
        session.toggle_wipe();
    }
    if (!difference.ready) {
        ImGui::TextDisabled("computing the difference...");
    }
    if (!difference.display.channels.empty()) {
        // One range for every channel, so that colours compare between channels.
        float range = 0;
        for (const core::ChannelDisplay& channel : difference.display.channels) {
            range = std::max(range, static_cast<float>(channel.hi));
        }
        if (ImGui::DragFloat("Range", &range, std::max(range, 1e-6f) * 0.01f, 0.0f, FLT_MAX, "%.4g",
                             ImGuiSliderFlags_Logarithmic) &&
            range > 0) {
            for (core::ChannelDisplay& channel : difference.display.channels) {
                channel.lo = core::is_signed(comparison->metric) ? -range : 0.0;
                channel.hi = range;
            }
        }
    }
    if (difference.statistics.empty() ||
        !ImGui::BeginTable("difference", 5, ImGuiTableFlags_SizingFixedFit)) {
        return;
    }
    for (const char* heading : {"", "mean", "RMSE", "PSNR", "max |A-B| at"}) {
        ImGui::TableSetupColumn(heading);
    }
    ImGui::TableHeadersRow();
    for (const core::DifferenceStatistics& s : difference.statistics) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(s.channel.c_str());
        ImGui::TableNextColumn();
        ImGui::Text("%.4g", s.mean_error);
        ImGui::TableNextColumn();
        ImGui::Text("%.4g", s.rmse);
        ImGui::TableNextColumn();
        ImGui::Text("%.2f", s.psnr);
        ImGui::TableNextColumn();
        ImGui::Text("%.4g (%lld, %lld)", s.max_absolute_error, static_cast<long long>(s.max_x),
                    static_cast<long long>(s.max_y));
    }
    ImGui::EndTable();
}

void analysis_panel(Session& session, UiState& ui) {
    if (!ImGui::CollapsingHeader("Analysis")) {
        return;
    }
    AnalysisForm& form = ui.analysis;
    std::vector<std::string> operations;
    for (const AnalysisChoice& choice : kAnalysisChoices) {
        operations.emplace_back(choice.label);
    }
    ImGui::SetNextItemWidth(220);
    choice_combo("operation", form.operation, operations);
    const AnalysisChoice& choice = kAnalysisChoices[form.operation];
    auto& documents = session.documents();
    std::vector<std::size_t> ready;
    std::vector<std::string> titles;
    for (std::size_t i = 0; i < documents.size(); ++i) {
        if (documents[i]->state == DocumentState::Ready) {
            ready.push_back(i);
            titles.push_back(documents[i]->title);
        }
    }
    if (ready.empty()) {
        ImGui::TextDisabled("no image to analyse");
        return;
    }
    const int inputs = choice.block ? core::derive::input_count(*choice.block) : 1;
    for (int k = 0; k < inputs; ++k) {
        const auto slot = static_cast<std::size_t>(k);
        ImGui::SetNextItemWidth(150);
        choice_combo(fmt::format("##image{}", k).c_str(), form.image[slot], titles);
        const ImageDocument& input = *documents[ready[static_cast<std::size_t>(form.image[slot])]];
        if (choice.block) {
            std::vector<std::string> channels;
            for (const core::ChannelInfo& channel : input.image().source->channels()) {
                channels.push_back(channel.name);
            }
            ImGui::SameLine();
            ImGui::SetNextItemWidth(80);
            choice_combo(fmt::format("{}##channel{}",
                                     inputs == 1 ? "input"
                                     : k == 0    ? "a"
                                                 : "b",
                                     k)
                             .c_str(),
                         form.channel[slot], channels);
        }
    }
    const ImageDocument& first = *documents[ready[static_cast<std::size_t>(form.image[0])]];
    if (choice.block) {
        int footprint = form.window ? 1 : 0;
        ImGui::RadioButton("blocks", &footprint, 0);
        ImGui::SameLine();
        ImGui::RadioButton("window", &footprint, 1);
        form.window = footprint == 1;
        ImGui::SameLine();
        ImGui::SetNextItemWidth(100);
        ImGui::InputInt2("size", form.size.data());
        form.size[0] = std::clamp(form.size[0], 1, 4096);
        form.size[1] = std::clamp(form.size[1], 1, 4096);
        if (*choice.block == core::derive::BlockOp::MandersM1 ||
            *choice.block == core::derive::BlockOp::MandersM2) {
            ImGui::SetNextItemWidth(160);
            ImGui::InputFloat2("thresholds", form.threshold.data());
        }
    } else {
        std::vector<std::string> axes;
        for (const core::Axis& axis : first.image().source->axes()) {
            axes.push_back(fmt::format("{} ({})", axis.name, axis.extent));
        }
        if (axes.empty()) {
            ImGui::TextDisabled("a projection needs a stack");
            return;
        }
        ImGui::SetNextItemWidth(120);
        choice_combo("along", form.axis, axes);
    }
    if (!ImGui::Button("Compute")) {
        if (session.deriving()) {
            ImGui::SameLine();
            ImGui::TextDisabled("computing...");
        }
        return;
    }
    if (choice.projection) {
        const auto axis = static_cast<std::size_t>(form.axis);
        auto projection =
            core::derive::ProjectionImage::create(first.image().source, axis, *choice.projection);
        if (!projection) {
            ui.message = projection.error().message;
            return;
        }
        session.derive(std::move(projection).value(),
                       fmt::format("{} along {} of {}", core::derive::name(*choice.projection),
                                   first.image().source->axes()[axis].name, first.title),
                       false);
        return;
    }
    core::derive::BlockSpec spec{
        *choice.block,
        form.window ? core::derive::Footprint::Window : core::derive::Footprint::Blocks,
        form.size[0],
        form.size[1],
        form.threshold[0],
        form.threshold[1]};
    std::vector<core::derive::DeriveInput> derive_inputs;
    std::string names;
    for (int k = 0; k < inputs; ++k) {
        const auto slot = static_cast<std::size_t>(k);
        const ImageDocument& input = *documents[ready[static_cast<std::size_t>(form.image[slot])]];
        const auto channel = static_cast<std::size_t>(form.channel[slot]);
        derive_inputs.push_back({input.image().source, {channel, input.dims.position()}});
        names += fmt::format("{}{} {}", k == 0 ? "" : " x ", input.title,
                             input.image().source->channels()[channel].name);
    }
    auto derived = core::derive::BlockImage::create(spec, std::move(derive_inputs));
    if (!derived) {
        ui.message = derived.error().message;
        return;
    }
    session.derive(std::move(derived).value(),
                   fmt::format("{} of {}x{} {} of {}", core::derive::name(spec.op), spec.width,
                               spec.height, form.window ? "windows" : "blocks", names),
                   spec.op == core::derive::BlockOp::Pearson);
}

void stack_panel(Session& session, ImageDocument& document) {
    const std::string& axes = document.image().metadata.axes;
    if (axes.empty()) {
        return;
    }
    ImGui::TextDisabled("axes %s", axes.c_str());
    if (document.image().metadata.format != "NumPy") {
        return;  // a TIFF's pages are placed by its own description; only arrays are reshaped
    }
    // Channels from: one of the array's non-spatial axes (or none), reassigned by reopening.
    std::vector<std::string> choices{"none"};
    int current = 0;
    for (char letter : axes) {
        if (letter != 'Y' && letter != 'X') {
            choices.push_back(std::string(1, letter) + " axis");
            if (letter == 'C') {
                current = static_cast<int>(choices.size()) - 1;
            }
        }
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(110);
    if (ImGui::BeginCombo("channels from", choices[static_cast<std::size_t>(current)].c_str())) {
        for (std::size_t k = 0; k < choices.size(); ++k) {
            if (ImGui::Selectable(choices[k].c_str(), static_cast<int>(k) == current) &&
                static_cast<int>(k) != current) {
                std::string next = axes;
                const auto c = next.find('C');
                const char chosen = k == 0 ? 0 : choices[k][0];
                if (chosen == 0) {
                    // No channels: C becomes a stack axis of a name still free.
                    const char free = next.find('Z') == std::string::npos ? 'Z' : 'T';
                    if (c != std::string::npos && next.find(free) == std::string::npos) {
                        next[c] = free;
                    }
                } else {
                    const auto at = next.find(chosen);
                    if (c != std::string::npos) {
                        next[c] = chosen;  // the old channel axis takes the chosen one's name
                    }
                    next[at] = 'C';
                }
                if (next != axes) {
                    session.reinterpret(session.current_index(), next);
                }
            }
        }
        ImGui::EndCombo();
    }
    if (document.is_stack()) {
        ImGui::Checkbox("Auto uses the whole stack", &document.auto_from_stack);
        if (ImGui::IsItemHovered()) {
            ImGui::SetTooltip("off: Auto (A) uses the slice shown, as Fiji does");
        }
    }
}

}  // namespace

float dims_bar_height(const core::Dims& dims) {
    return static_cast<float>(dims.slider_axes().size()) * kDimsRowHeight;
}

void draw_dims_bar(Session& session, const UiState& ui) {
    ImageDocument* document = session.current();
    if (document == nullptr || document->state != DocumentState::Ready) {
        return;
    }
    core::Dims& dims = document->dims;
    const std::vector<std::size_t> sliders = dims.slider_axes();
    if (sliders.empty()) {
        return;
    }
    ImGui::SetNextWindowPos(ImVec2(ui.viewport.x, ui.viewport.y + ui.viewport.height));
    ImGui::SetNextWindowSize(ImVec2(ui.viewport.width, dims_bar_height(dims)));
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                   ImGuiWindowFlags_NoSavedSettings |
                                   ImGuiWindowFlags_NoBringToFrontOnFocus;
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(6, 3));
    ImGui::Begin("##dims", nullptr, flags);
    core::Playback& playback = dims.playback();
    for (std::size_t axis : sliders) {
        ImGui::PushID(static_cast<int>(axis));
        const core::Axis& info = dims.axes()[axis];
        const bool playing = playback.playing() && playback.axis() == axis;
        if (playing ? ImGui::Button("||", ImVec2(22, 0))
                    : ImGui::ArrowButton("##play", ImGuiDir_Right)) {
            if (!playing) {
                dims.set(axis, dims.position()[axis]);  // this axis is the one to play
            }
            dims.toggle_play(ImGui::GetTime());
        }
        if (ImGui::IsItemHovered()) {
            ImGui::SetTooltip(playing ? "pause (Space)" : "play (Space)");
        }
        ImGui::SameLine();
        const bool stepped = dims.step_axis() == axis;
        ImGui::TextColored(stepped ? ImVec4(1, 0.85f, 0.4f, 1) : ImVec4(1, 1, 1, 1), "%s",
                           info.name.c_str());
        if (ImGui::IsItemHovered()) {
            ImGui::SetTooltip(", and . step this axis when it is highlighted");
        }
        ImGui::SameLine();
        const bool settings = playing || stepped;
        ImGui::SetNextItemWidth(settings ? -250.0f : -1.0f);
        std::int64_t index = dims.position()[axis];
        const std::int64_t lo = 0;
        const std::int64_t hi = info.extent - 1;
        const bool loading =
            ui.shown_position.size() == dims.position().size() && ui.shown_position[axis] != index;
        const std::string format =
            loading ? fmt::format("%lld / {}  (showing {})", info.extent, ui.shown_position[axis])
                    : fmt::format("%lld / {}", info.extent);
        if (ImGui::SliderScalar("##index", ImGuiDataType_S64, &index, &lo, &hi, format.c_str())) {
            dims.set(axis, index);
        }
        if (settings) {
            ImGui::SameLine();
            float fps = static_cast<float>(playback.fps());
            ImGui::SetNextItemWidth(90);
            if (ImGui::DragFloat("##fps", &fps, 0.5f, 0.1f, 240.0f, "%.1f fps")) {
                playback.set_fps(fps);
            }
            ImGui::SameLine();
            int mode = static_cast<int>(playback.mode());
            ImGui::SetNextItemWidth(-1);
            if (ImGui::Combo("##mode", &mode, "once\0loop\0back and forth\0")) {
                playback.set_mode(static_cast<core::LoopMode>(mode));
            }
        }
        ImGui::PopID();
    }
    ImGui::End();
    ImGui::PopStyleVar();
}

void draw_side_panel(Session& session, UiState& ui, float height) {
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(kPanelWidth, height));
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                   ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                                   ImGuiWindowFlags_MenuBar;
    if (!ImGui::Begin("Images", nullptr, flags)) {
        ImGui::End();
        return;
    }
    draw_menu_bar(session, ui);
    auto& documents = session.documents();
    const float list_height =
        std::min(6.0f, static_cast<float>(std::max<std::size_t>(documents.size(), 1))) *
            ImGui::GetTextLineHeightWithSpacing() +
        8;
    ImGui::BeginChild("list", ImVec2(0, list_height), true);
    for (std::size_t i = 0; i < documents.size(); ++i) {
        const ImageDocument& d = *documents[i];
        const char* state = d.state == DocumentState::Loading  ? "  (loading...)"
                            : d.state == DocumentState::Failed ? "  (failed)"
                            : d.reloading                      ? "  (reloading...)"
                                                               : "";
        if (session.grid()) {  // which images the grid shows
            ImGui::Checkbox(fmt::format("##grid{}", i).c_str(), &documents[i]->in_grid);
            if (ImGui::IsItemHovered()) {
                ImGui::SetTooltip("show this image in the grid");
            }
            ImGui::SameLine();
        }
        if (d.state == DocumentState::Failed) {
            ImGui::PushStyleColor(ImGuiCol_Text, kErrorColour);
        }
        const bool reference =
            session.comparison() && d.dataset && session.comparison()->reference == d.dataset;
        if (ImGui::Selectable(
                fmt::format("{}{}{}##doc{}", d.title, state, reference ? "  (reference)" : "", i)
                    .c_str(),
                session.current_index() == i)) {
            // tev's habit: Shift+click makes the image the reference the others are compared to.
            ImGui::GetIO().KeyShift ? session.toggle_reference(i) : session.select(i);
        }
        if (d.state == DocumentState::Failed) {
            ImGui::PopStyleColor();
        }
        if (!d.error.empty() && ImGui::IsItemHovered()) {
            ImGui::SetTooltip("%s", d.error.c_str());
        }
    }
    ImGui::EndChild();
    bool grid = session.grid();
    if (ImGui::Checkbox("Grid (G)", &grid)) {
        session.set_grid(grid);
    }
    if (grid) {
        ImGui::SameLine();
        ImGui::Checkbox("linked (Shift+G)", &ui.grid_linked);
        ImGui::SameLine();
        ImGui::SetNextItemWidth(70);
        ImGui::InputInt("cols", &ui.grid_columns, 1, 1);
        ui.grid_columns = std::clamp(ui.grid_columns, 0, 16);
        if (ImGui::IsItemHovered()) {
            ImGui::SetTooltip("0: the shape that makes the cells largest");
        }
    }
    ImageDocument* document = session.current();
    if (document != nullptr && !document->error.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, kErrorColour);
        ImGui::TextWrapped("%s", document->error.c_str());
        ImGui::PopStyleColor();
    }
    if (document != nullptr && document->state == DocumentState::Ready) {
        const auto& meta = document->image().metadata;
        ImGui::TextDisabled("%s, %lld x %lld, %s", meta.format.c_str(),
                            static_cast<long long>(document->image().source->width()),
                            static_cast<long long>(document->image().source->height()),
                            std::string(core::to_string(meta.transfer)).c_str());
        stack_panel(session, *document);
        layers_panel(session, *document, ui);
        compare_panel(session, *document, ui);
        analysis_panel(session, ui);
        if (document->live) {
            ImGui::Checkbox("Auto-contrast while streaming", &document->live_auto_contrast);
            if (ImGui::IsItemHovered()) {
                ImGui::SetTooltip(
                    "on: the limits follow the data as a client writes it "
                    "(statistics refreshed from samples twice a second); off: "
                    "they stay where they are");
            }
        }
        ImGui::Separator();
        const std::size_t compared =
            (session.comparing(*document) ? document->difference.pairs.size() + 1 : 0) +
            (session.grid() ? 2 * (session.grid_documents().size() - 1) : 0);
        const float inspector_height =
            40.0f + ImGui::GetTextLineHeightWithSpacing() *
                        static_cast<float>(std::min<std::size_t>(
                            document->image().source->channel_count() + compared, 16));
        ImGui::BeginChild("channels", ImVec2(0, -inspector_height), false);
        labels_panel(session, *document);
        if (session.current() != document) {
            ImGui::EndChild();
            ImGui::End();
            return;
        }
        channel_panel(*document);
        ImGui::EndChild();
        ImGui::Separator();
        ImGui::BeginChild("inspector", ImVec2(0, 0), false);
        inspector(session, *document, ui);
        ImGui::EndChild();
    }
    ImGui::End();
}

void draw_status_bar(Session& session, const UiState& ui, float width, float height) {
    ImGui::SetNextWindowPos(ImVec2(0, height - kStatusHeight));
    ImGui::SetNextWindowSize(ImVec2(width, kStatusHeight));
    const ImGuiWindowFlags flags =
        ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
        ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoBringToFrontOnFocus;
    ImGui::Begin("##status", nullptr, flags);
    std::string text;
    if (const ImageDocument* d = session.current();
        d != nullptr && d->state == DocumentState::Ready) {
        const auto& source = *d->image().source;
        text = fmt::format("zoom {:.0f}%   {} x {}   {} channel{}", d->view.zoom() * 100.0,
                           source.width(), source.height(), source.channel_count(),
                           source.channel_count() == 1 ? "" : "s");
        if (ui.pointer_image) {  // in the file's coordinates, as the inspector's pixel
            const auto pixel = d->pixel_from_view((*ui.pointer_image)[0], (*ui.pointer_image)[1]);
            const auto& data = d->image().metadata.data_window;
            const double ox = data.width() > 0 ? static_cast<double>(data.min_x) : 0.0;
            const double oy = data.width() > 0 ? static_cast<double>(data.min_y) : 0.0;
            text += fmt::format("   x {:.1f}  y {:.1f}", pixel[0] + ox, pixel[1] + oy);
        }
        text += position_text(d->dims);
    }
    if (session.busy()) {
        text += "   loading...";
    }
    if (!ui.message.empty()) {
        text += "   " + ui.message;
    }
    const std::string ipc = ui.ipc_listening.empty()
                                ? std::string()
                                : fmt::format("IPC {} client{}   ", ui.ipc_clients.size(),
                                              ui.ipc_clients.size() == 1 ? "" : "s");
    // The left part gives way to the right one (it is clipped, never drawn under it).
    const float right = width - 170 - ImGui::CalcTextSize(ipc.c_str()).x;
    ImGui::PushClipRect(ImGui::GetCursorScreenPos(),
                        ImVec2(right - 8, ImGui::GetCursorScreenPos().y + kStatusHeight), true);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopClipRect();
    ImGui::SameLine(right);
    // One FPS figure, in the overlay (P): not a second one here.
    ImGui::TextDisabled("%s?/F1 help", ipc.c_str());
    ImGui::End();
}

std::vector<std::pair<std::string, std::string>> metadata_rows(const ImageDocument& document) {
    std::vector<std::pair<std::string, std::string>> rows;
    rows.emplace_back("file", document.path);
    if (document.state != DocumentState::Ready) {
        rows.emplace_back("state",
                          document.state == DocumentState::Loading ? "loading" : document.error);
        return rows;
    }
    const core::Image& image = document.image();
    const core::ImageMetadata& meta = image.metadata;
    const core::ImageSource& source = *image.source;
    rows.emplace_back("format", meta.format);
    if (meta.part_count > 1 || !meta.part_name.empty()) {
        rows.emplace_back("part", fmt::format("{} of {}{}", meta.part_index + 1, meta.part_count,
                                              meta.part_name.empty() ? "" : ": " + meta.part_name));
    }
    rows.emplace_back("size", fmt::format("{} x {}", source.width(), source.height()));
    for (const core::Axis& axis : source.axes()) {
        rows.emplace_back("axis " + axis.name, fmt::format("{} planes", axis.extent));
    }
    for (const core::ChannelInfo& channel : source.channels()) {
        rows.emplace_back("channel " + channel.name, std::string(core::to_string(channel.type)) +
                                                         (channel.labels ? ", label ids" : ""));
    }
    rows.emplace_back("transfer", std::string(core::to_string(meta.transfer)));
    const auto window = [](const core::Box2i& box) {
        return fmt::format("({}, {}) - ({}, {})", box.min_x, box.min_y, box.max_x, box.max_y);
    };
    rows.emplace_back("data window", window(meta.data_window));
    rows.emplace_back("display window", window(meta.display_window));
    if (!meta.compression.empty()) {
        rows.emplace_back("compression", meta.compression);
    }
    if (!meta.storage.empty()) {
        rows.emplace_back("storage", meta.storage);
    }
    if (meta.pixel_size.x > 0) {
        const std::string z =
            meta.pixel_size.z > 0 ? fmt::format(" x {:g}", meta.pixel_size.z) : std::string();
        rows.emplace_back("pixel size", fmt::format("{:g} x {:g}{} {}", meta.pixel_size.x,
                                                    meta.pixel_size.y, z, meta.pixel_size.unit));
    }
    for (const auto& [key, value] : meta.properties) {
        rows.emplace_back(key, value);
    }
    return rows;
}

void draw_metadata_window(Session& session, UiState& ui) {
    if (!ui.show_metadata) {
        return;
    }
    ImGui::SetNextWindowSize(ImVec2(620, 460), ImGuiCond_Appearing);
    if (ImGui::Begin("Metadata", &ui.show_metadata, ImGuiWindowFlags_NoSavedSettings)) {
        const ImageDocument* document = session.current();
        if (document == nullptr) {
            ImGui::TextDisabled("no image");
        } else {
            const auto rows = metadata_rows(*document);
            if (ImGui::Button("Copy all")) {
                std::string text;
                for (const auto& [key, value] : rows) {
                    text += key + "\t" + value + "\n";
                }
                ImGui::SetClipboardText(text.c_str());
                ui.message = "metadata copied";
            }
            if (ImGui::BeginTable(
                    "metadata", 2,
                    ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_Resizable)) {
                ImGui::TableSetupColumn("key", ImGuiTableColumnFlags_WidthFixed, 180.0f);
                ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
                for (const auto& [key, value] : rows) {
                    ImGui::TableNextRow();
                    ImGui::TableNextColumn();
                    ImGui::TextUnformatted(key.c_str());
                    ImGui::TableNextColumn();
                    ImGui::TextWrapped("%s", value.c_str());
                }
                ImGui::EndTable();
            }
        }
    }
    ImGui::End();
}

void draw_about_window(UiState& ui) {
    if (!ui.show_about) {
        return;
    }
    ImGui::SetNextWindowSize(ImVec2(420, 0), ImGuiCond_Appearing);
    if (ImGui::Begin("About Tessera", &ui.show_about,
                     ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoCollapse)) {
        ImGui::Text("Tessera %s", core::kVersion);
        ImGui::TextWrapped(
            "A GPU image inspector: every channel exactly, huge images streamed, stacks, live "
            "images over tev's protocol, comparisons and derived images.");
        ImGui::TextDisabled("Dear ImGui %s, GLFW %s", IMGUI_VERSION, glfwGetVersionString());
    }
    ImGui::End();
}

void draw_help_window(UiState& ui) {
    if (!ui.show_help) {
        return;
    }
    ImGui::SetNextWindowSize(ImVec2(600, 0), ImGuiCond_Appearing);
    if (ImGui::Begin("Keyboard and mouse", &ui.show_help, ImGuiWindowFlags_NoSavedSettings)) {
        if (ImGui::BeginTable("shortcuts", 2, ImGuiTableFlags_RowBg)) {
            ImGui::TableSetupColumn("keys", ImGuiTableColumnFlags_WidthFixed, 110.0f);
            ImGui::TableSetupColumn("action", ImGuiTableColumnFlags_WidthStretch);
            for (const Shortcut& shortcut : shortcuts()) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(std::string(shortcut.keys).c_str());
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(std::string(shortcut.action).c_str());
            }
            ImGui::EndTable();
        }
        ImGui::TextDisabled("Files can also be dropped onto the window.");
        ImGui::Separator();
        if (ui.ipc_listening.empty()) {
            ImGui::TextUnformatted(
                "IPC: not listening (--no-ipc, a scripted run, or the address "
                "was taken)");
        } else {
            ImGui::Text("IPC: listening at %s (tev's protocol)", ui.ipc_listening.c_str());
            if (ui.ipc_clients.empty()) {
                ImGui::TextDisabled("no clients connected");
            }
            for (const std::string& client : ui.ipc_clients) {
                ImGui::BulletText("%s", client.c_str());
            }
        }
    }
    ImGui::End();
}

std::string pixel_values_text(const ImageDocument& document, const std::array<double, 2>& point) {
    if (document.state != DocumentState::Ready) {
        return {};
    }
    const core::ImageSource& source = *document.image().source;
    const auto at = document.pixel_from_view(point[0], point[1]);
    const auto x = static_cast<std::int64_t>(std::floor(at[0]));
    const auto y = static_cast<std::int64_t>(std::floor(at[1]));
    if (x < 0 || y < 0 || x >= source.width() || y >= source.height()) {
        return {};
    }
    const auto& box = document.image().metadata.data_window;
    const std::int64_t ox = box.width() > 0 ? box.min_x : 0;
    const std::int64_t oy = box.width() > 0 ? box.min_y : 0;
    std::string text = fmt::format("{}\tx={}\ty={}", document.title, x + ox, y + oy);
    for (std::size_t i = 0; i < document.dims.axes().size(); ++i) {
        text += fmt::format("\t{}={}", document.dims.axes()[i].name, document.dims.position()[i]);
    }
    std::array<std::byte, 4> raw{};
    for (std::size_t c = 0; c < source.channel_count(); ++c) {
        const core::SampleType type = source.channels()[c].type;
        if (!source.read_region({c, document.dims.position()}, {x, y, 1, 1}, raw).ok()) {
            continue;
        }
        const double v = core::sample_as_float(raw.data(), type);
        const bool integer = !core::is_float(type);
        text += fmt::format("\t{}={}", source.channels()[c].name,
                            integer ? fmt::format("{:.0f}", v) : fmt::format("{:.9g}", v));
    }
    return text;
}

namespace {

// A typed path: absolute as it is, else inside the directory listed.
std::filesystem::path typed_path(const UiState& ui) {
    const std::filesystem::path typed(ui.open_path.data());
    return typed.is_absolute() ? typed : ui.browser.directory / typed;
}

void browse(UiState& ui, const std::filesystem::path& directory) {
    std::error_code error;
    const auto normal = std::filesystem::weakly_canonical(directory, error);
    ui.browser = list_directory(error ? directory : normal, ui.browser_all_files);
}

void set_typed(UiState& ui, const std::string& text) {
    ui.open_path.fill('\0');
    text.copy(ui.open_path.data(), ui.open_path.size() - 1);
}

// Tab in the path field: completes it as far as the entries agree (in the directory listed).
int complete_typed(ImGuiInputTextCallbackData* data) {
    const UiState& ui = *static_cast<const UiState*>(data->UserData);
    const std::string typed(data->Buf, static_cast<std::size_t>(data->BufTextLen));
    const bool relative = typed.empty() || typed[0] != '/';
    const std::string base = ui.browser.directory.string() + "/";
    const std::string completed =
        complete_path(relative ? base + typed : typed, ui.browser_all_files);
    const std::string text =
        relative && completed.starts_with(base) ? completed.substr(base.size()) : completed;
    if (text != typed) {
        data->DeleteChars(0, data->BufTextLen);
        data->InsertChars(0, text.c_str());
    }
    return 0;
}

}  // namespace

void draw_open_dialog(Session& session, UiState& ui) {
    if (!ui.show_open_dialog) {
        return;
    }
    if (ui.browser.directory.empty()) {
        // The folder of the image shown, else the working directory.
        std::filesystem::path start = std::filesystem::current_path();
        if (const ImageDocument* document = session.current();
            document != nullptr && std::filesystem::is_regular_file(document->path)) {
            start = std::filesystem::absolute(document->path).parent_path();
        }
        browse(ui, start);
    }
    ImGui::SetNextWindowSize(ImVec2(560, 0), ImGuiCond_Appearing);
    if (ImGui::Begin("Open", &ui.show_open_dialog, ImGuiWindowFlags_NoSavedSettings)) {
        if (ImGui::Button("Up")) {
            browse(ui, ui.browser.directory.parent_path());
        }
        ImGui::SameLine();
        ImGui::TextUnformatted(ui.browser.directory.string().c_str());
        if (ImGui::Checkbox("every file, not only images", &ui.browser_all_files)) {
            browse(ui, ui.browser.directory);
        }
        std::optional<std::filesystem::path> chosen;
        ImGui::BeginChild("entries", ImVec2(0, 260), true);
        if (!ui.browser.error.empty()) {
            ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", ui.browser.error.c_str());
        }
        for (const BrowserEntry& entry : ui.browser.entries) {
            const std::string label = entry.directory ? entry.name + "/" : entry.name;
            if (ImGui::Selectable(label.c_str(), label == ui.open_path.data(),
                                  ImGuiSelectableFlags_AllowDoubleClick)) {
                set_typed(ui, label);
                if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
                    chosen = ui.browser.directory / entry.name;
                }
            }
            if (!entry.directory) {
                ImGui::SameLine(ImGui::GetContentRegionAvail().x - 80);
                ImGui::TextDisabled("%8.1f MB", static_cast<double>(entry.size) / 1e6);
            }
        }
        ImGui::EndChild();
        ImGui::TextUnformatted("Path (Tab completes):");
        if (ui.focus_open_field) {
            ImGui::SetKeyboardFocusHere();
            ui.focus_open_field = false;
        }
        ImGui::SetNextItemWidth(-70);
        const bool enter = ImGui::InputText(
            "##path", ui.open_path.data(), ui.open_path.size(),
            ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_CallbackCompletion,
            complete_typed, &ui);
        if (enter) {
            ImGui::SetKeyboardFocusHere(-1);  // the field keeps the keyboard for the next path
        }
        ImGui::SameLine();
        if ((ImGui::Button("Open") || enter) && ui.open_path[0] != '\0') {
            chosen = typed_path(ui);
        }
        if (chosen) {
            std::error_code error;
            if (std::filesystem::is_directory(*chosen, error)) {
                browse(ui, *chosen);
                ui.open_path.fill('\0');
            } else {
                session.open(chosen->string());
                ui.open_path.fill('\0');
                ui.show_open_dialog = false;
            }
        }
    }
    ImGui::End();
}

}  // namespace tessera::app
